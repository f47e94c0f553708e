"""The question page's thread state reused while the database is unchanged (SQLite's
data_version and the connection's own changes, PostgreSQL's current snapshot:
`core/read_memo.py`): a write from another connection (another thread here; another process is
the same to the database) or from this one shows on the next view. These tests commit for real
(transaction=True): inside a transaction the memo is bypassed, so the other page-cache tests do
not exercise it."""

import re

import pytest
from django.db import close_old_connections, connection
from django.test import Client

from knowhow.core.tests.factories import AnswerFactory, UserFactory
from knowhow.core.tests.threads import in_another_connection
from knowhow.qa import services
from knowhow.qa.models import Post
from knowhow.qa.tests.test_page_cache import (
    BODY,
    _accept,
    _close,
    _comment,
    _edit_answer,
    _edit_question,
    _lock,
    _new_answer,
    _vote,
)
from knowhow.spaces.models import Space

pytestmark = pytest.mark.django_db(transaction=True)

WRITES = [_edit_question, _new_answer, _edit_answer, _vote, _comment, _accept, _close, _lock]


def _page(client: Client, question: Post) -> str:
    response = client.get(question.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def answer(question, other_user):
    return AnswerFactory(question=question, author=other_user, body=BODY)


@pytest.fixture
def staff_client(staff):
    viewer = Client()
    viewer.force_login(staff)
    return viewer


TOKEN_SQL = (
    "PRAGMA data_version" if connection.vendor == "sqlite" else "SELECT pg_current_snapshot()::text"
)


def test_an_unchanged_thread_costs_one_token_and_no_query(
    client, question, answer, django_assert_num_queries
):
    _page(client, question)
    _page(client, question)
    with django_assert_num_queries(1) as captured:
        assert "explains which setting" in _page(client, question)
    assert captured.captured_queries[0]["sql"] == TOKEN_SQL


def test_a_signed_in_repeat_view_reads_only_tokens(
    logged_in_client, question, answer, django_assert_num_queries
):
    """The session from the cache; the person and the thread state from the memo, both under
    the one `PRAGMA data_version` of the request (on PostgreSQL, a snapshot for each)."""
    _page(logged_in_client, question)
    _page(logged_in_client, question)
    with django_assert_num_queries(1 if connection.vendor == "sqlite" else 2) as captured:
        _page(logged_in_client, question)
    assert {q["sql"] for q in captured.captured_queries} == {TOKEN_SQL}


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("where", ["this connection", "another connection"])
def test_every_write_shows_on_the_next_view(
    client, staff_client, question, answer, staff, write, where
):
    for _ in range(2):  # the second round is served from the memo and the caches
        before_anonymous, before_staff = _page(client, question), _page(staff_client, question)
    if where == "this connection":
        expected = write(question, answer, staff)
    else:
        results: list[str] = []
        in_another_connection(lambda *a: results.append(write(*a)), question, answer, staff)
        expected = results[0]
    close_old_connections()
    assert expected not in (before_staff if write is _lock else before_anonymous)
    assert expected in _page(staff_client, question)
    if write is not _lock:
        assert expected in _page(client, question)


def test_a_space_made_private_elsewhere_is_refused_on_the_next_view(client, question, answer):
    _page(client, question)
    _page(client, question)
    in_another_connection(
        lambda: Space.objects.filter(pk=question.space_id).update(
            visibility=Space.Visibility.PRIVATE
        )
    )
    assert client.get(question.get_absolute_url()).status_code == 404


def test_each_viewer_keeps_their_own_votes(question, answer):
    voter, other = UserFactory(reputation=10_000), UserFactory(reputation=10_000)
    services.vote_cast(post=answer, user=voter, value=1)
    mine, theirs = Client(), Client()
    mine.force_login(voter)
    theirs.force_login(other)
    pressed = re.compile(rf'id="vote-up-{answer.pk}"[^>]*aria-pressed="true"')
    for _ in range(2):  # the second round is served from the memo
        assert pressed.search(_page(mine, question))
        assert not pressed.search(_page(theirs, question))


def test_a_counted_view_shows_the_new_count(question, answer):
    Post.objects.filter(pk=question.pk).update(view_count=41)
    first = Client(REMOTE_ADDR="203.0.113.1")
    second = Client(REMOTE_ADDR="203.0.113.2")
    assert "42 times" in _page(first, question)
    assert "42 times" in _page(first, question)  # the same viewer: not counted again
    assert "43 times" in _page(second, question)
    in_another_connection(lambda: Post.objects.filter(pk=question.pk).update(view_count=100))
    assert "100 times" in _page(first, question)
