"""In a real Chromium: upload a clip through the page (tus), wait until it is ready, play it."""

import pytest

from knowhow.core.tests.factories import UserFactory
from knowhow.videos.models import Video
from knowhow.videos.tests.conftest import make_clip


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_upload_wait_until_ready_and_play(live_server, page, login_as, tmp_path):
    """Uses the suite's shared Chromium (knowhow/core/tests/browser.py)."""
    user = UserFactory(username="maker")
    clip = make_clip(tmp_path / "how-to.mp4", size="320x180", seconds=3)
    login_as(page, user)

    page.goto(f"{live_server.url}/videos/upload/")
    page.set_input_files("#video-file", str(clip))
    page.fill("#video-title", "How to reset the coffee machine")
    page.fill("#video-tags", "kitchen")
    page.click("#upload-start")
    page.wait_for_url(f"{live_server.url}/videos/*/", timeout=60_000)

    page.wait_for_selector("#video-status[data-status=ready]", timeout=60_000)
    page.wait_for_selector("[data-player] video")

    page.evaluate(
        "() => { const v = document.querySelector('video'); v.muted = true; return v.play(); }"
    )
    page.wait_for_function(
        "() => document.querySelector('video').currentTime > 0.5", timeout=30_000
    )
    state = page.evaluate(
        """() => { const v = document.querySelector('video');
            return {hls: !!window.knowhowHls, buffered: v.buffered.length, w: v.videoWidth,
                    error: v.error && v.error.code}; }"""
    )
    assert state == {"hls": True, "buffered": 1, "w": 320, "error": None}

    # Keyboard: "k" pauses, ">" speeds up.
    page.keyboard.press("k")
    assert page.evaluate("() => document.querySelector('video').paused")
    page.keyboard.press(">")
    assert page.evaluate("() => document.querySelector('video').playbackRate") == 1.25
    # Leaving the page sends the viewing events in a batch.
    page.goto(f"{live_server.url}/videos/")
    page.wait_for_selector(".video-card")
    page.wait_for_timeout(500)
    video = Video.objects.get()
    assert video.title == "How to reset the coffee machine"
    assert video.plays.count() == 1
