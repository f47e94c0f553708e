"""The signed-in person is reused while the database is unchanged (SQLite, `core/read_memo.py`),
and read again, with Django's checks, after any change made by this connection or another
(a thread here; another process is the same to SQLite). These tests commit for real
(transaction=True): inside a transaction the memo is bypassed."""

import threading

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from knowhow.accounts.middleware import AuthenticationMiddleware
from knowhow.accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def _elsewhere(write) -> None:
    """Run a write in a thread, which has its own database connection."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            write()
        except BaseException as error:  # noqa: BLE001  (re-raised in the test's thread)
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def _signed_in(client: Client) -> bool:
    response = client.get(reverse("accounts:profile"))
    return response.status_code == 200


@pytest.fixture
def signed_in_client(user):
    client = Client()
    client.force_login(user)
    assert _signed_in(client) and _signed_in(client)  # the second from the memo
    return client


def test_an_unchanged_person_is_not_read_again(signed_in_client, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:  # the check that nothing changed
        response = signed_in_client.get("/ping")
    assert response.status_code == 200
    if connection.vendor == "sqlite":
        assert captured.captured_queries[0]["sql"] == "PRAGMA data_version"


@pytest.mark.parametrize("where", ["this connection", "another connection"])
def test_a_deactivated_person_is_signed_out_on_the_next_request(signed_in_client, user, where):
    def deactivate() -> None:
        User.objects.filter(pk=user.pk).update(is_active=False)

    deactivate() if where == "this connection" else _elsewhere(deactivate)
    assert not _signed_in(signed_in_client)


@pytest.mark.parametrize("where", ["this connection", "another connection"])
def test_a_password_changed_elsewhere_ends_the_session(signed_in_client, user, where):
    def change() -> None:
        person = User.objects.get(pk=user.pk)
        person.set_password("a completely new passphrase 42")
        person.save(update_fields=["password"])

    change() if where == "this connection" else _elsewhere(change)
    assert not _signed_in(signed_in_client)


def test_a_renamed_person_shows_their_new_name(signed_in_client, user):
    _elsewhere(lambda: User.objects.filter(pk=user.pk).update(display_name="Someone Else"))
    assert "Someone Else" in signed_in_client.get(reverse("qa:home")).content.decode()


def test_each_request_gets_its_own_copy_of_the_person(user):
    client = Client()
    client.force_login(user)
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    seen = []
    for _ in range(2):
        request = RequestFactory().get("/")
        request.COOKIES = cookies
        SessionMiddleware(lambda r: None).process_request(request)
        AuthenticationMiddleware(lambda r: None).process_request(request)
        assert request.user.pk == user.pk
        assert not hasattr(request.user, "scribble")
        request.user.scribble = "set by a view"
        seen.append(request.user._wrapped)
    assert seen[0] is not seen[1]
