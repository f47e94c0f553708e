"""`core.read_memo`: a memoized read is reused while the database is unchanged, `PRAGMA
data_version` is asked once per request, and a commit from another connection is seen from the
next request on (at once outside a request). transaction=True: inside a transaction the memo is
bypassed."""

import threading

import pytest
from django.core.signals import request_finished, request_started
from django.db import connection

from knowhow.accounts.models import User
from knowhow.core import read_memo
from knowhow.core.tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the memo is SQLite's"),
]


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


def test_in_a_request_the_version_is_asked_once_and_a_commit_elsewhere_shows_next_request(
    django_assert_num_queries,
):
    person = UserFactory(display_name="Ada")
    request_started.send(sender=None)
    try:
        assert _name(person.pk) == "Ada"
        _commit_elsewhere(person.pk, "Grace")
        with django_assert_num_queries(0):
            assert _name(person.pk) == "Ada"  # as if read when the request started
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
