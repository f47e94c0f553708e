"""`core.read_memo`: a memoized read is reused while the database is unchanged, and a commit
from another connection is seen from the next request on (SQLite: `PRAGMA data_version` is asked
once per request) or at once (outside a request, and on PostgreSQL always). transaction=True:
inside a transaction the memo is bypassed."""

import threading

import pytest
from django.core.signals import request_finished, request_started
from django.db import connection

from knowhow.accounts.models import User
from knowhow.core import read_memo
from knowhow.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
SQLITE = connection.vendor == "sqlite"


def _commit_elsewhere(pk: int, name: str) -> None:
    def run() -> None:
        try:
            User.objects.filter(pk=pk).update(display_name=name)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()


def _name(pk: int) -> str:
    return read_memo.memoized(("name", pk), lambda: User.objects.get(pk=pk).display_name)


def test_outside_a_request_a_commit_elsewhere_is_seen_at_once():
    person = UserFactory(display_name="Ada")
    assert _name(person.pk) == "Ada"
    _commit_elsewhere(person.pk, "Grace")
    assert _name(person.pk) == "Grace"


def test_an_unchanged_database_serves_the_memo(django_assert_num_queries):
    person = UserFactory(display_name="Ada")
    assert _name(person.pk) == "Ada"
    # SQLite: one PRAGMA; PostgreSQL: one snapshot. Never the read itself.
    with django_assert_num_queries(1) as captured:
        assert _name(person.pk) == "Ada"
    token = "PRAGMA data_version" if SQLITE else "SELECT pg_current_snapshot()::text"
    assert captured.captured_queries[0]["sql"] == token


def test_a_commit_elsewhere_shows_next_request_and_at_once_on_postgresql(
    django_assert_num_queries,
):
    person = UserFactory(display_name="Ada")
    request_started.send(sender=None)
    try:
        assert _name(person.pk) == "Ada"
        _commit_elsewhere(person.pk, "Grace")
        if SQLITE:
            with django_assert_num_queries(0):
                assert _name(person.pk) == "Ada"  # as if read when the request started
        else:
            assert _name(person.pk) == "Grace"  # the snapshot is asked on every call
    finally:
        request_finished.send(sender=None)
    request_started.send(sender=None)
    try:
        assert _name(person.pk) == "Grace"
    finally:
        request_finished.send(sender=None)


def test_in_a_request_its_own_writes_are_seen_at_once():
    person = UserFactory(display_name="Ada")
    request_started.send(sender=None)
    try:
        assert _name(person.pk) == "Ada"
        User.objects.filter(pk=person.pk).update(display_name="Grace")
        assert _name(person.pk) == "Grace"
    finally:
        request_finished.send(sender=None)
