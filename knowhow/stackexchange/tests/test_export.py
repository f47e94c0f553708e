"""Exporting a space in the dump format, and importing the export again (round trip)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from knowhow.core.tests.factories import AnswerFactory, QuestionFactory, SpaceFactory
from knowhow.qa.models import Comment, Post, PostLink
from knowhow.reputation.models import UserBadge
from knowhow.stackexchange.dump import iter_rows
from knowhow.stackexchange.importer import DumpImport
from knowhow.stackexchange.tests.test_import import MINI

pytestmark = pytest.mark.django_db


def _import(directory, space, site):
    return DumpImport(directory=directory, space=space, site=site, post_import=False).execute()


def _content(post: Post) -> dict:
    return {
        "type": post.post_type,
        "title": post.title,
        "body": post.body,
        "body_html": post.body_html,
        "score": post.score,
        "votes": (post.up_votes, post.down_votes),
        "views": post.view_count,
        "counts": (post.answer_count, post.comment_count),
        "created": post.created_at,
        "edited": post.edited_at,
        "active": post.last_activity_at,
        "closed": (post.closed_at, post.close_reason),
        "author": post.author.display_name if post.author else None,
        "editor": post.last_editor.display_name if post.last_editor else None,
        "license": post.source_license,
        "author_name": post.source_author_name,
        "tags": sorted(post.tags.values_list("name", flat=True)),
        "revisions": [
            (
                r.number,
                r.title,
                r.body,
                r.tag_names,
                r.summary,
                r.created_at,
                r.author.display_name if r.author else None,
            )
            for r in post.revisions.order_by("number")
        ],
        "comments": [
            (
                c.body,
                c.body_html,
                c.score,
                c.created_at,
                c.author.display_name if c.author else None,
            )
            for c in post.comments.order_by("created_at")
        ],
    }


def test_import_export_import_gives_the_same_content(tmp_path):
    first = SpaceFactory(name="First")
    _import(MINI, first, "mini.example")
    call_command("export_stackexchange", first.slug, str(tmp_path / "out"), stdout=StringIO())
    second = SpaceFactory(name="Second")
    summary = _import(tmp_path / "out", second, "copy.example")
    assert summary.new["questions"] == 2 and summary.new["answers"] == 2
    assert sum(summary.skipped_total(k) for k in ("questions", "answers", "comments")) == 0

    originals = Post.objects.filter(space=first)
    copies = {p.source_id: p for p in Post.objects.filter(space=second)}
    assert len(copies) == originals.count() == 4
    for original in originals:
        copy = copies[original.pk]  # the export's ids are Knowhow's ids
        assert _content(copy) == _content(original), original.source_id
        if original.accepted_answer_id:
            assert copy.accepted_answer.source_id == original.accepted_answer_id
    links = PostLink.objects.filter(from_post__space=second)
    assert [(lk.from_post.source_id, lk.to_post.source_id, lk.link_type) for lk in links] == [
        (lk.from_post_id, lk.to_post_id, lk.link_type)
        for lk in PostLink.objects.filter(from_post__space=first)
    ]
    assert sorted(
        UserBadge.objects.filter(source="stackexchange:copy.example").values_list(
            "badge__name", "awarded_at"
        )
    ) == sorted(
        UserBadge.objects.filter(source="stackexchange:mini.example").values_list(
            "badge__name", "awarded_at"
        )
    )


def test_native_content_exports_and_reimports(tmp_path):
    space = SpaceFactory()
    question = QuestionFactory(space=space, title="How do I book a meeting room?")
    AnswerFactory(question=question, body="Use the room finder in the calendar app.")
    call_command("export_stackexchange", space.name, str(tmp_path), stdout=StringIO())
    rows = list(iter_rows(tmp_path / "Posts.xml"))
    assert [r.str("PostTypeId") for r in rows] == ["1", "2"]
    assert rows[0].str("Title") == "How do I book a meeting room?"
    assert rows[0].str("Tags") == "<reporting>"
    target = SpaceFactory()
    _import(tmp_path, target, "native.example")
    copy = Post.objects.get(space=target, post_type=Post.PostType.QUESTION)
    assert copy.body == question.body
    assert copy.answer_count == 1
    assert copy.revisions.count() == 1


def test_export_refuses_an_unknown_space(tmp_path):
    with pytest.raises(CommandError, match="No space named"):
        call_command("export_stackexchange", "nope", str(tmp_path))


def test_exported_comments_keep_their_text(tmp_path):
    space = SpaceFactory()
    _import(MINI, space, "mini.example")
    call_command("export_stackexchange", space.slug, str(tmp_path), stdout=StringIO())
    texts = [r.str("Text") for r in iter_rows(tmp_path / "Comments.xml")]
    assert sorted(texts) == sorted(
        Comment.objects.filter(post__space=space).values_list("body", flat=True)
    )


def test_a_curated_resources_discussion_post_is_not_exported(tmp_path):
    from knowhow.core.tests.factories import UserFactory, add_member
    from knowhow.curation import services as curation

    space = SpaceFactory()
    curator = UserFactory(reputation=500)
    add_member(space, curator)
    QuestionFactory(space=space, title="How do I book a meeting room?")
    curation.resource_add(by=curator, space=space, url="https://example.com/rooms", fetch=False)
    assert Post.objects.filter(space=space, post_type=Post.PostType.RESOURCE).exists()
    call_command("export_stackexchange", space.name, str(tmp_path), stdout=StringIO())
    assert [r.str("PostTypeId") for r in iter_rows(tmp_path / "Posts.xml")] == ["1"]
