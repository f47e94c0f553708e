"""Pages, media serving (permissions, ranges, caching), status polling, captions and measures."""

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from knowhow.core.tests.factories import add_member
from knowhow.videos import selectors
from knowhow.videos.models import PlaySession, Video
from knowhow.videos.tests.factories import video_from_clip

pytestmark = pytest.mark.django_db

SRT = b"""1
00:00:00,000 --> 00:00:01,000
Open the <i>expenses</i> form

2
00:00:01,000 --> 00:00:02,000
and attach the receipt photo
"""


@pytest.fixture
def ready_video(user, clips, django_capture_on_commit_callbacks) -> Video:
    return video_from_clip(
        clips["landscape"], user=user, capture=django_capture_on_commit_callbacks
    )


@pytest.fixture
def private_video(user, private_space, clips, django_capture_on_commit_callbacks) -> Video:
    add_member(private_space, user)
    return video_from_clip(
        clips["landscape"],
        user=user,
        space=private_space,
        capture=django_capture_on_commit_callbacks,
    )


def test_the_video_page_has_the_player_with_hls_mp4_and_sprite(client, ready_video):
    response = client.get(f"/videos/{ready_video.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-hls="/videos/{ready_video.pk}/media/hls/master.m3u8"' in html
    assert f'data-mp4="/videos/{ready_video.pk}/media/download.mp4"' in html
    assert "hls.js-1.6.19.min.js" in html and "data-speed" in html


def test_the_list_and_the_makers_page_show_ready_videos_only(
    client, ready_video, user, default_space
):
    from knowhow.videos.services import upload_create

    upload_create(user=user, space=default_space, title="Still uploading this", length=100)
    html = client.get("/videos/").content.decode()
    assert ready_video.title in html and "Still uploading this" not in html
    assert ready_video.title in client.get(f"/videos/by/{user.pk}/").content.decode()


def test_the_upload_page_needs_login(logged_in_client):
    assert Client().get("/videos/upload/").status_code == 302
    html = logged_in_client.get("/videos/upload/").content.decode()
    assert "tus-js-client-4.3.1.min.js" in html and 'id="upload-progress"' in html


def test_media_supports_byte_ranges_and_cache_headers(client, ready_video):
    url = f"/videos/{ready_video.pk}/media/download.mp4"
    full = client.get(url)
    body = b"".join(full.streaming_content)
    assert full.status_code == 200 and full["Accept-Ranges"] == "bytes"
    assert full["Cache-Control"] == "private, max-age=86400"
    assert full["Content-Type"] == "video/mp4" and "attachment" in full["Content-Disposition"]
    part = client.get(url, HTTP_RANGE="bytes=10-19")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 10-19/{len(body)}"
    assert b"".join(part.streaming_content) == body[10:20]
    suffix = client.get(url, HTTP_RANGE="bytes=-5")
    assert b"".join(suffix.streaming_content) == body[-5:]
    assert client.get(url, HTTP_RANGE=f"bytes={len(body)}-").status_code == 416
    assert client.get(url, HTTP_RANGE="pages=1-2").status_code == 416
    master = client.get(f"/videos/{ready_video.pk}/media/hls/master.m3u8")
    assert master["Content-Type"] == "application/vnd.apple.mpegurl"
    assert master["Cache-Control"] == "private, no-cache"


def test_media_never_serves_the_original_or_other_paths(client, ready_video):
    for name in [
        "original.mp4",
        "../../secret_key",
        "hls/../original.mp4",
        "hls/r180/../../original.mp4",
    ]:
        assert client.get(f"/videos/{ready_video.pk}/media/{name}").status_code == 404


def test_private_space_videos_are_served_only_to_members(client, other_user, user, private_video):
    urls = [
        f"/videos/{private_video.pk}/",
        f"/videos/{private_video.pk}/media/hls/master.m3u8",
        f"/videos/{private_video.pk}/media/hls/r180/seg_0000.ts",
        f"/videos/{private_video.pk}/media/download.mp4",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(other_user)
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert private_video.title not in client.get("/videos/").content.decode()
    client.force_login(user)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_a_segment_request_costs_few_queries(client, ready_video, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(f"/videos/{ready_video.pk}/media/hls/r180/seg_0000.ts")
    assert response.status_code == 200


def test_status_polling_reports_progress_then_stops(
    logged_in_client, ready_video, user, default_space
):
    response = logged_in_client.get(f"/videos/{ready_video.pk}/status/", HTTP_HX_REQUEST="true")
    assert response.status_code == 286  # htmx: stop polling
    data = logged_in_client.get(f"/videos/{ready_video.pk}/status/?format=json").json()
    assert data["status"] == "ready" and data["progress"] == 100 and data["renditions"] == [180]


def test_a_rejected_video_shows_its_reason_to_the_uploader(
    logged_in_client, user, clips, django_capture_on_commit_callbacks
):
    video = video_from_clip(clips["text"], user=user, capture=django_capture_on_commit_callbacks)
    html = logged_in_client.get(f"/videos/{video.pk}/").content.decode()
    assert "This file cannot be used" in html and "not a video file" in html
    # Nobody else sees an unpublished video.
    assert Client().get(f"/videos/{video.pk}/").status_code == 404


def test_captions_upload_as_srt_is_converted_and_searchable(logged_in_client, ready_video, client):
    response = logged_in_client.post(
        f"/videos/{ready_video.pk}/captions/",
        {"language": "en", "label": "English", "file": SimpleUploadedFile("subs.srt", SRT)},
    )
    assert response.status_code == 302
    vtt = client.get(f"/videos/{ready_video.pk}/media/captions/en.vtt")
    text = b"".join(vtt.streaming_content).decode()
    assert text.startswith("WEBVTT") and "00:00:01.000 --> 00:00:02.000" in text
    assert vtt["Content-Type"] == "text/vtt; charset=utf-8"
    assert 'srclang="en"' in client.get(f"/videos/{ready_video.pk}/").content.decode()
    # A phrase said in the video finds it.
    assert list(selectors.video_search(viewer=None, query="receipt photo")) == [ready_video]
    (doc,) = selectors.video_search_documents(post_ids=[ready_video.post_id])
    assert "Open the expenses form\nand attach the receipt photo" not in doc.captions
    assert "Open the expenses form and attach the receipt photo" in doc.captions
    assert (
        "receipt" in client.get("/videos/?q=receipt").content.decode()
        or ready_video.title in client.get("/videos/?q=receipt").content.decode()
    )


def test_several_caption_languages_and_refusals(logged_in_client, ready_video, other_user, client):
    vtt = b"WEBVTT\n\n00:00.000 --> 00:01.000\nBonjour\n"
    assert (
        logged_in_client.post(
            f"/videos/{ready_video.pk}/captions/",
            {"language": "fr", "file": SimpleUploadedFile("fr.vtt", vtt)},
        ).status_code
        == 302
    )
    assert (
        logged_in_client.post(
            f"/videos/{ready_video.pk}/captions/",
            {"language": "en", "file": SimpleUploadedFile("en.srt", SRT)},
        ).status_code
        == 302
    )
    assert sorted(ready_video.captions.values_list("language", flat=True)) == ["en", "fr"]
    bad = logged_in_client.post(
        f"/videos/{ready_video.pk}/captions/",
        {"language": "de", "file": SimpleUploadedFile("de.srt", b"just some words")},
    )
    assert bad.status_code == 400 and "neither WebVTT nor SRT" in bad.content.decode()
    bad_lang = logged_in_client.post(
        f"/videos/{ready_video.pk}/captions/",
        {"language": "english!", "file": SimpleUploadedFile("x.vtt", vtt)},
    )
    assert bad_lang.status_code == 400
    client.force_login(other_user)
    assert (
        client.post(
            f"/videos/{ready_video.pk}/captions/",
            {"language": "es", "file": SimpleUploadedFile("es.vtt", vtt)},
        ).status_code
        == 403
    )


def test_player_events_build_plays_viewers_watch_share_and_drop_off(
    logged_in_client, ready_video, user
):
    def send(c, session, events):
        return c.post(
            f"/videos/{ready_video.pk}/events/",
            json.dumps({"session": str(session), "events": events}),
            content_type="application/json",
        )

    client = Client()
    first = uuid.uuid4()
    assert send(logged_in_client, first, [{"t": 0, "u": 1.0}]).status_code == 204
    assert send(logged_in_client, first, [{"t": 1.0, "u": 2.0}, {"p": 2.0}]).status_code == 204
    assert send(client, uuid.uuid4(), [{"t": 0, "u": 0.5}, {"p": 0.5}]).status_code == 204
    stats = selectors.video_stats(video=ready_video)
    assert stats.plays == 2 and stats.unique_viewers == 2
    assert stats.average_percent_watched == 62.5  # (100% + 25%) / 2
    assert stats.drop_off[0] == 100.0 and stats.drop_off[-1] == 50.0
    assert selectors.maker_stats(user=user).plays == 2
    assert PlaySession.objects.count() == 2
    assert send(client, "not-a-uuid", []).status_code == 400
    assert send(client, uuid.uuid4(), [{"t": "x", "u": 1}]).status_code == 400


def test_resume_where_you_left_off(logged_in_client, ready_video, user):
    ready_video.duration_seconds = 100
    ready_video.save()
    logged_in_client.post(
        f"/videos/{ready_video.pk}/events/",
        json.dumps({"session": str(uuid.uuid4()), "events": [{"p": 42.5}]}),
        content_type="application/json",
    )
    assert selectors.resume_position(viewer=user, video=ready_video) == 42.5
    assert (
        'data-resume-at="42.50"'
        in logged_in_client.get(f"/videos/{ready_video.pk}/").content.decode()
    )


def test_only_staff_see_and_use_the_reprocess_button(
    logged_in_client, client, staff, ready_video, django_capture_on_commit_callbacks
):
    assert logged_in_client.post(f"/videos/{ready_video.pk}/retranscode/").status_code == 403
    client.force_login(staff)
    assert "Process again" in client.get(f"/videos/{ready_video.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/videos/{ready_video.pk}/retranscode/").status_code == 302
    assert ready_video.jobs.count() == 2


def test_a_tag_page_shows_the_videos_with_that_tag_with_poster_and_duration(
    ready_video, private_video, client, other_user
):
    from knowhow.qa.models import Tag

    tag = Tag.objects.create(name="expenses")
    ready_video.tags.add(tag)
    private_video.tags.add(tag)
    page = client.get("/tags/expenses/").content.decode()
    assert "Videos tagged expenses" in page
    assert f'href="{ready_video.get_absolute_url()}"' in page
    assert f"/videos/{ready_video.pk}/media/hls/poster.jpg" in page
    assert ready_video.duration_display in page and ready_video.duration_display == "0:02"
    assert f'href="{private_video.get_absolute_url()}"' not in page  # not a member
    untagged = client.get(f"/tags/{Tag.objects.create(name='travel').name}/").content.decode()
    assert "Videos tagged" not in untagged
