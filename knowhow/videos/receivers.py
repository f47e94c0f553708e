"""What the videos app adds to pages of the apps it builds on."""

from typing import Any

from django.urls import reverse

from knowhow.qa.models import Post, Tag
from knowhow.videos.selectors import video_list, videos_for_answers

TAG_PAGE_VIDEOS = 4


def attach_answer_videos(
    sender: type[Post], *, answers: list[Post], viewer: Any, **kwargs: Any
) -> None:
    """Give each answer on a question page its videos (one query) and, for its author, the
    link to add one ("answer with a video")."""
    by_answer = (
        videos_for_answers(answer_ids=[a.pk for a in answers], viewer=viewer) if answers else {}
    )
    signed_in = bool(viewer and viewer.is_authenticated)
    upload = reverse("videos:upload_page")
    for answer in answers:
        answer.attached_videos = by_answer.get(answer.pk, [])  # type: ignore[attr-defined]
        own = signed_in and answer.author_id == viewer.pk and not answer.is_deleted
        answer.video_upload_url = f"{upload}?answer={answer.pk}" if own else ""  # type: ignore[attr-defined]


def attach_tag_videos(
    sender: type[Tag], *, tag: Tag, viewer: Any, panels: list, **kwargs: Any
) -> None:  # type: ignore[type-arg]
    """The newest videos with this tag, above the tag page's questions (one or two queries)."""
    videos = list(video_list(viewer=viewer, tag=tag.name)[: TAG_PAGE_VIDEOS + 1])
    if videos:
        panels.append(
            {
                "template": "videos/_tag_videos.html",
                "tag_videos": videos[:TAG_PAGE_VIDEOS],
                "more_tag_videos": len(videos) > TAG_PAGE_VIDEOS,
            }
        )
