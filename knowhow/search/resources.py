"""Curated resources in the full-text index: title, description, site, tags and the curator's
note, under their discussion post's id, so that results pass the same visibility join."""

from collections.abc import Sequence

from django.db.models import QuerySet

from knowhow.curation.models import Resource
from knowhow.curation.selectors import (
    resource_post_ids,
    resource_post_ids_tagged,
    resource_search_documents,
)
from knowhow.qa.models import Post
from knowhow.search.backends import QuestionDocument
from knowhow.search.markdown_text import plain_text
from knowhow.search.query import clean_text
from knowhow.search.services import DocumentType, document_index


def resource_documents(post_ids: Sequence[int]) -> list[QuestionDocument]:
    # The body holds the curator's note, the summary the site gives and the site's name and
    # host; nothing goes in the low-weight column (a resource has no answers).
    return [
        QuestionDocument(
            question_id=doc.post_id,
            title=clean_text(doc.title),
            body="\n".join(
                p for p in (plain_text(doc.note), clean_text(doc.description), doc.site) if p
            ),
            tags=" ".join(doc.tags),
            answers="",
        )
        for doc in resource_search_documents(post_ids=post_ids)
    ]


def _tagged(tag: str) -> QuerySet:
    return resource_post_ids_tagged(tag=tag)


RESOURCE_DOCUMENTS = DocumentType(
    post_type=Post.PostType.RESOURCE,
    ids=resource_post_ids,
    documents=resource_documents,
    tagged=_tagged,
)


def resource_index(*, resource_id: int) -> None:
    """Reindex one resource (added, edited, previewed, deleted, hidden or restored)."""
    post_id = Resource.objects.filter(pk=resource_id).values_list("post_id", flat=True).first()
    if post_id is not None:
        document_index(post_type=Post.PostType.RESOURCE, post_ids=[post_id])
