"""Videos in search: a phrase said in a video (its caption text), its title, description or tags
find it; the index follows publication and caption changes; space visibility and flags apply;
`knowhow reindex` rebuilds videos with questions; results show a poster and the duration."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from knowhow.core.tests.factories import QuestionFactory, UserFactory, add_member
from knowhow.moderation.services import post_hide
from knowhow.qa import services as qa
from knowhow.search.backends import get_backend
from knowhow.search.selectors import SearchFilters, search_questions
from knowhow.videos import services as videos
from knowhow.videos.models import Video
from knowhow.videos.signals import video_changed

pytestmark = pytest.mark.django_db

SRT = b"1\n00:00:00,000 --> 00:00:02,000\nFirst open the quarterly ledger reconciliation tool\n"


@pytest.fixture(autouse=True)
def video_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VIDEOS = {
        **settings.VIDEOS,
        "UPLOAD_DIR": tmp_path / "uploads",
        "SPEECH_RECOGNIZER": "",
    }


def published(*, user, space, title="Filing expenses on the phone", description="", tags=()):
    """A video as the worker leaves it once playable (without running ffmpeg here)."""
    session = videos.upload_create(
        user=user, space=space, title=title, length=10, filename="clip.mp4",
        description=description, tags=tags,
    )  # fmt: skip
    Video.objects.filter(pk=session.video_id).update(
        status=Video.Status.READY, is_playable=True, duration_seconds=95.4,
        poster=f"videos/{session.video.key}/hls/poster.jpg", published_at=timezone.now(),
    )  # fmt: skip
    video_changed.send(sender=Video, video_id=session.video_id)
    return Video.objects.get(pk=session.video_id)


def found(text, viewer=None, **filters):
    results = search_questions(viewer=viewer, text=text, filters=SearchFilters(**filters))
    return [hit.video.pk for hit in results.hits if hit.video is not None]


def test_a_phrase_said_in_a_video_finds_it(user, default_space, committed, client):
    video = published(
        user=user, space=default_space, description="Claims in **two** minutes", tags=["howto"]
    )
    assert found("ledger reconciliation") == []
    with committed():
        videos.caption_upload(
            video=video, by=user, language="en", label="English", filename="en.srt", data=SRT
        )
    assert found('"quarterly ledger reconciliation"') == [video.pk]
    assert found("expenses") == [video.pk]  # title
    assert found("minutes") == [video.pk]  # description, as plain text
    hit = search_questions(viewer=None, text="reconciliation").hits[0]
    assert "<mark>reconciliation</mark>" in hit.excerpt_html
    page = client.get(reverse("search:search"), {"q": "reconciliation"}).content.decode()
    assert f'href="{video.post.get_absolute_url()}"' in page
    assert "▶ Video" in page and ">1:35</time>" in page
    assert f'src="{video.poster_url}"' in page
    tagged = client.get(reverse("search:search"), {"q": "reconciliation [howto]"})
    assert 'href="/tags/howto/"' in tagged.content.decode()


def test_replacing_and_removing_captions_keeps_the_index_current(user, default_space, committed):
    video = published(user=user, space=default_space)
    with committed():
        caption = videos.caption_upload(
            video=video, by=user, language="en", label="English", filename="en.srt", data=SRT
        )
    assert found("reconciliation") == [video.pk]
    with committed():
        videos.caption_upload(
            video=video, by=user, language="en", label="English", filename="en.vtt",
            data=b"WEBVTT\n\n00:00.000 --> 00:01.000\nThen submit the pangolin form\n",
        )  # fmt: skip
    assert found("reconciliation") == [] and found("pangolin") == [video.pk]
    caption.refresh_from_db()
    with committed():
        videos.caption_delete(caption=caption, by=user)
    assert found("pangolin") == []


def test_videos_in_a_private_space_are_found_by_its_members_only(private_space, committed):
    maker, member, outsider = UserFactory(), UserFactory(), UserFactory()
    add_member(private_space, maker)
    add_member(private_space, member)
    with committed():
        video = published(user=maker, space=private_space, title="The merger codename walkthrough")
    assert found("merger codename", viewer=member) == [video.pk]
    assert found("merger codename", viewer=outsider) == []
    assert found("merger codename") == []


def test_unpublished_hidden_and_deleted_videos_are_not_found(user, default_space, committed):
    with committed():
        uploading = videos.upload_create(
            user=user, space=default_space, title="Uploading walrus video", length=10
        ).video
        video_changed.send(sender=Video, video_id=uploading.pk)
        hidden = published(user=user, space=default_space, title="Hidden walrus video")
        deleted = published(user=user, space=default_space, title="Deleted walrus video")
        shown = published(user=user, space=default_space, title="Shown walrus video")
    assert found("walrus") != [] and uploading.pk not in found("walrus")
    post_hide(post=hidden.post, reason="spam", actor=None)
    with committed():
        qa.post_delete(post=deleted.post, by=user)
    assert found("walrus") == [shown.pk]
    # A video that becomes playable (the worker publishes its first rendition) is found.
    with committed():
        Video.objects.filter(pk=uploading.pk).update(
            status=Video.Status.PROCESSING, is_playable=True
        )
        video_changed.send(sender=Video, video_id=uploading.pk)
    assert set(found("walrus")) == {shown.pk, uploading.pk}


def test_filters_apply_to_videos(user, default_space, committed):
    with committed():
        video = published(
            user=user, space=default_space, title="Rotating the badger keys", tags=["security"]
        )
        question = QuestionFactory(title="Rotating badger keys by hand", space=default_space)
    both = search_questions(viewer=None, text="badger").hits
    assert {h.question.pk for h in both} == {video.post_id, question.pk}
    assert found("badger", tags=("security",)) == [video.pk]
    assert found("badger", author_id=user.pk) == [video.pk]
    assert found("badger", answered=True) == []


def test_reindex_rebuilds_videos_with_questions(user, default_space, committed):
    with committed():
        video = published(user=user, space=default_space, title="Calibrating the heron scanner")
        QuestionFactory(title="Heron scanner shows stripes", space=default_space)
    get_backend().clear()
    assert search_questions(viewer=None, text="heron").hits == []
    out = io.StringIO()
    call_command("reindex", "--quiet-progress", stdout=out)
    assert "2 indexed" in out.getvalue()
    assert found("heron") == [video.pk]
    assert len(search_questions(viewer=None, text="heron").hits) == 2
    call_command("reindex", "questions", "--quiet-progress", stdout=io.StringIO())
    assert found("heron") == [video.pk]


def test_a_results_page_with_videos_costs_one_more_query(
    user, default_space, committed, django_assert_num_queries
):
    with committed():
        for i in range(3):
            published(user=user, space=default_space, title=f"Osprey tutorial part {i + 1}")
        QuestionFactory(title="Osprey questions", space=default_space)
    # ranked candidates with their filter check (and so the count), page, tags, snippets,
    # videos, their tags; the first time also the index generation (for the ranking cache)
    for queries in (7, 6):
        with django_assert_num_queries(queries):
            results = search_questions(viewer=None, text="osprey")
            assert [t.name for h in results.hits if h.video for t in h.video.tags.all()] == []
            assert len(results.hits) == 4
            assert sum(1 for h in results.hits if h.video is not None) == 3


def test_what_is_said_in_an_answer_video_finds_its_question(user, default_space, committed):
    from knowhow.core.tests.factories import AnswerFactory

    with committed():
        question = QuestionFactory(title="How do I close the month?", space=default_space)
        answer = AnswerFactory(question=question, author=user, body="See the video below.")
        session = videos.upload_create(
            user=user, space=default_space, title="Closing the month", length=10, answer=answer
        )
        Video.objects.filter(pk=session.video_id).update(
            status=Video.Status.READY, is_playable=True
        )
        video = Video.objects.get(pk=session.video_id)
    assert search_questions(viewer=None, text="reconciliation").hits == []
    with committed():
        caption = videos.caption_upload(
            video=video, by=user, language="en", label="English", filename="en.srt", data=SRT
        )
    hits = search_questions(viewer=None, text="ledger reconciliation").hits
    assert [h.question.pk for h in hits] == [question.pk]
    call_command("reindex", "--quiet-progress", stdout=io.StringIO())
    assert [h.question.pk for h in search_questions(viewer=None, text="ledger").hits] == [
        question.pk
    ]
    with committed():
        videos.caption_delete(caption=caption, by=user)
    assert search_questions(viewer=None, text="ledger").hits == []
