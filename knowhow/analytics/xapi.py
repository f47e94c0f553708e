"""Learning records as xAPI 1.0.3 statements, and their delivery to the organisation's LRS.

Statements are built with the `tincan` library, queued in the XapiStatement outbox when the
activity happens, and sent in batches by a periodic task. A failing LRS only delays delivery:
each failed batch is retried with exponential backoff and nothing is dropped.
"""

import base64
import json
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from tincan import (
    Activity,
    ActivityDefinition,
    Agent,
    AgentAccount,
    Context,
    ContextActivities,
    LanguageMap,
    Result,
    Statement,
    Verb,
)

from knowhow.accounts.models import User

XAPI_VERSION = "1.0.3"

VERBS: dict[str, tuple[str, str]] = {
    "question_asked": ("http://adlnet.gov/expapi/verbs/asked", "asked"),
    "answer_posted": ("http://adlnet.gov/expapi/verbs/answered", "answered"),
    "comment_added": ("http://adlnet.gov/expapi/verbs/commented", "commented"),
    "video_progress": ("http://activitystrea.ms/schema/1.0/watch", "watched"),
    "path_enrolled": ("http://adlnet.gov/expapi/verbs/registered", "registered"),
    "path_completed": ("http://adlnet.gov/expapi/verbs/completed", "completed"),
    "badge_awarded": ("http://id.tincanapi.com/verb/earned", "earned"),
}
ACTIVITY_TYPES = {
    "question": "http://adlnet.gov/expapi/activities/question",
    "video": "https://w3id.org/xapi/video/activity-type/video",
    "path": "http://adlnet.gov/expapi/activities/course",
    "badge": "http://activitystrea.ms/schema/1.0/badge",
    "space": "http://id.tincanapi.com/activitytype/community-site",
}
PROGRESS_EXTENSION = "https://w3id.org/xapi/video/extensions/progress"


def xapi_settings() -> dict[str, Any]:
    defaults = {
        "ENDPOINT": "",
        "KEY": "",
        "SECRET": "",
        "ACTOR": "email",
        "BATCH_SIZE": 50,
        "TIMEOUT": 10,
    }
    return {**defaults, **getattr(settings, "XAPI", {})}


def enabled() -> bool:
    return bool(xapi_settings()["ENDPOINT"])


def activity_id(kind: str, pk: int | str) -> str:
    """Stable IRIs: the public URL of the thing, so that records survive exports and moves."""
    base = settings.SITE_URL.rstrip("/")
    paths = {
        "question": "questions",
        "video": "videos",
        "path": "paths",
        "badge": "badges",
        "space": "spaces",
    }
    return f"{base}/{paths[kind]}/{pk}"


def _actor(user: User) -> Agent:
    if xapi_settings()["ACTOR"] == "account" or not user.email:
        return Agent(
            account=AgentAccount(home_page=settings.SITE_URL.rstrip("/"), name=str(user.pk))
        )
    return Agent(mbox=f"mailto:{user.email}", name=user.username)


def _object_for(event: Any) -> tuple[str, int | str] | None:
    kind = event.kind
    if kind in {"question_asked", "answer_posted", "comment_added"}:
        target = event.question_id or event.post_id
        return ("question", target) if target else None
    keys = {
        "video_progress": "video_id",
        "path_enrolled": "path_id",
        "path_completed": "path_id",
        "badge_awarded": "badge",
    }
    kinds = {
        "video_progress": "video",
        "path_enrolled": "path",
        "path_completed": "path",
        "badge_awarded": "badge",
    }
    if kind not in keys:
        return None
    target = event.meta.get(keys[kind])
    if target is None and kind == "video_progress":
        target = event.post_id
    return (kinds[kind], target) if target not in (None, "") else None


def statement_for(*, event: Any, actor: User) -> dict[str, Any] | None:
    """The xAPI statement for an event, or None for events that are not learning records."""
    if event.kind not in VERBS:
        return None
    target = _object_for(event)
    if target is None:
        return None
    verb_id, verb_name = VERBS[event.kind]
    object_kind, object_pk = target
    name = event.meta.get("title") or f"{object_kind} {object_pk}"
    statement = Statement(
        id=uuid.uuid4(),
        actor=_actor(actor),
        verb=Verb(id=verb_id, display=LanguageMap({"en-US": verb_name})),
        object=Activity(
            id=activity_id(object_kind, object_pk),
            definition=ActivityDefinition(
                type=ACTIVITY_TYPES[object_kind], name=LanguageMap({"en-US": str(name)[:200]})
            ),
        ),
        timestamp=event.occurred_at,
    )
    context = Context(platform="Knowhow", language="en-US")
    if event.space_id:
        context.context_activities = ContextActivities(
            grouping=[Activity(id=activity_id("space", event.space_id))]
        )
    statement.context = context
    if event.kind == "video_progress" and event.value is not None:
        progress = max(0.0, min(1.0, float(event.value)))
        statement.result = Result(
            completion=progress >= 0.9, extensions={PROGRESS_EXTENSION: round(progress, 3)}
        )
    if event.kind == "path_completed":
        statement.result = Result(completion=True)
    data = json.loads(statement.to_json(XAPI_VERSION))
    data.pop("version", None)  # the LRS assigns the version; clients send it in the header
    return data


class LrsError(Exception):
    pass


def send_batch(statements: list[dict[str, Any]]) -> None:
    """POST a batch to the LRS's statements resource. Raises LrsError on any failure."""
    conf = xapi_settings()
    url = conf["ENDPOINT"].rstrip("/") + "/statements"
    credentials = base64.b64encode(f"{conf['KEY']}:{conf['SECRET']}".encode()).decode()
    request = urllib.request.Request(
        url,
        data=json.dumps(statements).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Experience-API-Version": XAPI_VERSION,
            "Authorization": f"Basic {credentials}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=conf["TIMEOUT"]) as response:  # noqa: S310 (configured LRS)
            if not 200 <= response.status < 300:
                raise LrsError(f"LRS answered {response.status}")
    except urllib.error.HTTPError as exc:
        raise LrsError(
            f"LRS answered {exc.code}: {exc.read(200).decode(errors='replace')}"
        ) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise LrsError(f"LRS unreachable: {exc}") from exc


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def flush(*, now: Any = None, max_batches: int = 20) -> dict[str, int]:
    """Send due statements in batches; stop at the first failure (the LRS is down)."""
    from knowhow.analytics.models import XapiStatement

    if not enabled():
        return {"sent": 0, "failed": 0}
    now = now or timezone.now()
    size = xapi_settings()["BATCH_SIZE"]
    sent = failed = 0
    for _ in range(max_batches):
        batch = list(
            XapiStatement.objects.filter(
                status=XapiStatement.Status.PENDING, next_attempt_at__lte=now
            ).order_by("created_at")[:size]
        )
        if not batch:
            break
        ids = [s.id for s in batch]
        # Lease the batch so that a second worker does not send it at the same time.
        XapiStatement.objects.filter(pk__in=ids).update(next_attempt_at=now + timedelta(minutes=5))
        try:
            send_batch([s.statement for s in batch])
        except LrsError as exc:
            for s in batch:
                s.attempts += 1
                s.next_attempt_at = now + backoff(s.attempts)
                s.last_error = str(exc)[:500]
            XapiStatement.objects.bulk_update(batch, ["attempts", "next_attempt_at", "last_error"])
            failed += len(batch)
            break
        XapiStatement.objects.filter(pk__in=ids).update(
            status=XapiStatement.Status.SENT, sent_at=timezone.now(), last_error=""
        )
        sent += len(batch)
    return {"sent": sent, "failed": failed}
