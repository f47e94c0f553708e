"""Preview images are downloaded once (through the safe fetcher) and served from our storage,
never hot-linked: readers' browsers do not call third-party hosts, and an image URL cannot be
used to track who opened a page."""

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from knowhow.curation.fetching import IMAGE_TYPES, FetchLimits, FetchRefused, safe_fetch

MAX_IMAGE_BYTES = 5 * 1024 * 1024
SIGNATURES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}


def sniff_image_type(data: bytes) -> str | None:
    for media, signatures in SIGNATURES.items():
        if any(data.startswith(sig) for sig in signatures):
            if media == "image/webp" and data[8:12] != b"WEBP":
                continue
            return media
    return None


def image_cache(url: str) -> tuple[str, str]:
    """Fetch the image at `url`, check it really is a raster image, store it; (path, type)."""
    result = safe_fetch(
        url,
        limits=FetchLimits(max_bytes=MAX_IMAGE_BYTES, total_seconds=10, accept_types=IMAGE_TYPES),
    )
    media = sniff_image_type(result.body)
    if media is None:
        raise FetchRefused("The preview image is not a PNG, JPEG, GIF or WebP file.")
    digest = hashlib.sha256(result.body).hexdigest()
    path = f"curation/previews/{digest[:2]}/{digest}.{EXTENSIONS[media]}"
    if not default_storage.exists(path):
        path = default_storage.save(path, ContentFile(result.body))
    return path, media
