"""Reads a preview (title, description, image, site, reading time) out of a fetched page:
OpenGraph first, then Twitter cards, then oEmbed, then the page's own <title> and description."""

import json
import math
import re
from dataclasses import dataclass
from urllib.parse import urljoin

from bs4 import BeautifulSoup

from knowhow.core.errors import ApplicationError
from knowhow.curation.fetching import JSON_TYPES, FetchLimits, safe_fetch

WORDS_PER_MINUTE = 230


@dataclass
class Preview:
    title: str = ""
    description: str = ""
    site_name: str = ""
    image_url: str = ""
    reading_minutes: int | None = None
    oembed_url: str = ""


def _clean(value: str | None, limit: int) -> str:
    return " ".join((value or "").split())[:limit]


def _meta(soup: BeautifulSoup, *names: str) -> str:
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
        if tag and tag.get("content"):
            return str(tag["content"])
    return ""


def reading_minutes(soup: BeautifulSoup) -> int | None:
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "aside", "form"]):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    words = len(re.findall(r"\w+", root.get_text(" ")))
    if words < 50:
        return None
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def parse_preview(html: str, *, base_url: str) -> Preview:
    soup = BeautifulSoup(html, "html.parser")
    title_tag = soup.find("title")
    preview = Preview(
        title=_clean(
            _meta(soup, "og:title", "twitter:title") or (title_tag.get_text() if title_tag else ""),
            300,
        ),
        description=_clean(
            _meta(soup, "og:description", "twitter:description", "description"), 1000
        ),
        site_name=_clean(_meta(soup, "og:site_name", "application-name"), 200),
        image_url=_meta(
            soup, "og:image:secure_url", "og:image", "twitter:image", "twitter:image:src"
        ),
    )
    if preview.image_url:
        preview.image_url = urljoin(base_url, preview.image_url.strip())
    oembed = soup.find("link", attrs={"type": "application/json+oembed"})
    if oembed and oembed.get("href"):
        preview.oembed_url = urljoin(base_url, str(oembed["href"]).strip())
    preview.reading_minutes = reading_minutes(soup)
    return preview


def apply_oembed(preview: Preview) -> None:
    """Fill gaps from the page's oEmbed endpoint (fetched through the same safe fetcher)."""
    if not preview.oembed_url or (preview.title and preview.image_url):
        return
    try:
        result = safe_fetch(
            preview.oembed_url,
            limits=FetchLimits(max_bytes=256 * 1024, total_seconds=5, accept_types=JSON_TYPES),
        )
        data = json.loads(result.text())
    except (ApplicationError, ValueError):
        return
    if not isinstance(data, dict):
        return
    preview.title = preview.title or _clean(str(data.get("title") or ""), 300)
    preview.site_name = preview.site_name or _clean(str(data.get("provider_name") or ""), 200)
    thumb = data.get("thumbnail_url")
    if not preview.image_url and isinstance(thumb, str) and thumb:
        preview.image_url = urljoin(preview.oembed_url, thumb)
