"""Text helpers: clean-up applied to user text before it is stored, and plain-text excerpts."""

import re
from html import unescape


def clean_text(value: str | None) -> str:
    """Drop NUL characters: PostgreSQL refuses them in text columns, and no one types them.

    Forms already refuse them; services clean them too, for callers that skip the forms.
    """
    return (value or "").replace("\x00", "")


_TAG = re.compile(r"<[^>]*>")
# A question's first words are within its first few kilobytes of HTML.
_EXCERPT_HTML_CHARS = 4000


def excerpt(html: str | None, words: int = 28) -> str:
    """The first `words` words of sanitised HTML as plain text (entities decoded; escape it when
    shown), ending in "…" when cut. The question lists show one per row: Django's
    `striptags|truncatewords` ran an HTML parser over every whole body, a third of a list page."""
    if not html:
        return ""
    text = unescape(_TAG.sub(" ", html[:_EXCERPT_HTML_CHARS]))
    parts = text.split()
    cut = len(parts) > words or (len(html) > _EXCERPT_HTML_CHARS and len(parts) == words)
    return " ".join(parts[:words]) + (" …" if cut else "")
