"""A corpus of XSS vectors pushed through every user-supplied field and checked where it shows.

Each page is parsed with html.parser and its tags and attributes are checked, rather than
searching the text, so an escaped vector shown as text (which is right) does not count.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from knowhow.accounts import services as account_services
from knowhow.core.rendering import render_inline_markdown, render_markdown
from knowhow.core.tests.factories import UserFactory
from knowhow.qa import services
from knowhow.qa.models import Post

pytestmark = pytest.mark.django_db

VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox(1))",
    '[a](http://x.example "t\\" onmouseover=alert(1) x=\\"")',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '<form action="https://evil.example"><input name=x><button>go</button></form>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)',
    "<b onclick=alert(1)>bold",
    "<img src=x onerror=alert(1)",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<scr\x00ipt>alert(1)</script>",
    "[x](java\x00script:alert(1))",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    '<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=x">',
    '<div hx-get="/accounts/logout/" hx-trigger="load" hx-on:click="alert(1)">x</div>',
    '<input type="checkbox" onfocus=alert(1) autofocus>',
    "<!--<img src=x onerror=alert(1)>-->",
    "```html\n<script>alert(1)</script>\n```",
]

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}
FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "svg"}
FORBIDDEN_TAGS |= {"math", "style", "template", "noscript"}
HTMX_ENDPOINTS = {
    "vote",
    "accept",
    "comment_create",
    "comment_delete",
    "tag_follow",
    "question_follow",
}
# Read-only fragments the base and Q&A templates load (notification badge, similar questions,
# the follow-question button).
HTMX_GET_ENDPOINTS = {"notification_count", "similar", "related", "question_follow"}
# Constant trigger/include values written in templates, never built from user input.
HTMX_CONSTANTS = {
    "hx-trigger": {"load", "every 60s", "keyup changed delay:600ms from:#id_title, load"},
    "hx-include": {"#id_title, #id_body"},
}
ALLOWED_META = {"charset", "name", "content"}
# htmx-config: set in the base template (no eval, no injected indicator styles, for the CSP).
ALLOWED_META_NAMES = {"viewport", "color-scheme", "htmx-config"}


def _bad_scheme(value: str) -> bool:
    cleaned = "".join(ch for ch in value if ch > " ").lower()
    return cleaned.startswith(("javascript:", "vbscript:", "data:"))


class ExecutableMarkupFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        attrs_d = dict(attrs)
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "script":
            if not (attrs_d.get("src") or "").startswith("/static/"):
                self.problems.append(f"<script {attrs_d}>")
            self._in_script = True
        if tag == "meta" and (
            set(attrs_d) - ALLOWED_META
            or ("name" in attrs_d and attrs_d["name"] not in ALLOWED_META_NAMES)
        ):
            self.problems.append(f"<meta {attrs_d}>")
        if tag == "link" and not (attrs_d.get("href") or "").startswith("/static/"):
            self.problems.append(f"<link {attrs_d}>")
        if tag == "form" and not (attrs_d.get("action") or "/").startswith("/"):
            self.problems.append(f"<form action={attrs_d.get('action')!r}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or name.startswith("hx-on"):
                self.problems.append(f"{tag}[{name}]")
            if name in URL_ATTRIBUTES and _bad_scheme(value):
                self.problems.append(f"{tag}[{name}={value!r}]")
            if name == "style" and value not in {
                "text-align:left",
                "text-align:right",
                "text-align:center",
            }:
                self.problems.append(f"{tag}[style={value!r}]")
            if name.startswith("hx-"):
                self._check_htmx(tag, name, value)

    def _check_htmx(self, tag: str, name: str, value: str) -> None:
        if name in {"hx-target", "hx-swap"} or (name == "hx-headers" and tag == "body"):
            return
        if value in HTMX_CONSTANTS.get(name, ()):
            return
        if name == "hx-get":
            try:
                if resolve(urlsplit(value).path).url_name in HTMX_GET_ENDPOINTS:
                    return
            except Resolver404:
                pass
        if name == "hx-post":
            try:
                if resolve(urlsplit(value).path).url_name in HTMX_ENDPOINTS:
                    return
            except Resolver404:
                pass
        self.problems.append(f"{tag}[{name}={value!r}]")

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self._in_script and data.strip():
            self.problems.append(f"inline script {data[:40]!r}")


def assert_safe(response_or_html, where: str = "") -> None:
    if hasattr(response_or_html, "status_code"):
        assert response_or_html.status_code < 500, where
        html = response_or_html.content.decode()
    else:
        html = response_or_html
    finder = ExecutableMarkupFinder()
    finder.feed(html)
    finder.close()
    assert not finder.problems, f"{where}: {finder.problems}"


def _assert_safe_svg(content: bytes) -> None:
    root = ElementTree.fromstring(content)
    for element in root.iter():
        assert element.tag.rsplit("}", 1)[-1] in {"svg", "rect", "g"}, element.tag
        assert not [a for a in element.attrib if a.lower().startswith("on")]


def _title(vector: str) -> str:
    return f"Title {vector} here"[:150]


def _body(vector: str) -> str:
    return f"{vector}\n\nThis is enough text to pass the length check."


def test_the_checker_catches_what_it_should():
    for bad in [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href=" javascript:alert(1)">x</a>',
        '<a href="java&#x09;script:alert(1)">x</a>',
        "<iframe></iframe>",
        '<div hx-get="/accounts/logout/">x</div>',
        '<div style="color:red">x</div>',
        '<form action="https://evil.example"></form>',
    ]:
        finder = ExecutableMarkupFinder()
        finder.feed(bad)
        assert finder.problems, bad


@pytest.mark.parametrize("vector", VECTORS)
def test_markdown_rendering_never_lets_executable_markup_through(vector):
    assert_safe(render_markdown(vector), "markdown")
    assert_safe(render_inline_markdown(vector), "inline markdown")


def test_links_in_markdown_get_rel_nofollow_ugc():
    html = render_markdown("[docs](https://example.com/docs)")
    assert 'rel="nofollow ugc' in html and 'href="https://example.com/docs"' in html


def test_every_user_field_is_safe_on_every_page(default_space):
    """All vectors at once: each gets an author (profile), a question, an answer, comments,
    an edit and a token, entered through the forms; then every page that shows them is checked.
    """
    answerer = UserFactory(username="answerer")
    answerer_client, anonymous = Client(), Client()
    answerer_client.force_login(answerer)
    questions, answers, authors = [], [], []
    for i, vector in enumerate(VECTORS):
        author = UserFactory(username=f"author{i}")
        authors.append(author)
        client = Client()
        client.force_login(author)
        # Profile: display name, job title, department, bio.
        profile = {
            "display_name": vector[:80],
            "job_title": vector[:120],
            "department": vector[:120],
            "bio": vector,
        }
        response = client.post(reverse("accounts:profile"), profile)
        assert_safe(response, "profile post")
        if response.status_code != 302:  # the form refused (null bytes): use the service
            account_services.profile_update(user=author, **profile)
        # Question title and body through the ask form; a bad tag through its error path.
        ask = {
            "title": _title(vector),
            "body": _body(vector),
            "tags": "xss-test",
            "space": default_space.pk,
        }
        response = client.post(reverse("qa:ask"), ask)
        assert_safe(response, "ask post")
        question = Post.objects.filter(author=author, post_type="question").first()
        if question is None:
            question = services.question_ask(
                author=author,
                space=default_space,
                title=_title(vector),
                body=_body(vector),
                tags="xss-test",
            )
        questions.append(question)
        response = client.post(reverse("qa:ask"), {**ask, "tags": vector[:400]})
        assert response.status_code == 400
        assert_safe(response, "ask with a bad tag")
        # Answer body and comments.
        response = answerer_client.post(
            reverse("qa:answer_create", args=[question.pk]), {"body": _body(vector)}
        )
        assert_safe(response, "answer post")
        answer = Post.objects.filter(question=question).first() or services.answer_post(
            author=answerer, question=question, body=_body(vector)
        )
        answers.append(answer)
        response = answerer_client.post(
            reverse("qa:comment_create", args=[question.pk]),
            {"body": vector[:1000]},
            headers={"HX-Request": "true"},
        )
        assert_safe(response, "comment partial")
        services.comment_add(post=answer, author=author, body=vector[:1000])
        services.post_edit(
            post=question, by=author, body=_body(vector) + " Edited.", title=_title(vector) + " 2"
        )
        # Token name.
        response = client.post(reverse("accounts:tokens"), {"name": vector[:80]})
        assert_safe(response, "token create")
        if response.status_code != 200 or not response.context["new_token"]:
            account_services.api_token_create(user=author, name=vector[:80])
        assert_safe(client.get(reverse("accounts:profile")), "profile form")
        assert_safe(client.get(reverse("qa:post_edit", args=[question.pk])), "edit question")
        _assert_safe_svg(client.get(author.avatar_url).content)
        assert_safe(client.get(f"{reverse('search:search')}?q={vector}"), "search echo")
        if vector.startswith(("<", '"', "'")):
            # Query echoes are plain autoescaped text: the breakout vectors are enough.
            assert_safe(client.get(f"{reverse('qa:tag_list')}?q={vector}"), "tag filter echo")
            assert_safe(client.get(f"{reverse('qa:question_list')}?tag={vector}"), "tag echo")

    pages = [
        reverse("qa:question_list"),
        f"{reverse('qa:question_list')}?page=2",
        f"{reverse('qa:question_list')}?sort=newest&page=2",
        reverse("qa:tag_detail", args=["xss-test"]),
        f"{reverse('qa:tag_detail', args=['xss-test'])}?page=2",
        f"{reverse('search:search')}?q=Title",
        f"{reverse('search:search')}?q=Title&page=2",
        default_space.get_absolute_url(),
        reverse("qa:user_detail", args=[answerer.pk]),
    ]
    for question, author in zip(questions, authors, strict=True):
        pages += [
            question.get_absolute_url(),
            reverse("qa:user_detail", args=[author.pk]),
            reverse("qa:revision_detail", args=[question.pk, 2]),
        ]
    for url in pages:
        assert_safe(answerer_client.get(url), url)
    for url in [
        questions[0].get_absolute_url(),
        reverse("qa:revisions", args=[questions[0].pk]),
        reverse("qa:revisions", args=[answers[0].pk]),
        reverse("qa:revision_detail", args=[answers[0].pk, 1]),
    ]:
        assert_safe(anonymous.get(url), url)
    assert_safe(answerer_client.get(reverse("qa:post_edit", args=[answers[0].pk])), "edit answer")
    # A refusal over htmx echoes nothing unsafe either.
    response = answerer_client.post(
        reverse("qa:vote", args=[answers[0].pk]), {"value": "1"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 403
    assert_safe(response, "htmx refusal")
