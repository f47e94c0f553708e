"""Serving a video's files from storage with per-request permission checks, byte ranges and
cache headers. Nothing under videos/ is reachable through MEDIA_URL."""

import re
from collections.abc import Iterator
from typing import IO

from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".mp4": "video/mp4",
    ".jpg": "image/jpeg",
    ".vtt": "text/vtt; charset=utf-8",
}
# What a player may fetch, relative to the video's storage folder (never the original).
ALLOWED = re.compile(
    r"^(hls/master\.m3u8|hls/r\d{2,4}/(index\.m3u8|seg_\d{4,6}\.ts)|hls/(poster|sprite)\.jpg"
    r"|hls/sprite\.vtt|download\.mp4|captions/[A-Za-z0-9-]{2,20}\.vtt)$"
)
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def is_servable(name: str) -> bool:
    return bool(ALLOWED.match(name))


def _cache_control(name: str) -> str:
    # The master playlist gains renditions while processing runs; everything else is written
    # once under its name. "private": private-space videos must not sit in shared caches.
    if name.endswith("master.m3u8") or name.startswith("captions/"):
        return "private, no-cache"
    return "private, max-age=86400"


def _chunks(fh: IO[bytes], remaining: int) -> Iterator[bytes]:
    try:
        while remaining > 0:
            data = fh.read(min(remaining, 256 * 1024))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        fh.close()


def serve(
    request: HttpRequest, *, storage_name: str, name: str, download_as: str = ""
) -> HttpResponse:
    try:
        size = default_storage.size(storage_name)
        fh = default_storage.open(storage_name, "rb")
    except (FileNotFoundError, OSError):
        return HttpResponse("Not found.", status=404, content_type="text/plain")
    suffix = name[name.rfind(".") :]
    content_type = CONTENT_TYPES.get(suffix, "application/octet-stream")
    start, end, status = 0, size - 1, 200
    header = request.headers.get("Range", "")
    match = _RANGE.match(header.strip()) if header else None
    if header and match is None:
        fh.close()
        return _unsatisfiable(size)
    if match:
        first, last = match.groups()
        if first == "" and last == "":
            fh.close()
            return _unsatisfiable(size)
        if first == "":
            start = max(0, size - int(last))
        else:
            start = int(first)
            end = min(size - 1, int(last)) if last else size - 1
        if start >= size or start > end:
            fh.close()
            return _unsatisfiable(size)
        status = 206
        fh.seek(start)
    length = end - start + 1
    if request.method == "HEAD":
        fh.close()
        response: HttpResponse = HttpResponse(status=status, content_type=content_type)
    else:
        response = StreamingHttpResponse(
            _chunks(fh, length), status=status, content_type=content_type
        )  # type: ignore[assignment]
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Cache-Control"] = _cache_control(name)
    response["Vary"] = "Cookie, Authorization"
    if download_as:
        response["Content-Disposition"] = f'attachment; filename="{download_as}"'
    return response


def _unsatisfiable(size: int) -> HttpResponse:
    response = HttpResponse(status=416)
    response["Content-Range"] = f"bytes */{size}"
    return response
