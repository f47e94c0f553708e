from django import template

from knowhow.core.text import excerpt as _excerpt

register = template.Library()


@register.filter
def excerpt(html: str | None, words: int = 28) -> str:
    """`{{ post.body_html|excerpt:28 }}`: the first words as plain text (autoescaped)."""
    return _excerpt(html, int(words))
