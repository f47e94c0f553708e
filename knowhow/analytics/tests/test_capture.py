"""Activity from every capability reaches analytics: searches, flags, badges, paths, video plays."""

import uuid

import pytest

from knowhow.analytics.models import Event, EventKind
from knowhow.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _kinds():
    return list(Event.objects.order_by("id").values_list("kind", flat=True))


def test_searches_are_recorded_with_their_result_counts(
    client, user, question, django_capture_on_commit_callbacks
):
    from knowhow.search.services import question_index

    question_index(question_ids=[question.pk])
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/search/?q=nothing+matches+this+zzzq")
        client.get("/search/?q=export+report")
    searches = Event.objects.filter(kind=EventKind.SEARCH).order_by("id")
    assert [(e.meta["q"], e.value) for e in searches] == [
        ("nothing matches this zzzq", 0),
        ("export report", 1),
    ]


def test_a_badge_is_recorded(user, django_capture_on_commit_callbacks):
    from knowhow.reputation.badges import badge_award

    with django_capture_on_commit_callbacks(execute=True):
        badge_award(user=user, slug="first-question")
    event = Event.objects.get(kind=EventKind.BADGE_AWARDED)
    assert event.actor_id == user.pk and event.meta["badge"] == "first-question"


def test_a_flag_is_recorded(question, django_capture_on_commit_callbacks):
    from knowhow.moderation.services import flag_create

    flagger = UserFactory(reputation=500)
    with django_capture_on_commit_callbacks(execute=True):
        flag_create(flagger=flagger, post=question, reason="spam")
    assert Event.objects.get(kind=EventKind.FLAG_RAISED).post_id == question.pk


def test_path_enrolment_and_completion_are_recorded(
    default_space, staff, question, django_capture_on_commit_callbacks
):
    from knowhow.curation import services as curation

    learner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        path = curation.collection_create(
            by=staff, space=default_space, title="Analyst path", is_path=True
        )
        item = curation.collection_item_add(collection=path, by=staff, target=question)
        curation.path_enrol(collection=path, user=learner)
        curation.path_mark_done(item=item, user=learner)
    assert [k for k in _kinds() if k.startswith("path_")] == ["path_enrolled", "path_completed"]
    assert Event.objects.get(kind=EventKind.PATH_COMPLETED).meta["path_id"] == path.pk


def test_video_plays_and_progress_are_recorded(
    user, default_space, django_capture_on_commit_callbacks
):
    from knowhow.videos.models import Video
    from knowhow.videos.services import play_events_record

    video = Video.objects.create(
        uploader=user, space=default_space, title="How to file expenses", duration_seconds=100
    )
    session = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        play_events_record(
            video=video,
            viewer=user,
            viewer_key="u1",
            session_id=session,
            events=[{"t": 0, "u": 30}],
        )
        play_events_record(
            video=video,
            viewer=user,
            viewer_key="u1",
            session_id=session,
            events=[{"t": 30, "u": 100}],
        )
    assert _kinds() == ["video_played", "video_progress", "video_progress"]
    assert Event.objects.filter(kind=EventKind.VIDEO_PROGRESS).last().value == 1.0
