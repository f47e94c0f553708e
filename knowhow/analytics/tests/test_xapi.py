"""Learning records: valid xAPI 1.0.3 statements, queued and delivered to a real local LRS."""

import base64
import json
import threading
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from tincan import Statement

from knowhow.analytics import xapi
from knowhow.analytics.models import XapiStatement
from knowhow.analytics.services import PendingEvent, event_record
from knowhow.core.tests.factories import AnswerFactory, QuestionFactory

pytestmark = pytest.mark.django_db


class LocalLrs:
    """A small HTTP server that behaves like an LRS's statements resource."""

    def __init__(self, *, key="lrs-key", secret="lrs-secret"):
        self.received: list[dict] = []
        self.requests = 0
        self.failing = False
        expected = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                lrs.requests += 1
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if lrs.failing:
                    return self._reply(503, {"error": "down for maintenance"})
                if self.path != "/xapi/statements":
                    return self._reply(404, {"error": "not found"})
                if self.headers.get("X-Experience-API-Version") != "1.0.3":
                    return self._reply(400, {"error": "missing version header"})
                if self.headers.get("Authorization") != expected:
                    return self._reply(401, {"error": "bad credentials"})
                statements = json.loads(body)
                lrs.received.extend(statements)
                return self._reply(200, [s["id"] for s in statements])

            def _reply(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/xapi"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def lrs(settings):
    server = LocalLrs()
    settings.XAPI = {
        **settings.XAPI,
        "ENDPOINT": server.url,
        "KEY": "lrs-key",
        "SECRET": "lrs-secret",
        "BATCH_SIZE": 3,
    }
    settings.SITE_URL = "https://knowhow.example.com"
    yield server
    server.close()


def _check_against_spec(statement: dict) -> None:
    """What xAPI 1.0.3 requires of a statement, checked by parsing it with the tincan library
    and by the rules the library leaves to us."""
    parsed = Statement.from_json(json.dumps(statement))
    assert str(parsed.id) == statement["id"] and uuid.UUID(statement["id"]).version == 4
    actor = statement["actor"]
    assert actor["objectType"] == "Agent"
    assert actor.get("mbox", "").startswith("mailto:") or {"homePage", "name"} <= set(
        actor.get("account", {})
    )
    assert (
        statement["verb"]["id"].startswith(("http://", "https://"))
        and statement["verb"]["display"]["en-US"]
    )
    assert statement["object"]["objectType"] == "Activity"
    assert statement["object"]["id"].startswith("https://knowhow.example.com/")
    timezone.datetime.fromisoformat(statement["timestamp"].replace("Z", "+00:00"))


def test_activity_becomes_spec_conformant_statements(
    lrs, user, other_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        q = QuestionFactory(author=user, tags=["excel"])
        AnswerFactory(question=q, author=other_user)
    event_record(
        PendingEvent(
            kind="badge_awarded", actor_id=user.pk, meta={"badge": "teacher", "title": "Teacher"}
        )
    )
    event_record(
        PendingEvent(kind="video_progress", actor_id=user.pk, value=0.95, meta={"video_id": 3})
    )
    event_record(PendingEvent(kind="path_completed", actor_id=user.pk, meta={"path_id": 9}))
    statements = [s.statement for s in XapiStatement.objects.order_by("created_at")]
    verbs = [s["verb"]["display"]["en-US"] for s in statements]
    # First question and first answer badges are earned on the way, as well as "teacher".
    assert set(verbs) == {"asked", "answered", "earned", "watched", "completed"}
    assert verbs.count("asked") == verbs.count("answered") == 1
    for s in statements:
        _check_against_spec(s)
    asked = next(s for s in statements if s["verb"]["display"]["en-US"] == "asked")
    assert asked["object"]["id"] == f"https://knowhow.example.com/questions/{q.pk}"
    assert asked["actor"]["mbox"] == f"mailto:{user.email}"
    watched = next(s for s in statements if s["verb"]["display"]["en-US"] == "watched")
    assert watched["result"]["completion"] is True
    assert watched["result"]["extensions"][xapi.PROGRESS_EXTENSION] == 0.95


def test_actors_can_be_identified_by_account(lrs, settings, user):
    settings.XAPI = {**settings.XAPI, "ACTOR": "account"}
    event_record(PendingEvent(kind="path_completed", actor_id=user.pk, meta={"path_id": 1}))
    actor = XapiStatement.objects.get().statement["actor"]
    assert "mbox" not in actor and actor["account"] == {
        "homePage": "https://knowhow.example.com",
        "name": str(user.pk),
    }


def test_statements_are_sent_in_batches(lrs, user):
    for i in range(7):
        event_record(PendingEvent(kind="path_completed", actor_id=user.pk, meta={"path_id": i}))
    assert xapi.flush() == {"sent": 7, "failed": 0}
    assert lrs.requests == 3  # batches of 3, 3 and 1
    assert len(lrs.received) == 7
    assert not XapiStatement.objects.filter(status=XapiStatement.Status.PENDING).exists()


def test_a_down_lrs_loses_nothing_and_recovers(lrs, user):
    for i in range(4):
        event_record(PendingEvent(kind="path_completed", actor_id=user.pk, meta={"path_id": i}))
    lrs.failing = True
    now = timezone.now()
    assert xapi.flush(now=now) == {"sent": 0, "failed": 3}
    pending = XapiStatement.objects.filter(status=XapiStatement.Status.PENDING)
    assert pending.count() == 4
    failed = pending.filter(attempts=1).first()
    assert "503" in failed.last_error and failed.next_attempt_at >= now + timedelta(seconds=30)
    # Not due yet: nothing is sent, the LRS is not hammered.
    assert xapi.flush(now=now + timedelta(seconds=1))["sent"] <= 1
    lrs.failing = False
    assert xapi.flush(now=now + timedelta(minutes=10))["sent"] >= 3
    xapi.flush(now=now + timedelta(minutes=20))
    assert len({s["id"] for s in lrs.received}) == 4
    assert not XapiStatement.objects.filter(status=XapiStatement.Status.PENDING).exists()


def test_an_unreachable_lrs_is_retried_with_growing_backoff(settings, user):
    settings.XAPI = {**settings.XAPI, "ENDPOINT": "http://127.0.0.1:9/xapi", "TIMEOUT": 2}
    event_record(PendingEvent(kind="path_completed", actor_id=user.pk, meta={"path_id": 1}))
    now = timezone.now()
    for attempt in range(1, 4):
        xapi.flush(now=now + timedelta(days=attempt))
        s = XapiStatement.objects.get()
        assert s.attempts == attempt and "unreachable" in s.last_error
    assert xapi.backoff(1) < xapi.backoff(2) < xapi.backoff(3) <= timedelta(hours=1)
    assert xapi.backoff(20) == timedelta(hours=1)


def test_without_an_lrs_nothing_is_queued(settings, user):
    settings.XAPI = {**settings.XAPI, "ENDPOINT": ""}
    event_record(PendingEvent(kind="path_completed", actor_id=user.pk, meta={"path_id": 1}))
    assert not XapiStatement.objects.exists()
    assert xapi.flush() == {"sent": 0, "failed": 0}


def test_page_views_and_votes_are_not_learning_records(lrs, user):
    event_record(PendingEvent(kind="question_viewed", actor_id=user.pk, question_id=1))
    event_record(PendingEvent(kind="vote_cast", actor_id=user.pk, post_id=1, value=1))
    assert not XapiStatement.objects.exists()
