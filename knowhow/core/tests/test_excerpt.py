from django.template import Context, Template

from knowhow.core.rendering import render_markdown
from knowhow.core.text import excerpt


def test_an_excerpt_is_the_first_words_as_plain_text():
    html = render_markdown("Hello **world** & <more>\n\n```\nx = 1 < 2\n```\n\n- one\n- two")
    assert excerpt(html) == "Hello world & <more> x = 1 < 2 one two"


def test_a_long_body_is_cut_with_an_ellipsis():
    html = render_markdown(" ".join(f"w{i}" for i in range(100)))
    assert excerpt(html, 5) == "w0 w1 w2 w3 w4 …"
    assert excerpt(render_markdown("just three words"), 3) == "just three words"
    assert excerpt("") == excerpt(None) == ""


def test_a_huge_body_only_reads_its_start():
    html = "<p>" + "word " * 100_000 + "</p>"
    assert excerpt(html, 3) == "word word word …"


def test_the_filter_escapes_what_the_body_decoded():
    html = render_markdown("a &lt;script&gt;alert(1)&lt;/script&gt; b")
    out = Template("{% load knowhow_text %}{{ h|excerpt:10 }}").render(Context({"h": html}))
    assert "<script>" not in out
    assert "&lt;script&gt;" in out
