"""Reads for Q&A. Each list or page fetches what it shows in a fixed number of queries."""

import copy
import difflib
import hashlib
import unicodedata
from dataclasses import dataclass, replace
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.functional import cached_property

from knowhow.accounts.models import User
from knowhow.core.errors import NotFound
from knowhow.core.read_memo import memoized
from knowhow.core.text import clean_text
from knowhow.qa.models import Comment, Post, PostRevision, Tag, TagFollow, Vote
from knowhow.qa.permissions import check_view_post
from knowhow.reputation.config import Privilege
from knowhow.reputation.privileges import has_privilege
from knowhow.reputation.selectors import open_bounty_id_annotation
from knowhow.spaces.models import Space
from knowhow.spaces.selectors import (
    Viewer,
    space_moderator_annotation,
    visibility_signature,
    visible_space_q,
)


class QuestionSort:
    NEWEST = "newest"
    ACTIVE = "active"
    TOP = "top"
    UNANSWERED = "unanswered"
    CHOICES = [(NEWEST, "Newest"), (ACTIVE, "Active"), (TOP, "Top"), (UNANSWERED, "Unanswered")]
    ORDER = {
        NEWEST: ("-created_at", "-id"),
        ACTIVE: ("-last_activity_at", "-id"),
        TOP: ("-score", "-created_at"),
        UNANSWERED: ("-created_at", "-id"),
    }


def visible_posts(viewer: Viewer) -> QuerySet[Post]:
    """Posts in spaces the viewer sees, without those hidden by flags (except the viewer's own)."""
    unhidden = Q(is_hidden=False)
    if viewer is not None and viewer.is_authenticated:
        unhidden |= Q(author_id=viewer.pk)
    return Post.objects.filter(visible_space_q(viewer)).filter(unhidden)


# From this many questions a tag's list is read in list order rather than tag first.
FREQUENT_TAG_QUESTIONS = 2_000
# How long a tag name's id and question count are kept for choosing that plan (a stale count
# only chooses a slower plan for a while; the results are the same either way).
TAG_PLAN_SECONDS = 300


def _tag_for_plan(name: str) -> "Tag | None":
    """The tag of this name with its id and question count, from the cache when it can be: the
    `?tag=` filters of the question list and the API have only the name, and one more query per
    list to choose the plan would cost more than it saves on rare tags."""
    key = "qa:tag-plan:" + hashlib.sha256(name.encode()).hexdigest()[:32]
    found = cache.get(key)
    if found is None:
        row = Tag.objects.filter(name=name).values_list("pk", "question_count").first()
        found = list(row) if row else [0, 0]
        cache.set(key, found, TAG_PLAN_SECONDS)
    pk, count = found
    return Tag(pk=pk, name=name, question_count=count) if pk else None


def question_list(
    *,
    viewer: Viewer,
    sort: str = QuestionSort.ACTIVE,
    tag: "str | Tag | None" = None,
    space: Space | None = None,
    author: User | None = None,
    source: str | None = None,
    source_id: int | None = None,
) -> QuerySet[Post]:
    if sort not in QuestionSort.ORDER:
        sort = QuestionSort.ACTIVE
    qs = visible_posts(viewer).filter(post_type=Post.PostType.QUESTION, is_deleted=False)
    if sort == QuestionSort.UNANSWERED:
        qs = qs.filter(answer_count=0)
    if isinstance(tag, str) and tag:
        found = _tag_for_plan(clean_text(tag))
        # An unknown tag keeps the name filter (no results, as before).
        tag = found if found is not None and found.question_count >= FREQUENT_TAG_QUESTIONS else tag
    if isinstance(tag, Tag) and tag.question_count >= FREQUENT_TAG_QUESTIONS:
        # A frequent tag: read questions in list order and keep those with the tag (about one in
        # ten or more qualifies) instead of fetching and sorting every question of the tag, which
        # the join below makes SQLite do (240 ms for a tag with 33,000 questions against 3 ms).
        tagged = Post.tags.through.objects.filter(post_id=OuterRef("pk"), tag_id=tag.pk)
        qs = qs.filter(Exists(tagged))
    elif isinstance(tag, Tag):
        qs = qs.filter(tags=tag)
    elif tag:
        qs = qs.filter(tags__name=clean_text(tag))
    if space is not None:
        qs = qs.filter(space=space)
    if author is not None:
        qs = qs.filter(author=author)
    if source is not None:
        qs = qs.filter(source=source)
    if source_id is not None:
        qs = qs.filter(source_id=source_id)
    return (
        qs.select_related("author", "space")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name")))
        .order_by(*QuestionSort.ORDER[sort])
    )


class CachedCountPaginator(Paginator):
    """A paginator whose total is kept in the cache for a minute under `count_key`: counting every
    visible question on each list view was the most expensive part of the page (hundreds of
    milliseconds on 100,000 questions before the covering index `post_count_visible`)."""

    def __init__(self, *args: Any, count_key: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self) -> int:
        if self.count_key is None:
            return super().count
        total = cache.get(self.count_key)
        if total is None:
            total = super().count
            cache.set(self.count_key, total, LIST_COUNT_SECONDS)
        return int(total)

    def page(self, number: Any) -> Page:
        # Slice by the page size, not by the (possibly minute-old) total, so that a page never
        # drops questions asked since the total was counted.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)


LIST_COUNT_SECONDS = 60


def list_count_key(
    *,
    viewer: Viewer,
    sort: str,
    tag: str | None = None,
    space: Space | None = None,
    author: User | None = None,
    source: str | None = None,
    source_id: int | None = None,
) -> str:
    """The cache key for a question list's total, shared by everyone who sees the same spaces
    (every anonymous visitor; signed-in people by the private spaces they belong to). The total
    may lag a minute behind, and a signed-in author's own flag-hidden questions, which only they
    see, are not in the shared total; the page itself is always read fresh."""
    bucket = "unanswered" if sort == QuestionSort.UNANSWERED else "all"
    # Filters come from the URL: hashed, so that any length or character makes a valid key.
    filters = f"{tag or ''}|{space.pk if space else ''}|{author.pk if author else ''}|"
    filters += (
        f"{source if source is not None else ''}|{source_id if source_id is not None else ''}"
    )
    digest = hashlib.blake2b(
        f"{filters}|{visibility_signature(viewer)}".encode(), digest_size=12
    ).hexdigest()
    return f"qlist-count:{bucket}:{digest}"


def paginate(
    qs: QuerySet, *, page: str | int | None, per_page: int = 20, count_key: str | None = None
) -> Page:
    paginator = CachedCountPaginator(qs, per_page, count_key=count_key)
    return paginator.get_page(page)


@dataclass
class QuestionPage:
    question: Post
    answers: list[Post]
    my_votes: dict[int, int]
    viewer_is_moderator: bool


def question_get_for_viewer(
    *, pk: int, viewer: Viewer, my_votes: dict[int, int] | None = None
) -> QuestionPage:
    """A question with its answers, comments, tags and the viewer's own votes.

    A fixed number of queries whatever the number of answers and comments: the question (with
    the visibility filter and the viewer's moderator flag folded in), its tags, the answers,
    all comments at once and the viewer's votes.
    """
    question = (
        Post.objects.filter(visible_space_q(viewer), pk=pk, post_type=Post.PostType.QUESTION)
        .select_related("author", "space", "last_editor")
        .annotate(viewer_is_moderator=space_moderator_annotation(viewer))
        # No extra query for the (usual) question without a bounty.
        .annotate(open_bounty_id=open_bounty_id_annotation())
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name")))
        .first()
    )
    if question is None:
        raise NotFound("That question does not exist or is not visible to you.")
    signed_in = viewer is not None and viewer.is_authenticated and viewer.is_active
    moderator = bool(signed_in and question.viewer_is_moderator)  # type: ignore[attr-defined]

    def sees_hidden(post: Post) -> bool:
        # Posts hidden by flags stay visible to their author, reviewers and moderators.
        return (
            not post.is_hidden
            or moderator
            or (signed_in and post.author_id == viewer.pk)  # type: ignore[union-attr]
            or has_privilege(viewer, Privilege.REVIEW)
        )

    def sees(post: Post) -> bool:
        return (
            not post.is_deleted or moderator or (signed_in and post.author_id == viewer.pk)  # type: ignore[union-attr]
        ) and sees_hidden(post)

    if not sees(question):
        raise NotFound(
            "That post has been deleted."
            if question.is_deleted
            else "That post is hidden pending review."
        )
    answers = [
        a
        for a in Post.objects.filter(question=question)
        .select_related("author", "last_editor")
        .order_by("-score", "created_at")
        if sees(a)
    ]
    # The accepted answer comes first, as on Stack Overflow.
    answers.sort(key=lambda a: a.pk != question.accepted_answer_id)
    posts = [question, *answers]
    comments: dict[int, list[Comment]] = {p.pk: [] for p in posts}
    for c in (
        Comment.objects.filter(post_id__in=comments, is_deleted=False)
        .select_related("author")
        .order_by("created_at", "id")
    ):
        comments[c.post_id].append(c)
    for post in posts:
        post.visible_comments = comments[post.pk]  # type: ignore[attr-defined]
    for a in answers:
        a.question = question
        a.space = question.space
    if my_votes is None:
        # Callers that have them already (the question page's thread state) pass them in.
        my_votes = {}
        if signed_in:
            my_votes = dict(
                Vote.objects.filter(user_id=viewer.pk, post_id__in=comments).values_list(  # type: ignore[union-attr]
                    "post_id", "value"
                )
            )
    return QuestionPage(
        question=question, answers=answers, my_votes=my_votes, viewer_is_moderator=moderator
    )


# What the rendered thread shows of each post, apart from bodies and comments (whose changes
# move `edited_at`, `comment_count` or `last_activity_at`). Every write to a thread, whichever
# app makes it (votes, edits, answers, acceptance, comments, close, lock, hide, delete), changes
# one of these columns, so their values identify the rendered thread without any signal.
THREAD_FIELDS = (
    "id", "post_type", "question_id", "author_id", "last_editor_id", "title", "score",
    "up_votes", "down_votes", "answer_count", "comment_count", "accepted_answer_id",
    "created_at", "edited_at", "last_activity_at", "is_deleted", "closed_at", "close_reason",
    "is_hidden", "hidden_reason", "is_locked", "source",
)  # fmt: skip


@dataclass
class QuestionThreadState:
    """A question page's visibility check and the fingerprint of its thread, in one query."""

    question: Post
    posts: list[Post]
    viewer_is_moderator: bool
    fingerprint: str
    my_votes: dict[int, int]


def question_thread_state(*, pk: int, viewer: Viewer) -> QuestionThreadState:
    """The question (only if the viewer may see its space) and its answers' state columns.

    One query, no bodies: the question row and its answers' rows by index, the space joined
    for the visibility filter. Raises NotFound like `question_get_for_viewer`; whether the
    viewer may see a deleted or hidden question is left to that selector, which the page calls
    whenever the thread is not already rendered for this kind of viewer.

    The result is reused while the database has not changed at all (`read_memo`: one `PRAGMA
    data_version` on SQLite, one `pg_current_snapshot()` on PostgreSQL, instead of compiling and
    running the query), per kind of viewer.
    """
    signed_in = viewer is not None and viewer.is_authenticated
    # Everything about the viewer that the query reads; the rest of it is in the database.
    who = (viewer.pk, viewer.is_superuser, viewer.is_staff) if signed_in else None  # type: ignore[union-attr]
    state = memoized(("question_thread_state", pk, who), lambda: _thread_state(pk, viewer))
    # The page counts a view on its question object: the memo keeps its own.
    return replace(state, question=copy.copy(state.question))


def _thread_state(pk: int, viewer: Viewer) -> QuestionThreadState:
    qs = (
        Post.objects.filter(Q(pk=pk, post_type=Post.PostType.QUESTION) | Q(question_id=pk))
        .filter(visible_space_q(viewer))
        .select_related("space")
        .only(*THREAD_FIELDS, "view_count", "space")
        .annotate(viewer_is_moderator=space_moderator_annotation(viewer))
        # An offered, awarded or expired bounty changes the thread without touching a post.
        .annotate(open_bounty_id=open_bounty_id_annotation())
        .order_by("id")
    )
    signed_in = viewer is not None and viewer.is_authenticated
    if signed_in:
        own_vote = Vote.objects.filter(post_id=OuterRef("pk"), user_id=viewer.pk)  # type: ignore[union-attr]
        qs = qs.annotate(my_vote=Subquery(own_vote.values("value")[:1]))
    rows = list(qs)
    question = next((p for p in rows if p.pk == pk and p.is_question), None)
    if question is None:
        raise NotFound("That question does not exist or is not visible to you.")
    space = question.space
    state = [
        tuple(getattr(space, f.attname) for f in space._meta.concrete_fields),
        *(tuple(getattr(p, f) for f in THREAD_FIELDS) for p in rows),
        question.open_bounty_id,  # type: ignore[attr-defined]
    ]
    fingerprint = hashlib.blake2b(repr(state).encode(), digest_size=16).hexdigest()
    return QuestionThreadState(
        question=question,
        posts=rows,
        viewer_is_moderator=bool(question.viewer_is_moderator),  # type: ignore[attr-defined]
        fingerprint=fingerprint,
        my_votes={p.pk: p.my_vote for p in rows if getattr(p, "my_vote", None)},  # type: ignore[attr-defined]
    )


def post_get_for_viewer(*, pk: int, viewer: Viewer) -> Post:
    post = (
        Post.objects.select_related("space", "question", "question__space", "author")
        .filter(pk=pk)
        .first()
    )
    if post is None:
        raise NotFound("No such post.")
    check_view_post(viewer, post)
    return post


def revisions_for(*, post: Post) -> list[PostRevision]:
    return list(post.revisions.select_related("author").order_by("-number"))


@dataclass
class RevisionDiff:
    old: PostRevision | None
    new: PostRevision
    title_diff: list[tuple[str, str]]
    body_diff: list[tuple[str, str]]
    tags_diff: list[tuple[str, str]]


def _word_diff(a: str, b: str) -> list[tuple[str, str]]:
    """Diff as (op, text) pieces, op in {"eq", "del", "ins"}; words for short text, lines for long."""
    split_lines = "\n" in a or "\n" in b
    # "".split(" ") is [""], which would show an empty deletion against a first revision.
    ta = (a.splitlines(keepends=True) if split_lines else a.split(" ")) if a else []
    tb = (b.splitlines(keepends=True) if split_lines else b.split(" ")) if b else []
    sep = "" if split_lines else " "
    # Lines are compared without their line ending: a last line that gains a newline when text
    # is added below it is still the same line, not a deletion and an insertion.
    ka = [t.rstrip("\r\n") for t in ta] if split_lines else ta
    kb = [t.rstrip("\r\n") for t in tb] if split_lines else tb
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=ka, b=kb, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("eq", sep.join(tb[j1:j2])))
        else:
            if i2 > i1:
                out.append(("del", sep.join(ta[i1:i2])))
            if j2 > j1:
                out.append(("ins", sep.join(tb[j1:j2])))
    return out


def revision_diff(*, post: Post, number: int) -> RevisionDiff:
    revisions = {
        r.number: r
        for r in post.revisions.select_related("author").filter(number__in=[number - 1, number])
    }
    new = revisions.get(number)
    if new is None:
        raise NotFound("No such revision.")
    old = revisions.get(number - 1)
    return RevisionDiff(
        old=old,
        new=new,
        title_diff=_word_diff(old.title if old else "", new.title),
        body_diff=_word_diff(old.body if old else "", new.body),
        tags_diff=_word_diff(old.tag_names if old else "", new.tag_names),
    )


def tag_list(*, viewer: Viewer, query: str = "", sort: str = "popular") -> QuerySet[Tag]:
    """Tags with the number of questions the viewer can see (`visible_count`).

    The cached `Tag.question_count` counts questions in private spaces too, so a list shown to
    people counts visible questions instead, and leaves out tags used only where they cannot
    look: a private pilot's tag name is itself information.
    """
    visible = Q(
        questions__post_type=Post.PostType.QUESTION, questions__is_deleted=False
    ) & visible_space_q(viewer, prefix="questions__space")
    qs = Tag.objects.annotate(visible_count=Count("questions", filter=visible)).filter(
        visible_count__gt=0
    )
    if query:
        qs = qs.filter(name__icontains=clean_text(query).strip().lower()[:35])
    return qs.order_by("name") if sort == "name" else qs.order_by("-visible_count", "name")


def tag_get(*, name: str) -> Tag:
    tag = Tag.objects.filter(
        name=unicodedata.normalize("NFC", clean_text(name).strip().lower())
    ).first()
    if tag is None:
        raise NotFound("No such tag.")
    return tag


def followed_tag_ids(*, user: Viewer) -> set[int]:
    if user is None or not user.is_authenticated:
        return set()
    return set(TagFollow.objects.filter(user_id=user.pk).values_list("tag_id", flat=True))


def followed_tags(*, user: User, viewer: Viewer) -> QuerySet[Tag]:
    """The tags a person follows, as shown to `viewer`: like the tag list, a tag used only in
    spaces the viewer cannot see is left out."""
    visible = visible_posts(viewer).filter(
        post_type=Post.PostType.QUESTION, is_deleted=False, tags=OuterRef("pk")
    )
    return Tag.objects.filter(follows__user=user).filter(Exists(visible)).order_by("name")


def answers_by(*, author: User, viewer: Viewer) -> QuerySet[Post]:
    return (
        visible_posts(viewer)
        .filter(
            post_type=Post.PostType.ANSWER,
            author=author,
            is_deleted=False,
            question__is_deleted=False,
        )
        .select_related("question")
        .order_by("-score", "-created_at")
    )


def user_stats(*, user: User, viewer: Viewer) -> dict[str, int]:
    posts = visible_posts(viewer).filter(author=user, is_deleted=False)
    answer = Q(post_type=Post.PostType.ANSWER, question__is_deleted=False)
    return posts.aggregate(
        questions=Count("pk", filter=Q(post_type=Post.PostType.QUESTION)),
        answers=Count("pk", filter=answer),
        accepted=Count("pk", filter=answer & Q(accepted_for__isnull=False)),
    )


def comments_for(*, post: Post) -> QuerySet[Comment]:
    return (
        post.comments.filter(is_deleted=False).select_related("author").order_by("created_at", "id")
    )


def post_get_by_source(*, source: str, source_id: int, viewer: Viewer) -> Post:
    """A visible, live question or answer by where it was imported from."""
    post = (
        visible_posts(viewer)
        .filter(source=source, source_id=source_id, is_deleted=False)
        .select_related("space")
        .order_by("pk")
        .first()
    )
    if post is None:
        raise NotFound("No visible post has that source and source id.")
    return post


def user_get(*, pk: int) -> User:
    person = User.objects.filter(pk=pk, is_active=True).first()
    if person is None:
        raise NotFound("No such person.")
    return person


def user_list(*, source: str | None = None, source_id: int | None = None) -> QuerySet[User]:
    qs = User.objects.filter(is_active=True)
    if source is not None:
        qs = qs.filter(source=source)
    if source_id is not None:
        qs = qs.filter(source_id=source_id)
    return qs.order_by("pk")


def comment_get(*, pk: int) -> Comment:
    comment = Comment.objects.select_related("post__space", "post__question").filter(pk=pk).first()
    if comment is None:
        raise NotFound("No such comment.")
    return comment
