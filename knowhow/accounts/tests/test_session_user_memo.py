"""The person behind a session, read once per thread while the database is unchanged
(`accounts.middleware.AuthenticationMiddleware` on `core.read_memo`): any write, on this
connection or another one (another thread here; another process is the same to the database), is
seen on the next request, so deactivation, a password change, SCIM deprovisioning and erasure
take effect at once. These tests commit for real (transaction=True): inside a transaction the
memo is bypassed. The same holds on PostgreSQL (its token is the current snapshot)."""

import pytest
from django.contrib.auth import HASH_SESSION_KEY
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from knowhow.accounts.models import User
from knowhow.core.tests.factories import UserFactory
from knowhow.core.tests.threads import in_another_connection
from knowhow.privacy.services import person_erase
from knowhow.provisioning.services import UserAttributes, scim_user_update

pytestmark = pytest.mark.django_db(transaction=True)


def _user(client: Client):
    """The person the site sees on a request (forced, so the lazy object is read)."""
    user = client.get("/ping").wsgi_request.user
    return user if user.is_authenticated else None


def _person_reads(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        _user(client)
    return sum('FROM "accounts_user"' in q["sql"] for q in ctx.captured_queries)


@pytest.fixture
def person():
    return UserFactory(display_name="Ada")


@pytest.fixture
def signed_in(person):
    client = Client()
    client.force_login(person)
    _user(client)
    return client


def test_a_repeat_request_reads_no_person(signed_in, person):
    assert _user(signed_in).pk == person.pk
    assert _person_reads(signed_in) == 0


def test_each_request_gets_its_own_copy(signed_in):
    first = _user(signed_in)
    first.display_name = "changed in one request only"
    second = _user(signed_in)
    assert second is not first
    assert second.display_name == "Ada"


@pytest.mark.parametrize("elsewhere", [False, True], ids=["here", "elsewhere"])
def test_deactivation_signs_the_person_out_at_once(signed_in, person, elsewhere):
    def deactivate():
        User.objects.filter(pk=person.pk).update(is_active=False)

    in_another_connection(deactivate) if elsewhere else deactivate()
    assert _user(signed_in) is None


@pytest.mark.parametrize("elsewhere", [False, True], ids=["here", "elsewhere"])
def test_a_password_change_signs_the_session_out_at_once(signed_in, person, elsewhere):
    def change_password():
        user = User.objects.get(pk=person.pk)
        user.set_password("a new one entirely")
        user.save()

    in_another_connection(change_password) if elsewhere else change_password()
    assert _user(signed_in) is None


def test_a_rename_elsewhere_shows_on_the_next_request(signed_in, person):
    in_another_connection(
        lambda: User.objects.filter(pk=person.pk).update(display_name="Ada Lovelace")
    )
    assert _user(signed_in).display_name == "Ada Lovelace"


def test_scim_deprovisioning_elsewhere_signs_the_person_out_at_once(signed_in, person):
    def deprovision():
        scim_user_update(user=User.objects.get(pk=person.pk), attrs=UserAttributes(active=False))

    in_another_connection(deprovision)
    assert _user(signed_in) is None


def test_erasure_elsewhere_signs_the_person_out_at_once(signed_in, person):
    in_another_connection(lambda: person_erase(user=User.objects.get(pk=person.pk), by=None))
    assert _user(signed_in) is None


def test_a_session_with_a_wrong_hash_is_refused_and_flushed(person):
    client = Client()
    client.force_login(person)
    session = client.session
    session[HASH_SESSION_KEY] = "0" * 64
    session.save()
    assert _user(client) is None
    assert _user(client) is None  # not memoized as anyone


def test_a_session_signed_with_a_fallback_secret_is_rekeyed_not_kept(person, settings):
    client = Client()
    with override_settings(SECRET_KEY="the old secret key, rotated out"):
        client.force_login(person)
        old_key = client.session.session_key
    settings.SECRET_KEY_FALLBACKS = ["the old secret key, rotated out"]
    assert _user(client).pk == person.pk
    assert client.session.session_key != old_key  # cycled, as Django does
    assert client.session[HASH_SESSION_KEY] == person.get_session_auth_hash()
    assert _user(client).pk == person.pk


def test_a_session_signed_with_a_retired_secret_is_refused(person, settings):
    client = Client()
    with override_settings(SECRET_KEY="a secret key nobody keeps any more"):
        client.force_login(person)
    assert _user(client) is None
