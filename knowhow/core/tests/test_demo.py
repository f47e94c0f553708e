"""`knowhow demo` loads a believable site once, and a second run changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from knowhow.accounts.models import User
from knowhow.qa.models import Comment, Post, Tag, TagFollow, Vote
from knowhow.spaces.models import Space

pytestmark = pytest.mark.django_db


def _snapshot() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "questions": Post.objects.filter(post_type="question").count(),
        "answers": Post.objects.filter(post_type="answer").count(),
        "comments": Comment.objects.count(),
        "votes": Vote.objects.count(),
        "tags": Tag.objects.count(),
        "follows": TagFollow.objects.count(),
        "spaces": Space.objects.count(),
    }


def test_demo_loads_content_once_and_is_idempotent():
    out = StringIO()
    call_command("demo", stdout=out)
    assert "Demo content loaded." in out.getvalue()
    assert "alice / knowhow-demo" in out.getvalue()
    first = _snapshot()
    assert first["users"] >= 5 and first["questions"] >= 5 and first["answers"] >= 5
    assert first["comments"] > 0 and first["votes"] > 0 and first["follows"] > 0
    assert Post.objects.filter(accepted_answer__isnull=False).exists()
    assert Space.objects.filter(visibility=Space.Visibility.PRIVATE).exists()
    assert User.objects.get(username="admin").is_staff
    assert all(t.description_html for t in Tag.objects.filter(name__in=["excel", "git"]))

    out = StringIO()
    call_command("demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert _snapshot() == first


def test_the_demo_site_works_and_keeps_the_pilot_private():
    call_command("demo", stdout=StringIO())
    anonymous = Client()
    page = anonymous.get("/").content.decode()
    assert "pivot table" in page and "Pilot:" not in page
    alice = Client()
    assert alice.login(username="alice", password="knowhow-demo")
    assert "Pilot:" in alice.get("/").content.decode()
    bob = Client()
    assert bob.login(username="bob", password="knowhow-demo")
    assert "Pilot:" not in bob.get("/").content.decode()
    pilot = Post.objects.get(title__startswith="Pilot:")
    assert bob.get(pilot.get_absolute_url()).status_code == 404
    assert alice.get(pilot.get_absolute_url()).status_code == 200


def test_the_knowhow_console_command_runs_demo(monkeypatch, capsys):
    from knowhow.cli import main

    monkeypatch.setattr("sys.argv", ["knowhow", "demo"])
    # run_from_argv closes every connection when done, which would end the test's transaction.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    main()
    assert "Demo content loaded." in capsys.readouterr().out
    main()
    assert "already loaded" in capsys.readouterr().out
