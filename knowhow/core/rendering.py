"""Markdown to safe HTML: CommonMark with tables and fenced code, highlighted, then sanitised.

The result is stored beside the source (``body_html``), so this runs on write, never per view.
"""

import html
import re

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

_FORMATTER = HtmlFormatter(nowrap=True, classprefix="hl-")
_LANG_RE = re.compile(r"^[A-Za-z0-9_+#.-]{1,32}$")


def _highlight(code: str, lang: str, attrs: str) -> str:
    lang = (lang or "").strip().split()[0] if lang and lang.strip() else ""
    if lang and _LANG_RE.match(lang):
        try:
            lexer = get_lexer_by_name(lang)
        except ClassNotFound:
            lexer = None
        if lexer is not None:
            inner = highlight(code, lexer, _FORMATTER)
            return (
                f'<pre class="code"><code class="language-{html.escape(lang)}">{inner}</code></pre>'
            )
    return f'<pre class="code"><code>{html.escape(code)}</code></pre>'


_md = (
    MarkdownIt(
        "commonmark",
        {"html": False, "linkify": False, "typographer": False, "highlight": _highlight},
    )
    .enable("table")
    .enable("strikethrough")
    .use(tasklists_plugin)
)
_md_inline = MarkdownIt("zero").enable(
    ["emphasis", "backticks", "link", "escape", "entity", "strikethrough"]
)

_ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "details",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "input",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "pre": {"class"},
    "span": {"class"},
    "th": {"style"},
    "td": {"style"},
    "input": {"type", "checked", "disabled", "class"},
    "li": {"class"},
    "ul": {"class"},
}
_CLASS_RE = re.compile(
    r"^(hl-[A-Za-z0-9]+|code|language-[A-Za-z0-9_+#.-]+|task-list-item|contains-task-list|task-list-item-checkbox)$"
)


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if attr == "class":
        kept = [c for c in value.split() if _CLASS_RE.match(c)]
        return " ".join(kept) or None
    if attr == "style":
        # markdown-it writes table alignment as style; allow exactly that and nothing else.
        return (
            value if value in {"text-align:left", "text-align:right", "text-align:center"} else None
        )
    if tag == "input" and attr == "type":
        return value if value == "checkbox" else None
    return value


# Built once: nh3.clean(**options) rebuilds its configuration on every call, which costs about
# three times the cleaning itself on a typical post (it matters to a dump import of millions).
_CLEANER = nh3.Cleaner(
    tags=_ALLOWED_TAGS,
    attributes=_ALLOWED_ATTRIBUTES,
    attribute_filter=_attribute_filter,
    url_schemes={"http", "https", "mailto"},
    link_rel="nofollow ugc noopener",
    strip_comments=True,
)
_TEXT_CLEANER = nh3.Cleaner(tags=set())


def sanitize_html(raw: str) -> str:
    """Sanitise HTML from any source (rendered Markdown, imported posts)."""
    return _CLEANER.clean(raw)


def html_to_text(raw: str) -> str:
    """The text of an HTML fragment, tags removed and entities decoded."""
    return html.unescape(_TEXT_CLEANER.clean(raw)).strip()


def render_markdown(source: str) -> str:
    """Render a post or comment body to stored, sanitised HTML."""
    return sanitize_html(_md.render(source or ""))


def render_inline_markdown(source: str) -> str:
    """Render a one-line text (a comment) with inline formatting only."""
    return sanitize_html(_md_inline.renderInline(source or ""))


def markdown_to_text(source: str) -> str:
    """Plain text of a Markdown body, for excerpts and search."""
    return html_to_text(_md.render(source or ""))


def pygments_css() -> str:
    """The stylesheet for highlighted code (knowhow/core/static/knowhow/code.css).

    Styles chosen for contrast: every token colour of "xcode" and "one-dark" keeps at least
    4.5:1 on the code background of its theme. The background itself comes from app.css."""
    light = HtmlFormatter(style="xcode", classprefix="hl-").get_style_defs(".code")
    dark = HtmlFormatter(style="one-dark", classprefix="hl-").get_style_defs(
        '[data-theme="dark"] .code'
    )
    css = light + "\n" + dark
    return re.sub(
        r"^((?:\[data-theme=\"dark\"\] )?\.code \{ )background: [^;]+;\s*", r"\1", css, flags=re.M
    )
