"""Export a space in the Stack Exchange data dump format, so that it can be imported again.

Ids in the files are Knowhow's ids (posts, users, comments, ...); an import of the export keeps
them as source ids. Files are written row by row from chunked queries: memory stays flat.
"""

import datetime
import html
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db.models import Q

from knowhow.accounts.models import User
from knowhow.qa.models import CloseReason, Comment, Post, PostLink, PostRevision, Tag
from knowhow.reputation.models import UserBadge
from knowhow.spaces.models import Space
from knowhow.stackexchange.dump import format_tags

CHUNK = 2000
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\n": "&#xA;",
        "\r": "&#xD;",
        "\t": "&#x9;",
    }
)
CLOSE_REASON_IDS = {
    CloseReason.DUPLICATE: "101",
    CloseReason.OFF_TOPIC: "102",
    CloseReason.NEEDS_DETAILS: "103",
    CloseReason.OPINION_BASED: "105",
}
LINK_TYPE_IDS = {PostLink.LinkType.RELATED: "1", PostLink.LinkType.DUPLICATE: "3"}
_GUID_NAMESPACE = uuid.UUID("6f1f4c52-5f43-4bb3-9d43-6c0d0bd3c7a1")


def format_date(value: datetime.datetime) -> str:
    value = value.astimezone(datetime.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}"


def _attr(value: object) -> str:
    if isinstance(value, datetime.datetime):
        return format_date(value)
    if isinstance(value, bool):
        return "True" if value else "False"
    return _INVALID_XML.sub("", str(value)).translate(_ESCAPES)


class _DumpFile:
    def __init__(self, path: Path, root: str) -> None:
        self.root = root
        self.file: IO[str] = path.open("w", encoding="utf-8-sig", newline="\n")
        self.file.write(f'<?xml version="1.0" encoding="utf-8"?>\n<{root}>\n')
        self.rows = 0

    def row(self, **attrs: object) -> None:
        parts = " ".join(f'{k}="{_attr(v)}"' for k, v in attrs.items() if v is not None and v != "")
        self.file.write(f"  <row {parts} />\n")
        self.rows += 1

    def close(self) -> None:
        self.file.write(f"</{self.root}>\n")
        self.file.close()


def _chunks(pks: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(pks), CHUNK):
        yield pks[start : start + CHUNK]


@dataclass
class ExportSummary:
    space: str
    directory: Path
    rows: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [f"Exported space “{self.space}” to {self.directory}:"]
        out.extend(f"  {name:<16} {n:>9,} rows" for name, n in self.rows.items())
        return out


def export_space(*, space: Space, directory: Path) -> ExportSummary:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    summary = ExportSummary(space=space.name, directory=directory)
    # Questions and answers only: the discussion posts of videos and curated resources have no
    # place in the dump format (they would come out as answers without a question).
    posts = Post.objects.filter(
        space=space,
        is_deleted=False,
        post_type__in=[Post.PostType.QUESTION, Post.PostType.ANSWER],
    )
    post_pks = list(posts.order_by("pk").values_list("pk", flat=True))
    post_set = set(post_pks)
    users = _users_of(space, posts)
    tags = _write_posts(directory, space, post_pks, summary)
    _write_tags_and_wikis(directory, tags, post_pks, summary)
    _write_users(directory, users, summary)
    _write_history(directory, post_pks, summary)
    _write_comments(directory, post_pks, summary)
    _write_votes(directory, post_pks, summary)
    _write_links(directory, post_set, summary)
    _write_badges(directory, users, summary)
    return summary


def _users_of(space: Space, posts) -> list[int]:
    pks: set[int] = set()
    pks.update(posts.exclude(author=None).values_list("author_id", flat=True))
    pks.update(posts.exclude(last_editor=None).values_list("last_editor_id", flat=True))
    pks.update(
        Comment.objects.filter(post__in=posts, is_deleted=False)
        .exclude(author=None)
        .values_list("author_id", flat=True)
    )
    pks.update(
        PostRevision.objects.filter(post__in=posts)
        .exclude(author=None)
        .values_list("author_id", flat=True)
    )
    return sorted(pks)


def _write_users(directory: Path, users: list[int], summary: ExportSummary) -> None:
    out = _DumpFile(directory / "Users.xml", "users")
    for chunk in _chunks(users):
        for user in User.objects.filter(pk__in=chunk).order_by("pk"):
            out.row(
                Id=user.pk,
                Reputation=user.reputation,
                CreationDate=user.date_joined,
                DisplayName=user.name,
                LastAccessDate=user.last_login or user.date_joined,
                AboutMe=user.bio_html,
                Views=0,
                UpVotes=0,
                DownVotes=0,
            )
    out.close()
    summary.rows["Users.xml"] = out.rows


def _tag_names(chunk: Iterable[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    through = Post.tags.through
    for post_id, name in (
        through.objects.filter(post_id__in=list(chunk))
        .order_by("post_id", "tag__name")
        .values_list("post_id", "tag__name")
    ):
        names[post_id].append(name)
    return names


def _write_posts(
    directory: Path, space: Space, post_pks: list[int], summary: ExportSummary
) -> dict[int, int]:
    """Posts.xml for questions and answers; returns question counts per tag pk."""
    out = _DumpFile(directory / "Posts.xml", "posts")
    tag_counts: dict[int, int] = defaultdict(int)
    through = Post.tags.through
    for chunk in _chunks(post_pks):
        names = _tag_names(chunk)
        for tag_id in through.objects.filter(
            post_id__in=chunk, post__post_type=Post.PostType.QUESTION
        ).values_list("tag_id", flat=True):
            tag_counts[tag_id] += 1
        for post in Post.objects.filter(pk__in=chunk).select_related("author").order_by("pk"):
            question = post.is_question
            out.row(
                Id=post.pk,
                PostTypeId=1 if question else 2,
                ParentId=None if question else post.question_id,
                AcceptedAnswerId=post.accepted_answer_id if question else None,
                CreationDate=post.created_at,
                Score=post.score,
                ViewCount=post.view_count if question else None,
                Body=post.body_html,
                OwnerUserId=post.author_id,
                OwnerDisplayName=post.source_author_name
                or (post.author.name if post.author else ""),
                LastEditorUserId=post.last_editor_id,
                LastEditDate=post.edited_at,
                LastActivityDate=post.last_activity_at,
                Title=post.title if question else None,
                Tags=format_tags(names.get(post.pk, [])) if question else None,
                AnswerCount=post.answer_count if question else None,
                CommentCount=post.comment_count,
                ClosedDate=post.closed_at if question else None,
                ContentLicense=post.source_license or "CC BY-SA 4.0",
            )
    out.close()
    summary.rows["Posts.xml"] = out.rows
    return tag_counts


def _write_tags_and_wikis(
    directory: Path, tag_counts: dict[int, int], post_pks: list[int], summary: ExportSummary
) -> None:
    """Tags.xml; tag excerpts and wikis go to Posts.xml as posts of types 4 and 5, with ids
    after the last real post."""
    next_id = (post_pks[-1] if post_pks else 0) + 1
    wiki_rows: list[dict[str, object]] = []
    out = _DumpFile(directory / "Tags.xml", "tags")
    for tag in Tag.objects.filter(pk__in=list(tag_counts)).order_by("pk"):
        excerpt_id = wiki_id = None
        if tag.excerpt:
            excerpt_id, next_id = next_id, next_id + 1
            wiki_rows.append({"Id": excerpt_id, "PostTypeId": 4, "Body": tag.excerpt, "tag": tag})
        if tag.description_html:
            wiki_id, next_id = next_id, next_id + 1
            wiki_rows.append(
                {"Id": wiki_id, "PostTypeId": 5, "Body": tag.description_html, "tag": tag}
            )
        out.row(
            Id=tag.pk,
            TagName=tag.name,
            Count=tag_counts[tag.pk],
            ExcerptPostId=excerpt_id,
            WikiPostId=wiki_id,
        )
    out.close()
    summary.rows["Tags.xml"] = out.rows
    if wiki_rows:
        # Append to Posts.xml: reopen it before its closing tag.
        path = directory / "Posts.xml"
        text = path.read_text(encoding="utf-8-sig")
        assert text.endswith("</posts>\n")
        with path.open("w", encoding="utf-8-sig", newline="\n") as handle:
            handle.write(text[: -len("</posts>\n")])
            for row in wiki_rows:
                tag = row.pop("tag")
                body = row["Body"]
                if row["PostTypeId"] == 4:
                    body = f"<p>{html.escape(str(body), quote=False)}</p>"
                attrs = {
                    "Id": row["Id"],
                    "PostTypeId": row["PostTypeId"],
                    "CreationDate": tag.created_at,  # type: ignore[attr-defined]
                    "Score": 0,
                    "Body": body,
                    "LastActivityDate": tag.created_at,  # type: ignore[attr-defined]
                    "CommentCount": 0,
                }
                parts = " ".join(f'{k}="{_attr(v)}"' for k, v in attrs.items())
                handle.write(f"  <row {parts} />\n")
            handle.write("</posts>\n")
        summary.rows["Posts.xml"] += len(wiki_rows)


def _write_history(directory: Path, post_pks: list[int], summary: ExportSummary) -> None:
    out = _DumpFile(directory / "PostHistory.xml", "posthistory")
    row_id = 0
    for chunk in _chunks(post_pks):
        previous: dict[int, PostRevision] = {}
        types = dict(Post.objects.filter(pk__in=chunk).values_list("pk", "post_type"))
        for rev in PostRevision.objects.filter(post_id__in=chunk).order_by("post_id", "number"):
            post_type = types[rev.post_id]
            guid = uuid.uuid5(_GUID_NAMESPACE, f"{rev.post_id}:{rev.number}")
            before = previous.get(rev.post_id)
            fields: list[tuple[int, str]] = []
            if before is None:
                if post_type == Post.PostType.QUESTION:
                    fields.append((1, rev.title))
                fields.append((2, rev.body))
                if post_type == Post.PostType.QUESTION:
                    fields.append((3, format_tags(rev.tag_names.split())))
            else:
                if rev.title != before.title:
                    fields.append((4, rev.title))
                if rev.body != before.body or (
                    rev.title == before.title and rev.tag_names == before.tag_names
                ):
                    fields.append((5, rev.body))
                if rev.tag_names != before.tag_names:
                    fields.append((6, format_tags(rev.tag_names.split())))
            for type_id, text in fields:
                row_id += 1
                out.row(
                    Id=row_id,
                    PostHistoryTypeId=type_id,
                    PostId=rev.post_id,
                    RevisionGUID=guid,
                    CreationDate=rev.created_at,
                    UserId=rev.author_id,
                    Comment=rev.summary,
                    Text=text,
                    ContentLicense="CC BY-SA 4.0",
                )
            previous[rev.post_id] = rev
        for post in Post.objects.filter(pk__in=chunk, closed_at__isnull=False).order_by("pk"):
            row_id += 1
            out.row(
                Id=row_id,
                PostHistoryTypeId=10,
                PostId=post.pk,
                RevisionGUID=uuid.uuid5(_GUID_NAMESPACE, f"{post.pk}:closed"),
                CreationDate=post.closed_at,
                Comment=CLOSE_REASON_IDS.get(post.close_reason, ""),
            )
    out.close()
    summary.rows["PostHistory.xml"] = out.rows


def _write_comments(directory: Path, post_pks: list[int], summary: ExportSummary) -> None:
    out = _DumpFile(directory / "Comments.xml", "comments")
    for chunk in _chunks(post_pks):
        for comment in (
            Comment.objects.filter(post_id__in=chunk, is_deleted=False)
            .select_related("author")
            .order_by("pk")
        ):
            out.row(
                Id=comment.pk,
                PostId=comment.post_id,
                Score=comment.score,
                Text=comment.body,
                CreationDate=comment.created_at,
                UserId=comment.author_id,
                UserDisplayName=None if comment.author_id else "",
                ContentLicense="CC BY-SA 4.0",
            )
    out.close()
    summary.rows["Comments.xml"] = out.rows


def _write_votes(directory: Path, post_pks: list[int], summary: ExportSummary) -> None:
    """The totals on each post, one row per vote, without voters (as in the public dump)."""
    out = _DumpFile(directory / "Votes.xml", "votes")
    vote_id = 0
    for chunk in _chunks(post_pks):
        for pk, up, down, created in (
            Post.objects.filter(pk__in=chunk)
            .order_by("pk")
            .values_list("pk", "up_votes", "down_votes", "created_at")
        ):
            day = created.astimezone(datetime.UTC).replace(
                hour=0, minute=0, second=0, microsecond=0
            )
            for type_id, n in ((2, up), (3, down)):
                for _ in range(n):
                    vote_id += 1
                    out.row(Id=vote_id, PostId=pk, VoteTypeId=type_id, CreationDate=day)
    out.close()
    summary.rows["Votes.xml"] = out.rows


def _write_links(directory: Path, post_set: set[int], summary: ExportSummary) -> None:
    out = _DumpFile(directory / "PostLinks.xml", "postlinks")
    links = PostLink.objects.filter(
        Q(from_post__in=list(post_set)) if len(post_set) < 10_000 else Q()
    ).order_by("pk")
    for link in links.iterator(chunk_size=CHUNK):
        if link.from_post_id in post_set and link.to_post_id in post_set:
            out.row(
                Id=link.pk,
                CreationDate=link.created_at,
                PostId=link.from_post_id,
                RelatedPostId=link.to_post_id,
                LinkTypeId=LINK_TYPE_IDS[link.link_type],
            )
    out.close()
    summary.rows["PostLinks.xml"] = out.rows


def _write_badges(directory: Path, users: list[int], summary: ExportSummary) -> None:
    out = _DumpFile(directory / "Badges.xml", "badges")
    for chunk in _chunks(users):
        for award in (
            UserBadge.objects.filter(user_id__in=chunk).select_related("badge").order_by("pk")
        ):
            out.row(
                Id=award.pk,
                UserId=award.user_id,
                Name=award.badge.name,
                Date=award.awarded_at,
                Class=award.badge.tier,
                TagBased=award.badge.is_tag_badge,
            )
    out.close()
    summary.rows["Badges.xml"] = out.rows
