"""Keeps the search index current: the Q&A app announces changed posts, search reindexes them."""

from typing import Any

from knowhow.search.services import question_index_post


def on_post_changed(sender: Any, *, post_id: int, **kwargs: Any) -> None:
    question_index_post(post_id=post_id)
