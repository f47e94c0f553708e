"""The real ai.stackexchange.com dump (Dec 2016) imports completely.

The dump is not in the repository (its licence asks for attribution, and it is large): it lives in
the project's shared data beside the repository, or where KNOWHOW_SE_DUMP points. Without it these
tests are skipped.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from knowhow.core.rendering import sanitize_html
from knowhow.core.tests.factories import SpaceFactory
from knowhow.qa.models import Comment, Post, PostLink
from knowhow.stackexchange.dump import iter_rows, parse_tags
from knowhow.stackexchange.importer import DumpImport

DUMP = Path(
    os.environ.get(
        "KNOWHOW_SE_DUMP",
        Path(settings.BASE_DIR).parent
        / "shared"
        / "data"
        / "stackexchange"
        / "ai.stackexchange.com",
    )
)
SOURCE = "stackexchange:ai.stackexchange.com"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (DUMP / "Posts.xml").is_file(),
        reason=f"the ai.stackexchange.com dump is not at {DUMP} (set KNOWHOW_SE_DUMP)",
    ),
]


def test_the_shared_dump_imports_completely_and_reimports_with_nothing_new():
    space = SpaceFactory(name="AI")
    summary = DumpImport(directory=DUMP, space=space, post_import=False).execute()

    # The numbers in the dump's README.
    assert summary.new["questions"] == 421
    assert summary.new["answers"] == 749
    assert summary.new["comments"] == 1165
    assert summary.new["accepted answers"] == 212
    assert summary.new["duplicate links"] == 6
    assert summary.new["users"] == 3157
    assert summary.new["tags"] == 222
    assert summary.new["badges"] == 3290
    assert summary.skipped["votes"]["its post is not in Posts.xml (deleted)"] == 394
    assert summary.skipped_total("answers") == 0
    assert Post.objects.filter(source=SOURCE).count() == 421 + 749

    posts = {p.source_id: p for p in Post.objects.filter(source=SOURCE).select_related("author")}
    posts_by_pk = {p.pk: p.source_id for p in posts.values()}
    latest_body: dict[int, str] = {}
    for row in iter_rows(DUMP / "PostHistory.xml"):
        if row.int("PostHistoryTypeId") in (2, 5, 8):
            latest_body[row.required_int("PostId")] = row.str("Text").replace("\r\n", "\n")

    for n, row in enumerate(iter_rows(DUMP / "Posts.xml")):
        type_id = row.required_int("PostTypeId")
        if type_id not in (1, 2):
            continue
        post = posts[row.required_int("Id")]  # every question and answer, by original id
        if type_id == 1 and row.int("AcceptedAnswerId"):
            assert post.accepted_answer.source_id == row.int("AcceptedAnswerId")
        if n % 25:
            continue
        # A sample, field by field.
        assert post.post_type == ("question" if type_id == 1 else "answer")
        assert post.title == row.str("Title")
        assert post.body_html == sanitize_html(row.str("Body"))
        assert post.body == latest_body[post.source_id]
        assert post.score == row.int("Score")
        assert post.view_count == (row.int("ViewCount") or 0)
        assert post.created_at == row.date("CreationDate")
        assert post.last_activity_at == row.date("LastActivityDate")
        assert post.edited_at == row.date("LastEditDate")
        assert post.closed_at == row.date("ClosedDate")
        assert (post.author.source_id if post.author else None) == row.int("OwnerUserId")
        assert post.source_license == "CC BY-SA 3.0"
        if type_id == 1:
            assert sorted(post.tags.values_list("name", flat=True)) == sorted(
                parse_tags(row.str("Tags"))
            )
            assert post.answer_count == row.int("AnswerCount")
        else:
            assert post.question.source_id == row.int("ParentId")
        assert post.comment_count == row.int("CommentCount")

    comment_ids = set(Comment.objects.filter(source=SOURCE).values_list("source_id", flat=True))
    assert comment_ids == {r.required_int("Id") for r in iter_rows(DUMP / "Comments.xml")}

    for row in iter_rows(DUMP / "PostLinks.xml"):
        if row.int("LinkTypeId") == 3:
            link = PostLink.objects.get(source=SOURCE, source_id=row.required_int("Id"))
            assert link.link_type == PostLink.LinkType.DUPLICATE
            assert link.from_post.source_id == row.int("PostId")
            assert link.to_post.source_id == row.int("RelatedPostId")

    # Found on the site by original id.
    client = Client()
    response = client.get(f"/questions/by-source/{SOURCE}/1/")
    assert response["Location"] == posts[1].get_absolute_url()
    page = client.get(response["Location"]).content.decode()
    assert "https://ai.stackexchange.com/q/1" in page and "CC BY-SA 3.0" in page

    # And through the API by original id: questions and answers (a sample), comments, accepted
    # answers and duplicate links (all).
    api = Client()
    comments_by_post: dict[int, set[int]] = {}
    for sid, pk in Comment.objects.filter(source=SOURCE).values_list(
        "source_id", "post__source_id"
    ):
        comments_by_post.setdefault(pk, set()).add(sid)
    duplicates = {
        (r.required_int("PostId"), r.required_int("RelatedPostId"), r.required_int("Id"))
        for r in iter_rows(DUMP / "PostLinks.xml")
        if r.int("LinkTypeId") == 3
    }
    for n, (source_id, post) in enumerate(sorted(posts.items())):
        if n % 5 == 0:
            ref = api.get("/api/v1/posts/by-source", {"source": SOURCE, "source_id": source_id})
            assert ref.status_code == 200 and ref.json()["id"] == post.pk
        if source_id in comments_by_post:
            listed = api.get(f"/api/v1/posts/{post.pk}/comments", {"page_size": 100}).json()
            assert listed["next"] is None  # no post in the dump has 100 comments
            assert {c["source_id"] for c in listed["results"]} == comments_by_post[source_id]
        if post.accepted_answer_id or any(d[0] == source_id for d in duplicates):
            body = api.get(f"/api/v1/questions/{post.pk}").json()
            assert body["accepted_answer_id"] == post.accepted_answer_id
            links = {
                (post.source_id, posts_by_pk[link["to_question_id"]], link["source_id"])
                for link in body["links"]
                if link["link_type"] == "duplicate"
            }
            assert links == {d for d in duplicates if d[0] == source_id}

    again = DumpImport(directory=DUMP, space=space, post_import=False).execute()
    assert sum(again.new.values()) == 0, again.lines()
    assert again.updated["questions"] == 421 and again.updated["answers"] == 749
    assert Post.objects.filter(source=SOURCE).count() == 421 + 749
