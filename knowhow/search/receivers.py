"""Keeps the search index current: the Q&A, videos and curation apps announce changes, search
reindexes."""

from typing import Any

from knowhow.search.services import question_index_post


def on_post_changed(sender: Any, *, post_id: int, **kwargs: Any) -> None:
    question_index_post(post_id=post_id)


def on_video_changed(sender: Any, *, video_id: int, **kwargs: Any) -> None:
    from knowhow.search.videos import video_index

    video_index(video_id=video_id)


def on_resource_changed(sender: Any, *, resource_id: int, **kwargs: Any) -> None:
    from knowhow.search.resources import resource_index

    resource_index(resource_id=resource_id)
