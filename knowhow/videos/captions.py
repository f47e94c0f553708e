"""Caption file formats: SRT to WebVTT, and the plain text of cues (for search)."""

import re

from knowhow.videos.errors import BadCaptionFile

_SRT_TIME = re.compile(r"(\d{1,2}):(\d{2}):(\d{2})[,.](\d{1,3})")
_VTT_TIME = re.compile(
    r"^(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})\s+-->\s+(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})"
)
_TAG = re.compile(r"<[^>]+>")


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadCaptionFile("The captions file is not text.")


def to_webvtt(data: bytes, *, filename: str = "") -> str:
    text = _decode(data).replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise BadCaptionFile("The captions file is empty.")
    vtt = text + "\n" if text.startswith("WEBVTT") else _srt_to_vtt(text)
    if not any(_VTT_TIME.match(line.strip()) for line in vtt.splitlines()):
        raise BadCaptionFile(
            "The captions file has no cues (lines like 00:00:01.000 --> 00:00:03.000)."
        )
    return vtt


def _srt_to_vtt(text: str) -> str:
    out = ["WEBVTT", ""]
    cues = 0
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.split("\n") if line.strip()]
        if lines and lines[0].strip().isdigit():
            lines = lines[1:]
        if not lines or "-->" not in lines[0]:
            raise BadCaptionFile("The captions file is neither WebVTT nor SRT.")
        start, _, end = lines[0].partition("-->")
        start_m, end_m = _SRT_TIME.search(start), _SRT_TIME.search(end)
        if not start_m or not end_m:
            raise BadCaptionFile(f"Bad cue timing: {lines[0].strip()}")
        out.append(f"{_fmt(start_m)} --> {_fmt(end_m)}")
        out.extend(lines[1:])
        out.append("")
        cues += 1
    if not cues:
        raise BadCaptionFile("The captions file has no cues.")
    return "\n".join(out)


def _fmt(m: re.Match[str]) -> str:
    h, mi, s, ms = m.groups()
    return f"{int(h):02d}:{mi}:{s}.{ms.ljust(3, '0')}"


def plain_text(vtt: str) -> str:
    """The spoken words, without header, timings, cue ids, settings or markup."""
    words = []
    lines = vtt.splitlines()
    in_cue = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if _VTT_TIME.match(stripped):
            in_cue = True
            continue
        if not stripped:
            in_cue = False
            continue
        if in_cue:
            words.append(_TAG.sub("", stripped))
        elif i + 1 < len(lines) and _VTT_TIME.match(lines[i + 1].strip()):
            continue  # a cue identifier
    return " ".join(words)
