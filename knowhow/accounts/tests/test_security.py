"""Security baseline: headers, production settings, login lockout, sessions."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from knowhow.accounts import selectors, services
from knowhow.accounts.models import LoginFailure, UserSession
from knowhow.core.tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "correct horse battery"


def test_every_page_sends_a_strict_content_security_policy(client, db):
    response = client.get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_templates_have_no_inline_scripts_handlers_or_styles():
    """A strict policy blocks these, so none may creep back into a template."""
    import re

    offenders = []
    pattern = re.compile(r"<script>|<script [^>]*>[^<\s]|\son[a-z]+=|\sstyle=|<style", re.I)
    for template in (ROOT / "knowhow").rglob("templates/**/*.html"):
        for number, line in enumerate(template.read_text().splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{template.relative_to(ROOT)}:{number}")
    assert offenders == []


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in {"DEBUG", "PYTEST_VERSION", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        },
        "HTTPS": "1",
        "DEBUG": "0",
        "SECRET_KEY": "x" * 20 + "a-long-production-secret-key-with-variety-1234567890",
        "ALLOWED_HOSTS": "knowhow.example.com",
        "KNOWHOW_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_production_settings_turn_on_hsts_and_secure_cookies(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"},
        "HTTPS": "1",
        "KNOWHOW_VAR_DIR": str(tmp_path),
    }
    code = (
        "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='config.settings';"
        "from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_SSL_REDIRECT)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.stdout.split() == ["31536000", "True", "True", "True"], out.stderr


# --- Brute-force protection ---------------------------------------------------------------------


def _login(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


@pytest.mark.django_db
def test_login_works_and_records_the_session(client, user):
    response = _login(client, user.username)
    assert response.status_code == 302
    record = UserSession.objects.get(user=user)
    assert record.session_key == client.session.session_key
    assert record.method == "password"
    assert record.ip == "127.0.0.1"


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, user, settings):
    for _ in range(settings.KNOWHOW["LOGIN_MAX_FAILURES"]):
        response = _login(client, user.username, "wrong password")
        assert response.status_code == 200
    response = _login(client, user.username)
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_lockout_ends_after_the_window(client, user, settings):
    for _ in range(settings.KNOWHOW["LOGIN_MAX_FAILURES"]):
        _login(client, user.username, "wrong password")
    LoginFailure.objects.update(at="2000-01-01T00:00:00Z")
    assert _login(client, user.username).status_code == 302


@pytest.mark.django_db
def test_one_address_trying_many_usernames_is_locked_out(client, settings):
    settings.KNOWHOW = {**settings.KNOWHOW, "LOGIN_MAX_FAILURES_PER_IP": 3}
    target = UserFactory()
    for n in range(3):
        _login(client, f"guess{n}", "wrong")
    response = _login(client, target.username)
    assert "Too many failed attempts" in response.content.decode()


@pytest.mark.django_db
def test_a_successful_login_clears_the_failures(client, user):
    _login(client, user.username, "wrong")
    _login(client, user.username)
    assert not LoginFailure.objects.filter(username=user.username).exists()


@pytest.mark.django_db
def test_a_deactivated_person_cannot_log_in(client, user):
    user.is_active = False
    user.save()
    assert _login(client, user.username).status_code == 200
    assert "_auth_user_id" not in client.session


# --- Sessions ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_people_see_their_sessions_and_end_another_one(client, user):
    from django.test import Client

    other_device = Client(HTTP_USER_AGENT="PhoneBrowser/1.0")
    _login(other_device, user.username)
    _login(client, user.username)
    page = client.get(reverse("accounts:sessions"))
    assert "PhoneBrowser/1.0" in page.content.decode()
    phone = UserSession.objects.get(session_key=other_device.session.session_key)

    response = client.post(reverse("accounts:session_revoke", args=[phone.pk]))
    assert response.status_code == 302
    assert other_device.get(reverse("accounts:profile")).status_code == 302  # back to login
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert not Session.objects.filter(session_key=phone.session_key).exists()


@pytest.mark.django_db
def test_nobody_can_end_someone_elses_session(client, user, other_user):
    from django.test import Client

    theirs = Client()
    _login(theirs, other_user.username)
    record = UserSession.objects.get(user=other_user)
    _login(client, user.username)
    response = client.post(reverse("accounts:session_revoke", args=[record.pk]))
    assert response.status_code == 404
    assert theirs.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.django_db
def test_end_all_other_sessions_keeps_the_current_one(client, user):
    from django.test import Client

    others = [Client(), Client()]
    for c in others:
        _login(c, user.username)
    _login(client, user.username)
    client.post(reverse("accounts:sessions_revoke_others"))
    assert [s.session_key for s in selectors.sessions_for_user(user=user)] == [
        client.session.session_key
    ]
    for c in others:
        assert c.get(reverse("accounts:profile")).status_code == 302


@pytest.mark.django_db
def test_logging_out_forgets_the_session(client, user):
    _login(client, user.username)
    client.post(reverse("accounts:logout"))
    assert not UserSession.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_the_sessions_page_needs_a_login(client):
    assert client.get(reverse("accounts:sessions")).status_code == 302


@pytest.mark.django_db
def test_revoking_all_sessions_service_counts(user):
    assert services.sessions_revoke_all(user=user) == 0


@pytest.mark.django_db
def test_changing_the_password_ends_the_other_sessions(client, user):
    from django.test import Client

    other = Client()
    _login(other, user.username)
    _login(client, user.username)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a brand new passphrase 99",
            "new_password2": "a brand new passphrase 99",
        },
    )
    assert response.status_code == 302
    assert [s.session_key for s in selectors.sessions_for_user(user=user)] == [
        client.session.session_key
    ]
    assert other.get(reverse("accounts:profile")).status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "127.0.0.1"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the first hop is the client's claim
        (2, "198.51.100.1, 203.0.113.9", "198.51.100.1"),
        (1, "not-an-address", "127.0.0.1"),
        (2, "203.0.113.9", "127.0.0.1"),
    ],
)
def test_the_client_address_behind_trusted_proxies(rf, settings, hops, forwarded, expected):
    from knowhow.accounts.middleware import client_ip

    settings.TRUSTED_PROXIES = hops
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="127.0.0.1")
    assert client_ip(request) == expected


@pytest.mark.django_db
def test_last_seen_is_written_at_most_once_per_window(client, user):
    from django.core.cache import cache

    from knowhow.accounts.middleware import session_seen_cache_key

    _login(client, user.username)
    record = UserSession.objects.get(user=user)
    UserSession.objects.filter(pk=record.pk).update(last_seen_at="2000-01-01T00:00:00Z")
    client.get(reverse("accounts:sessions"))  # within the window: no write
    record.refresh_from_db()
    assert record.last_seen_at.year == 2000
    cache.delete(session_seen_cache_key(record.session_key))  # the window has passed
    client.get(reverse("accounts:sessions"))
    record.refresh_from_db()
    assert record.last_seen_at.year > 2000
