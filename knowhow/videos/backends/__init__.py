"""The transcoder behind a small typed protocol, chosen by settings.VIDEOS["TRANSCODER"]."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class ProbeError(Exception):
    """The file cannot be used; the message is meant for the uploader."""


@dataclass(frozen=True)
class ProbeResult:
    duration_seconds: float
    width: int
    height: int
    frame_rate: float
    video_codec: str
    has_audio: bool
    audio_codec: str = ""


@dataclass(frozen=True)
class RenditionSpec:
    height: int  # nominal short side: 1080, 720, 480, 360
    width: int  # output frame width
    pixel_height: int  # output frame height
    video_kbps: int
    audio_kbps: int = 128


@dataclass
class TranscodeOutput:
    """What a transcode produced, as paths relative to the output directory."""

    renditions: list[tuple[RenditionSpec, str]] = field(default_factory=list)
    master: str = ""
    download_mp4: str = ""
    poster: str = ""
    sprite: str = ""
    sprite_vtt: str = ""
    ffmpeg_seconds: float = 0.0


# Called with (step, percent 0-100 of that step); may raise to abort.
ProgressCallback = Callable[[str, float], None]
# Called after each stage with the files produced so far, so that the first rendition can be
# published before the rest exist.
StageCallback = Callable[[str, TranscodeOutput], None]


class Transcoder(Protocol):
    def probe(self, path: Path) -> ProbeResult: ...

    def ladder_for(self, probe: ProbeResult) -> list[RenditionSpec]: ...

    def transcode(
        self,
        *,
        source: Path,
        probe: ProbeResult,
        out_dir: Path,
        on_progress: ProgressCallback,
        on_stage: StageCallback,
    ) -> TranscodeOutput: ...


def get_transcoder() -> Transcoder:
    cls = import_string(settings.VIDEOS["TRANSCODER"])
    return cls()  # type: ignore[no-any-return]
