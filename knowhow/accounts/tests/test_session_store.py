"""Sessions revoked by another server process stop working within SESSION_CACHE_MAX_SECONDS.

The embedded default caches per process: another process's revocation deletes the database row
and its own cached copy, never ours. Deleting the row behind this process's back is exactly what
this process sees of it."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client, override_settings
from django.utils import timezone
from freezegun import freeze_time

from knowhow.accounts.session_store import SessionStore
from knowhow.core.tests.factories import UserFactory


def _signed_in(client: Client) -> bool:
    return client.get("/").wsgi_request.user.is_authenticated


def test_a_session_revoked_elsewhere_is_refused_once_the_cached_copy_lapses(db):
    person = UserFactory()
    client = Client()
    client.force_login(person)
    assert _signed_in(client)  # now cached in this process
    Session.objects.all().delete()  # another process revokes it
    later = timezone.now() + timedelta(seconds=6)
    with freeze_time(later):
        assert not _signed_in(client)


@override_settings(SESSION_CACHE_MAX_SECONDS=2)
def test_the_cached_copy_is_kept_no_longer_than_the_cap(db):
    store = SessionStore()
    store["x"] = 1
    store.save(must_create=True)
    cache = caches["default"]
    expires_in = cache._expire_info[cache.make_key(store.cache_key)] - timezone.now().timestamp()
    assert 0 < expires_in <= 2
    # The session itself still lasts as long as configured: only the cached copy is capped.
    assert store.get_expiry_age() > 3600


def test_a_session_used_within_the_cap_needs_no_session_query(db, django_assert_num_queries):
    store = SessionStore()
    store["x"] = 1
    store.save(must_create=True)
    with django_assert_num_queries(0):
        assert SessionStore(store.session_key)["x"] == 1
