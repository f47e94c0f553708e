"""Tiny generated clips (a few seconds, low resolution) made once per test session with the
real ffmpeg, and per-test storage folders."""

import subprocess
from pathlib import Path

import pytest

from knowhow.videos.backends.ffmpeg import ffmpeg_binary


def make_clip(
    path: Path,
    *,
    size: str = "320x180",
    seconds: float = 2,
    audio: bool = True,
    codec: str = "libx264",
    faststart: bool = False,
) -> Path:
    argv = [
        ffmpeg_binary(),
        "-v",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        f"testsrc=size={size}:rate=25",
    ]
    if audio:
        argv += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]
    argv += ["-t", str(seconds), "-c:v", codec, "-pix_fmt", "yuv420p"]
    if codec == "libx264":
        argv += ["-preset", "ultrafast"]
    if audio:
        argv += ["-c:a", "aac", "-shortest"]
    if faststart:
        argv += ["-movflags", "+faststart"]
    subprocess.run([*argv, str(path)], check=True)
    return path


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("clips")
    faststart = make_clip(d / "faststart.mp4", seconds=3, audio=False, faststart=True)
    truncated = d / "truncated.mp4"
    truncated.write_bytes(faststart.read_bytes()[: faststart.stat().st_size * 2 // 3])
    text = d / "notes.mp4"
    text.write_text("This is a text file, not a video.\n")
    empty = d / "empty.mp4"
    empty.write_bytes(b"")
    audio_only = d / "sound.m4a"
    subprocess.run(
        [
            ffmpeg_binary(),
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "sine",
            "-t",
            "1",
            str(audio_only),
        ],
        check=True,
    )
    return {
        "landscape": make_clip(d / "landscape.mp4", size="320x180", seconds=2),
        "ladder": make_clip(d / "ladder.mp4", size="854x480", seconds=2),
        "portrait": make_clip(d / "portrait.mp4", size="360x640", seconds=2, audio=False),
        "silent": make_clip(d / "silent.mp4", size="320x240", seconds=2, audio=False),
        "mpeg4": make_clip(d / "old.avi", size="320x240", seconds=1, audio=False, codec="mpeg4"),
        "truncated": truncated,
        "text": text,
        "empty": empty,
        "audio_only": audio_only,
    }


@pytest.fixture(autouse=True)
def video_storage(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    # Automatic captions are off unless a test turns them on (they take seconds per video).
    settings.VIDEOS = {
        **settings.VIDEOS,
        "UPLOAD_DIR": tmp_path / "uploads",
        "SPEECH_RECOGNIZER": "",
    }
    return tmp_path
