"""Imported posts on the site: attribution on the question page, lookup by original id."""

import pytest

from knowhow.core.tests.factories import SpaceFactory, UserFactory
from knowhow.qa.models import Comment, Post
from knowhow.stackexchange.importer import DumpImport
from knowhow.stackexchange.tests.test_import import MINI, SOURCE

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported():
    space = SpaceFactory()
    DumpImport(directory=MINI, space=space, site="mini.example", post_import=False).execute()
    return space


def test_the_question_page_shows_attribution(client, imported):
    question = Post.objects.get(source=SOURCE, source_id=1)
    response = client.get(question.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="https://mini.example/q/1"' in html
    assert 'href="https://mini.example/users/10"' in html and "Zoë Asker" in html
    assert 'href="https://mini.example/a/3"' in html
    assert "CC BY-SA 4.0" in html and "https://creativecommons.org/licenses/by-sa/4.0/" in html
    # An answer by a deleted user is attributed to the name the dump gives, and its licence.
    assert "Gone Person" in html and "CC BY-SA 3.0" in html


def test_native_posts_show_no_attribution(client, question):
    response = client.get(question.get_absolute_url())
    assert "attribution" not in response.content.decode()


def test_a_post_is_found_by_its_original_id(client, imported):
    response = client.get(f"/questions/by-source/{SOURCE}/1/")
    assert response.status_code == 302
    assert response["Location"] == Post.objects.get(source=SOURCE, source_id=1).get_absolute_url()
    answer = client.get(f"/questions/by-source/{SOURCE}/3/")
    assert answer["Location"].endswith(f"#answer-{Post.objects.get(source=SOURCE, source_id=3).pk}")


def test_a_comment_is_found_by_its_original_id(client, imported):
    comment = Comment.objects.get(source=SOURCE, source_id=100)
    response = client.get(f"/comments/by-source/{SOURCE}/100/")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")


def test_an_unknown_original_id_is_not_found(client, imported):
    assert client.get(f"/questions/by-source/{SOURCE}/5/").status_code == 404
    assert client.get("/questions/by-source/stackexchange:other.example/1/").status_code == 404
    assert client.get(f"/comments/by-source/{SOURCE}/103/").status_code == 404


def test_a_post_in_a_private_space_is_not_found_by_outsiders(client):
    space = SpaceFactory(private=True)
    DumpImport(directory=MINI, space=space, site="mini.example", post_import=False).execute()
    assert client.get(f"/questions/by-source/{SOURCE}/1/").status_code == 404
    client.force_login(UserFactory())
    assert client.get(f"/questions/by-source/{SOURCE}/1/").status_code == 404
    client.force_login(UserFactory(is_superuser=True))
    assert client.get(f"/questions/by-source/{SOURCE}/1/").status_code == 302
