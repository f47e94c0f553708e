"""The revision diff marks only what changed."""

from django.urls import reverse

from knowhow.qa import services


def test_adding_a_paragraph_below_a_one_line_body_keeps_that_line_unchanged(client, question):
    original = question.body
    assert "\n" not in original
    services.post_edit(post=question, by=question.author, body=original + "\n\nIt is urgent.")
    html = client.get(reverse("qa:revision_detail", args=[question.pk, 2])).content.decode()
    assert "<del>" not in html
    assert "<ins>\nIt is urgent.</ins>" in html
