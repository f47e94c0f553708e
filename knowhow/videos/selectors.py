"""Reads for videos; visibility always goes through knowhow.spaces.selectors."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from knowhow.accounts.models import User
from knowhow.core.errors import NotFound
from knowhow.qa.models import Tag
from knowhow.spaces.selectors import Viewer, visible_space_q
from knowhow.videos.models import Caption, PlaySession, TranscodeJob, Video, VideoRendition
from knowhow.videos.permissions import can_view_video


def _published() -> Q:
    live = Q(is_deleted=False) & (
        Q(post__isnull=True) | Q(post__is_deleted=False, post__is_hidden=False)
    )
    return live & (Q(status=Video.Status.READY) | Q(is_playable=True))


def video_list(
    *, viewer: Viewer, tag: str | None = None, uploader: User | None = None
) -> QuerySet[Video]:
    qs = Video.objects.filter(_published() & visible_space_q(viewer))
    if tag:
        qs = qs.filter(tags__name=tag)
    if uploader is not None:
        qs = qs.filter(uploader=uploader)
    return (
        qs.select_related("uploader", "space")
        .prefetch_related("tags")
        .order_by("-published_at", "-pk")
    )


def video_get_for_viewer(*, pk: int, viewer: Viewer) -> Video:
    video = (
        Video.objects.select_related("uploader", "space", "answer", "post")
        .prefetch_related(
            "tags",
            Prefetch("captions", queryset=Caption.objects.order_by("language")),
            Prefetch("renditions", queryset=VideoRendition.objects.order_by("height")),
        )
        .filter(pk=pk)
        .first()
    )
    if video is None or not can_view_video(viewer, video):
        raise NotFound("No such video.")
    return video


def video_media_get_for_viewer(*, pk: int, viewer: Viewer) -> Video:
    """The lighter lookup for each segment request: only what the permission check needs."""
    video = Video.objects.select_related("space", "post").filter(pk=pk).first()
    if video is None or not can_view_video(viewer, video):
        raise NotFound("No such video.")
    return video


def latest_job(video: Video) -> TranscodeJob | None:
    return video.jobs.order_by("-created_at", "-pk").first()


def videos_for_answers(*, answer_ids: list[int], viewer: Viewer) -> dict[int, list[Video]]:
    """Videos attached to answers ("answer with a video"), for the question page."""
    result: dict[int, list[Video]] = {}
    for video in Video.objects.filter(
        _published() & visible_space_q(viewer), answer_id__in=answer_ids
    ):
        result.setdefault(video.answer_id, []).append(video)  # type: ignore[arg-type]
    return result


def resume_position(*, viewer: Viewer, video: Video) -> float:
    """Where this person stopped last time (0 when finished or never watched)."""
    if not viewer or not viewer.is_authenticated:
        return 0.0
    last = (
        PlaySession.objects.filter(viewer_id=viewer.pk, video=video)
        .order_by("-updated_at")
        .values_list("position_seconds", flat=True)
        .first()
    )
    if not last or not video.duration_seconds or last > video.duration_seconds - 3:
        return 0.0
    return float(last)


# --- Search ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VideoSearchDocument:
    """What search indexes for a standalone video, under its discussion post's id (the post
    carries the space, so the search app applies visibility as for any other post)."""

    post_id: int
    title: str
    description: str
    tags: list[str]
    captions: str  # the text of every caption track


def video_post_ids() -> list[int]:
    """Discussion posts of every published standalone video, for a full reindex."""
    return list(
        Video.objects.filter(_published(), post__isnull=False)
        .order_by("post_id")
        .values_list("post_id", flat=True)
    )


def video_search_documents(*, post_ids: Sequence[int]) -> list[VideoSearchDocument]:
    """Documents for the published videos among these discussion posts (three queries);
    posts whose video is unpublished, deleted or hidden get none and leave the index."""
    videos = list(
        Video.objects.filter(_published(), post_id__in=post_ids)
        .only("pk", "post_id", "title", "description")
        .prefetch_related(
            Prefetch("tags", queryset=Tag.objects.only("id", "name")),
            Prefetch("captions", queryset=Caption.objects.only("id", "video_id", "text")),
        )
    )
    return [
        VideoSearchDocument(
            post_id=video.post_id,  # type: ignore[arg-type]
            title=video.title,
            description=video.description,
            tags=sorted(t.name for t in video.tags.all()),
            captions="\n".join(c.text for c in video.captions.all()),
        )
        for video in videos
    ]


def answer_video_captions(*, question_ids: Sequence[int]) -> dict[int, list[str]]:
    """Caption text of the published videos attached to answers of these questions ("answer
    with a video"), by question id (one query), so that what is said in them finds the question."""
    found: dict[int, list[str]] = {}
    rows = (
        Caption.objects.filter(
            video__in=Video.objects.filter(_published()),
            video__answer__question_id__in=question_ids,
            video__answer__is_deleted=False,
        )
        .order_by("video__answer__question_id", "video_id", "language")
        .values_list("video__answer__question_id", "text")
    )
    for question_id, text in rows:
        found.setdefault(question_id, []).append(text)
    return found


def video_post_ids_tagged(*, tag: str) -> QuerySet:
    """Discussion posts of the published videos with this tag (for search's tag filter), as an
    unordered query that search combines with other kinds' into one."""
    return (
        Video.objects.filter(_published(), tags__name=tag, post__isnull=False)
        .order_by()
        .values_list("post_id", flat=True)
    )


def videos_by_post(*, post_ids: Sequence[int]) -> dict[int, Video]:
    """The videos of these discussion posts with their tags (for search results: poster,
    duration, tags), in two queries."""
    if not post_ids:
        return {}
    return {
        v.post_id: v  # type: ignore[misc]
        for v in Video.objects.filter(post_id__in=post_ids)
        .only("pk", "post_id", "poster", "duration_seconds", "width", "height", "key")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name")))
    }


def video_search(*, viewer: Viewer, query: str) -> QuerySet[Video]:
    """A simple search over titles, descriptions and caption text, for the videos page's own
    filter (the site's search finds videos through the full-text index)."""
    terms = [t for t in query.split() if t][:8]
    qs = video_list(viewer=viewer)
    for term in terms:
        qs = qs.filter(
            Q(title__icontains=term)
            | Q(description__icontains=term)
            | Q(captions__text__icontains=term)
        )
    return qs.distinct()


# --- Measures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class VideoStats:
    plays: int
    unique_viewers: int
    average_percent_watched: float
    # Share of plays (0-100) that reached each of PlaySession.DROP_OFF_BUCKETS slices.
    drop_off: list[float]


def _stats(sessions: QuerySet[PlaySession]) -> VideoStats:
    buckets = PlaySession.DROP_OFF_BUCKETS
    plays = 0
    viewers: set[str] = set()
    reached = [0] * buckets
    watched_total = 0.0
    for viewer_key, watched in sessions.values_list("viewer_key", "watched").iterator(
        chunk_size=2000
    ):
        plays += 1
        viewers.add(viewer_key)
        watched_total += bin(watched).count("1") / buckets
        for b in range(buckets):
            if watched >> b & 1:
                reached[b] += 1
    return VideoStats(
        plays=plays,
        unique_viewers=len(viewers),
        average_percent_watched=round(100 * watched_total / plays, 1) if plays else 0.0,
        drop_off=[round(100 * r / plays, 1) if plays else 0.0 for r in reached],
    )


def video_stats(*, video: Video) -> VideoStats:
    return _stats(PlaySession.objects.filter(video=video))


def maker_stats(*, user: User) -> VideoStats:
    return _stats(PlaySession.objects.filter(video__uploader=user))


def maker_video_count(*, user: User, viewer: Viewer) -> int:
    return video_list(viewer=viewer, uploader=user).aggregate(n=Count("pk"))["n"]
