"""Writes to the search index: build question documents and keep the index current.

Other apps' posts that should be found too (the discussion post of a video or of a curated
resource) are registered as document types and share the index, keyed by their post id.

One document per question, with the text of its live answers rolled into a low-weight column:
results are questions (as on Stack Overflow), a question whose answers mention the words is a
good hit, the index stays at one row per question (100k rows rather than 350k), and the
visibility and filter join happens once, on the question. The cost is that editing an answer
rewrites its question's document, which is cheap (three indexed queries and one upsert).
"""

import secrets
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from knowhow.qa.models import Post
from knowhow.search.backends import QuestionDocument, get_backend
from knowhow.search.markdown_text import plain_text
from knowhow.search.models import IndexGeneration
from knowhow.search.query import clean_text
from knowhow.search.rebuilders import Progress
from knowhow.videos.selectors import answer_video_captions

REBUILD_BATCH = 1000


@dataclass(frozen=True)
class DocumentType:
    """Posts of another type that share the index with questions, keyed by their own post id
    (e.g. the discussion posts of videos): results then pass through the same visibility join."""

    post_type: str
    # Every post id of this type that should be in the index (for a rebuild).
    ids: Callable[[], list[int]]
    # Documents for the indexable posts among these ids; the others are removed.
    documents: Callable[[Sequence[int]], list[QuestionDocument]]
    # An unordered query of the post ids with a tag, for types that keep their tags on their
    # own row (videos, resources) rather than on the post; None when the post's tags are the tags.
    tagged: Callable[[str], QuerySet] | None = None


_document_types: dict[str, DocumentType] = {}


def index_generation_bump() -> None:
    """Mark the index changed (call in the transaction that writes it): cached rankings of
    every process stop being used. A fresh random value rather than a counter, so that a
    database restored from a backup never brings back a value some cache holds."""
    value = secrets.randbits(62)
    if not IndexGeneration.objects.filter(pk=1).update(value=value):
        IndexGeneration.objects.update_or_create(pk=1, defaults={"value": value})


def register_document_type(document_type: DocumentType) -> None:
    _document_types[document_type.post_type] = document_type


def document_post_types() -> list[str]:
    """Post types that search results may contain: questions, then registered types."""
    return [Post.PostType.QUESTION, *_document_types]


# Beyond this many tagged posts of other types, the tag filter looks at the first ones only.
MAX_TAGGED_OTHERS = 1000


def document_post_ids_tagged(tag: str) -> list[int]:
    """Posts of registered types whose own row carries this tag (for the tag filter), in one
    query whatever the number of types."""
    queries = [t.tagged(tag) for t in _document_types.values() if t.tagged is not None]
    if not queries:
        return []
    combined = queries[0].union(*queries[1:]) if len(queries) > 1 else queries[0]
    return list(combined[:MAX_TAGGED_OTHERS])


def document_index(*, post_type: str, post_ids: Sequence[int]) -> None:
    """Bring the index entries of these posts of a registered type up to date."""
    docs = _document_types[post_type].documents(post_ids)
    live = {d.question_id for d in docs}
    backend = get_backend()
    with transaction.atomic():
        backend.upsert(docs)
        gone = [pk for pk in post_ids if pk not in live]
        if gone:
            backend.remove(gone)
        index_generation_bump()


# Long threads would otherwise make one document dominate the index size.
MAX_ANSWERS_CHARS = 30_000


def question_documents(question_ids: Sequence[int]) -> list[QuestionDocument]:
    """Documents for the live (not deleted) questions among `question_ids`, in four queries."""
    questions = list(
        Post.objects.filter(
            pk__in=question_ids, post_type=Post.PostType.QUESTION, is_deleted=False
        ).values_list("pk", "title", "body")
    )
    ids = [q[0] for q in questions]
    tags: dict[int, list[str]] = defaultdict(list)
    for post_id, name in Post.tags.through.objects.filter(post_id__in=ids).values_list(
        "post_id", "tag__name"
    ):
        tags[post_id].append(name)
    answers: dict[int, list[str]] = defaultdict(list)
    sizes: dict[int, int] = defaultdict(int)
    for question_id, body in (
        Post.objects.filter(question_id__in=ids, is_deleted=False)
        .order_by("question_id", "-score", "id")
        .values_list("question_id", "body")
    ):
        if sizes[question_id] < MAX_ANSWERS_CHARS:
            text = plain_text(body)[: MAX_ANSWERS_CHARS - sizes[question_id]]
            answers[question_id].append(text)
            sizes[question_id] += len(text)
    # What is said in videos attached to answers counts as the answers' text.
    for question_id, texts in answer_video_captions(question_ids=ids).items():
        room = MAX_ANSWERS_CHARS - sizes[question_id]
        if room > 0:
            answers[question_id].append(clean_text("\n".join(texts))[:room])
    return [
        QuestionDocument(
            question_id=pk,
            title=clean_text(title),
            body=plain_text(body),
            tags=" ".join(sorted(tags[pk])),
            answers="\n".join(answers[pk]),
        )
        for pk, title, body in questions
    ]


def question_index(*, question_ids: Sequence[int]) -> None:
    """Bring the index entries of these questions up to date (removing deleted ones)."""
    backend = get_backend()
    docs = question_documents(question_ids)
    live = {d.question_id for d in docs}
    with transaction.atomic():
        backend.upsert(docs)
        gone = [pk for pk in question_ids if pk not in live]
        if gone:
            backend.remove(gone)
        index_generation_bump()


def question_index_post(*, post_id: int) -> None:
    """Reindex the question a changed post belongs to (itself, or the question it answers)."""
    row = Post.objects.filter(pk=post_id).values_list("post_type", "question_id").first()
    if row is None:
        with transaction.atomic():
            get_backend().remove([post_id])
            index_generation_bump()
        return
    post_type, question_id = row
    if post_type in _document_types:
        document_index(post_type=post_type, post_ids=[post_id])
        return
    question_index(question_ids=[post_id if post_type == Post.PostType.QUESTION else question_id])


def question_index_count() -> int:
    count = Post.objects.filter(post_type=Post.PostType.QUESTION, is_deleted=False).count()
    return count + sum(len(t.ids()) for t in _document_types.values())


def question_index_rebuild(progress: Progress | None = None) -> int:
    """Rebuild the whole question index from the posts table; returns the number indexed."""
    backend = get_backend()
    ids = list(
        Post.objects.filter(post_type=Post.PostType.QUESTION, is_deleted=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    done = 0
    with transaction.atomic():
        backend.begin_rebuild()
        for start in range(0, len(ids), REBUILD_BATCH):
            docs = question_documents(ids[start : start + REBUILD_BATCH])
            backend.upsert(docs, fresh=True)
            done += len(docs)
            if progress is not None:
                progress(done)
        for document_type in _document_types.values():
            others = document_type.ids()
            for start in range(0, len(others), REBUILD_BATCH):
                docs = document_type.documents(others[start : start + REBUILD_BATCH])
                backend.upsert(docs, fresh=True)
                done += len(docs)
                if progress is not None:
                    progress(done)
        backend.finish_rebuild()
        index_generation_bump()
    return done
