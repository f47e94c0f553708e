"""Markdown reduced to readable text for the index and for excerpts (cheap: no HTML parse)."""

import re

from knowhow.search.query import clean_text

_FENCE_RE = re.compile(r"^\s*(```|~~~).*$", re.MULTILINE)
_IMAGE_RE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKUP_RE = re.compile(r"[*_#>`|]+|<[^>\n]{0,200}>")
_SPACE_RE = re.compile(r"[ \t]+")


def plain_text(markdown: str) -> str:
    """Markdown reduced to readable text for indexing and snippets (cheap: no HTML parse)."""
    text = _FENCE_RE.sub(" ", markdown)
    text = _IMAGE_RE.sub(r"\1", text)
    text = _LINK_RE.sub(r"\1", text)
    text = _MARKUP_RE.sub(" ", text)
    return _SPACE_RE.sub(" ", clean_text(text)).strip()
