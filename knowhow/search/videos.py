"""Standalone videos in the full-text index: title, description, tags and caption text, under
their discussion post's id, so that a phrase said in a video finds it."""

from collections.abc import Sequence

from django.db.models import QuerySet

from knowhow.qa.models import Post
from knowhow.search.backends import QuestionDocument
from knowhow.search.markdown_text import plain_text
from knowhow.search.query import clean_text
from knowhow.search.services import DocumentType, document_index, question_index_post
from knowhow.videos.models import Video
from knowhow.videos.selectors import (
    video_post_ids,
    video_post_ids_tagged,
    video_search_documents,
)

# Caption text goes in the low-weight column, like answers: words said in passing rank below
# words in the title or the description.
MAX_CAPTION_CHARS = 30_000


def video_documents(post_ids: Sequence[int]) -> list[QuestionDocument]:
    return [
        QuestionDocument(
            question_id=doc.post_id,
            title=clean_text(doc.title),
            body=plain_text(doc.description),
            tags=" ".join(doc.tags),
            answers=clean_text(doc.captions)[:MAX_CAPTION_CHARS],
        )
        for doc in video_search_documents(post_ids=post_ids)
    ]


def _tagged(tag: str) -> QuerySet:
    return video_post_ids_tagged(tag=tag)


VIDEO_DOCUMENTS = DocumentType(
    post_type=Post.PostType.VIDEO, ids=video_post_ids, documents=video_documents, tagged=_tagged
)


def video_index(*, video_id: int) -> None:
    """Reindex one video (after it was published or its captions changed): its own document,
    or, for a video attached to an answer, the document of that answer's question."""
    row = Video.objects.filter(pk=video_id).values_list("post_id", "answer_id").first()
    if row is None:
        return
    post_id, answer_id = row
    if post_id is not None:
        document_index(post_type=Post.PostType.VIDEO, post_ids=[post_id])
    if answer_id is not None:
        question_index_post(post_id=answer_id)
