"""Search events written by the process's writer instead of by each search request.

The writer thread waits DEFER_SECONDS between batches; these tests set an hour, so that only
their own `flush()` writes (in the test's transaction), and check what it writes.
"""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from knowhow.analytics import rollups
from knowhow.analytics.models import Event, EventKind, SearchTermDaily
from knowhow.analytics.services import (
    PendingEvent,
    buffer_flush,
    buffer_start,
    deferred_events,
    event_record,
)
from knowhow.search.services import question_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def deferred(settings):
    settings.ANALYTICS = {**settings.ANALYTICS, "DEFER_SECONDS": 3600}
    deferred_events.flush()
    yield deferred_events
    with deferred_events._lock:  # nothing left for the thread to write into another test
        deferred_events._held.clear()


def test_a_search_request_writes_no_event_and_the_writer_writes_it(
    client, user, question, deferred, django_capture_on_commit_callbacks
):
    question_index(question_ids=[question.pk])
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/search/?q=export+report")  # renders and caches the page
        client.get("/search/?q=export+report")  # the cached page
        client.get("/search/?q=nothing+matches+this+zzzq")
    assert not Event.objects.exists() and deferred.held() == 3
    before = timezone.now()
    assert deferred.flush() == 3 and deferred.held() == 0
    searches = list(Event.objects.filter(kind=EventKind.SEARCH).order_by("id"))
    assert [(e.meta["q"], e.value, e.actor_id) for e in searches] == [
        ("export report", 1, user.pk),
        ("export report", 1, user.pk),
        ("nothing matches this zzzq", 0, user.pk),
    ]
    # The time they occurred at, not the time they were written; the person's department.
    assert all(e.occurred_at <= before and e.department == user.department for e in searches)


def test_anonymous_searches_are_deferred_too(
    client, question, deferred, django_capture_on_commit_callbacks
):
    question_index(question_ids=[question.pk])
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):  # the second is answered by the early page middleware
            client.get("/search/?q=export+report")
    assert deferred.held() == 2 and not Event.objects.exists()
    deferred.flush()
    assert list(Event.objects.values_list("actor_id", "value")) == [(None, 1), (None, 1)]


def test_a_requests_buffer_writes_other_kinds_and_hands_searches_over(user, deferred):
    buffer_start()
    event_record(PendingEvent(kind=EventKind.SEARCH, actor_id=user.pk, value=3, meta={"q": "a"}))
    event_record(PendingEvent(kind=EventKind.BADGE_AWARDED, actor_id=user.pk))
    with CaptureQueriesContext(connection) as ctx:
        assert buffer_flush(known_user=user) == 2
    inserts = [q["sql"] for q in ctx.captured_queries if "analytics_event" in q["sql"]]
    assert len(inserts) == 1 and list(Event.objects.values_list("kind", flat=True)) == [
        EventKind.BADGE_AWARDED
    ]
    assert deferred.held() == 1
    deferred.flush()
    assert Event.objects.filter(kind=EventKind.SEARCH, actor=user, value=3).exists()


def test_other_kinds_are_written_by_the_request(user, deferred):
    event_record(PendingEvent(kind=EventKind.BADGE_AWARDED, actor_id=user.pk))
    assert Event.objects.filter(kind=EventKind.BADGE_AWARDED).count() == 1
    assert deferred.held() == 0


def test_with_no_delay_search_events_are_written_at_once(user):
    event_record(PendingEvent(kind=EventKind.SEARCH, actor_id=user.pk, value=0, meta={"q": "x"}))
    assert Event.objects.filter(kind=EventKind.SEARCH).count() == 1
    assert deferred_events.held() == 0


def test_a_failed_write_keeps_the_events_for_the_next_batch(user, deferred):
    event_record(PendingEvent(kind=EventKind.SEARCH, actor_id=user.pk, value=0, meta={"q": "a"}))
    with mock.patch("knowhow.analytics.services._write", side_effect=RuntimeError("locked")):
        assert deferred.flush() == 0
    assert deferred.held() == 1 and not Event.objects.exists()
    assert deferred.flush() == 1
    assert Event.objects.get().meta == {"q": "a"}


def test_a_write_failing_after_a_first_batch_keeps_only_the_unwritten_events(user, deferred):
    """Held events are written MAX_BATCH at a time, each batch committed on its own: when a
    later batch fails, the earlier one is not kept (it would be written twice)."""
    from knowhow.analytics import services

    for n in range(3):
        event_record(
            PendingEvent(kind=EventKind.SEARCH, actor_id=user.pk, value=n, meta={"q": f"q{n}"})
        )
    real_write = services._write
    calls: list[int] = []

    def write_then_fail(events, known_user=None):
        calls.append(len(events))
        if len(calls) > 1:
            raise RuntimeError("locked")
        real_write(events, known_user=known_user)

    with (
        mock.patch.object(services.DeferredEvents, "MAX_BATCH", 2),
        mock.patch("knowhow.analytics.services._write", side_effect=write_then_fail),
    ):
        assert deferred.flush() == 2
    assert calls == [2, 1] and deferred.held() == 1
    assert deferred.flush() == 1
    assert sorted(Event.objects.values_list("value", flat=True)) == [0, 1, 2]


def test_a_late_written_search_is_counted_by_the_rollup(user, deferred):
    """The knowledge-gap table: an event written after its day's rollup is counted by the next
    one (the rollups re-read the last days)."""
    yesterday = timezone.now() - timedelta(days=1)
    event_record(
        PendingEvent(
            kind=EventKind.SEARCH,
            actor_id=user.pk,
            value=0,
            meta={"q": "vpn setup"},
            occurred_at=yesterday,
        )
    )
    rollups.rollup_recent(days=2)
    assert not SearchTermDaily.objects.exists()
    deferred.flush()
    rollups.rollup_recent(days=2)
    row = SearchTermDaily.objects.get()
    assert (row.searches, row.zero_results, row.day) == (1, 1, timezone.localdate(yesterday))


def test_the_writer_thread_writes_a_full_batch_without_waiting(user, deferred, monkeypatch):
    written = []
    monkeypatch.setattr(
        "knowhow.analytics.services._write", lambda events, known_user=None: written.extend(events)
    )
    monkeypatch.setattr(deferred, "MAX_BATCH", 3)
    deferred.add([PendingEvent(kind=EventKind.SEARCH, actor_id=None, value=i) for i in range(3)])
    for _ in range(500):  # the thread wakes at once; allow it a few seconds on a busy machine
        if written:
            break
        time.sleep(0.01)
    assert [e.value for e in written] == [0, 1, 2] and deferred.held() == 0
