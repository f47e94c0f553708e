"""Input and output shapes of the API. Outputs read attributes the selectors already loaded."""

import datetime
import re
from typing import Annotated, Any, Generic, Literal, TypeVar

from django.conf import settings
from ninja import Schema
from pydantic import AfterValidator, Field

from knowhow.qa.models import TAG_NAME_PATTERN

# NUL and lone surrogates cannot be stored by the databases; refuse them as invalid input.
_UNSTORABLE_RE = re.compile("[\x00\ud800-\udfff]")


def _storable(value: str) -> str:
    if _UNSTORABLE_RE.search(value):
        raise ValueError("contains characters that cannot be stored (NUL or lone surrogates)")
    return value


Text = Annotated[str, AfterValidator(_storable)]
TAG_PATTERN = TAG_NAME_PATTERN
SLUG_PATTERN = r"^[-a-zA-Z0-9_]{1,100}$"
MAX_ID = 2**63 - 1

T = TypeVar("T")


class Paged(Schema, Generic[T]):
    count: int
    page: int
    page_size: int
    num_pages: int
    next: str | None
    previous: str | None
    results: list[T]


class UserBrief(Schema):
    id: int
    username: str
    display_name: str
    reputation: int
    url: str

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return obj.get_absolute_url()


class UserOut(UserBrief):
    job_title: str
    department: str
    bio: str
    date_joined: datetime.datetime
    source: str
    source_id: int | None


class SpaceOut(Schema):
    slug: str
    name: str
    description: str
    visibility: str
    is_default: bool
    source: str
    url: str

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return obj.get_absolute_url()


class TagOut(Schema):
    id: int
    name: str
    excerpt: str
    question_count: int
    source: str
    source_id: int | None


class PostCommon(Schema):
    id: int
    author: UserBrief | None
    score: int
    comment_count: int
    created_at: datetime.datetime
    edited_at: datetime.datetime | None
    is_deleted: bool
    source: str
    source_id: int | None
    url: str

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return obj.get_absolute_url()


class QuestionSummary(PostCommon):
    title: str
    space: str
    tags: list[str]
    answer_count: int
    view_count: int
    accepted_answer_id: int | None
    last_activity_at: datetime.datetime
    is_closed: bool

    @staticmethod
    def resolve_space(obj: Any) -> str:
        return obj.space.slug

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return [t.name for t in obj.tags.all()]

    @staticmethod
    def resolve_is_closed(obj: Any) -> bool:
        return obj.closed_at is not None


class PostLinkOut(Schema):
    """A link from this question: a duplicate (of `to_question_id`) or a related question."""

    link_type: str
    to_question_id: int
    source: str
    source_id: int | None

    @staticmethod
    def resolve_to_question_id(obj: Any) -> int:
        return obj.to_post_id


class QuestionOut(QuestionSummary):
    body: str
    body_html: str
    links: list[PostLinkOut]

    @staticmethod
    def resolve_links(obj: Any) -> list[Any]:
        return list(obj.links_out.order_by("pk"))


class AnswerOut(PostCommon):
    question_id: int
    body: str
    body_html: str
    is_accepted: bool

    @staticmethod
    def resolve_is_accepted(obj: Any) -> bool:
        question = obj.question
        return question is not None and question.accepted_answer_id == obj.pk


class PostRef(Schema):
    id: int
    post_type: str
    question_id: int
    source: str
    source_id: int | None
    url: str

    @staticmethod
    def resolve_question_id(obj: Any) -> int:
        return obj.question_id or obj.pk

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return obj.get_absolute_url()


class CommentOut(Schema):
    id: int
    post_id: int
    author: UserBrief | None
    body: str
    body_html: str
    score: int
    created_at: datetime.datetime
    source: str
    source_id: int | None


class RevisionOut(Schema):
    number: int
    author: UserBrief | None
    title: str
    body: str
    tags: list[str]
    summary: str
    created_at: datetime.datetime
    source: str
    source_id: int | None

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return obj.tag_names.split()


class VoteOut(Schema):
    post_id: int
    score: int
    up_votes: int
    down_votes: int
    my_vote: int


class AcceptOut(Schema):
    question_id: int
    accepted_answer_id: int | None


class SearchResourceOut(Schema):
    """For a hit that is a curated resource (its `question` is the resource's discussion post,
    post_type "resource"): the link it points to and its page here."""

    id: int
    url: str
    site_name: str
    tags: list[str]
    page_url: str

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return [t.name for t in obj.tags.all()]

    @staticmethod
    def resolve_page_url(obj: Any) -> str:
        return str(obj.get_absolute_url())


class SearchHitOut(Schema):
    question: QuestionSummary
    title_html: str
    excerpt_html: str
    resource: SearchResourceOut | None = None


class QuestionIn(Schema):
    title: Text = Field(max_length=1000)
    body: Text = Field(max_length=200_000)
    tags: list[Annotated[Text, Field(max_length=100)]] = Field(max_length=20)
    space: Text | None = Field(
        default=None,
        max_length=100,
        description="Space slug (default: the organisation-wide space)",
    )


class QuestionPatch(Schema):
    title: Text | None = Field(default=None, max_length=1000)
    body: Text | None = Field(default=None, max_length=200_000)
    tags: list[Annotated[Text, Field(max_length=100)]] | None = Field(default=None, max_length=20)
    summary: Text = Field(default="", max_length=300)


class AnswerIn(Schema):
    body: Text = Field(max_length=200_000)


class AnswerPatch(Schema):
    body: Text = Field(max_length=200_000)
    summary: Text = Field(default="", max_length=300)


class CommentIn(Schema):
    body: Text = Field(max_length=20_000)


class VoteIn(Schema):
    value: Literal[-1, 0, 1]


def page_size_default() -> int:
    return int(settings.KNOWHOW.get("PAGE_SIZE", 20))
