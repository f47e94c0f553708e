"""Reads for videos; visibility always goes through knowhow.spaces.selectors."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet

from knowhow.accounts.models import User
from knowhow.core.errors import NotFound
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
    video_id: int
    space_id: int
    title: str
    body: str  # description and the text of every caption track
    tags: list[str]
    url: str
    updated_at: datetime


def video_search_documents(*, since: datetime | None = None) -> Iterator[VideoSearchDocument]:
    """Every published video as a search document (visibility is applied by the search app
    through `space_id`, like any other content)."""
    qs = Video.objects.filter(_published()).prefetch_related("tags", "captions").order_by("pk")
    if since is not None:
        qs = qs.filter(Q(updated_at__gte=since) | Q(captions__created_at__gte=since)).distinct()
    for video in qs.iterator(chunk_size=200):
        captions = " ".join(c.text for c in video.captions.all())
        yield VideoSearchDocument(
            video_id=video.pk,
            space_id=video.space_id,
            title=video.title,
            body=f"{video.description}\n{captions}".strip(),
            tags=[t.name for t in video.tags.all()],
            url=video.get_absolute_url(),
            updated_at=video.updated_at,
        )


def video_search(*, viewer: Viewer, query: str) -> QuerySet[Video]:
    """A simple search over titles, descriptions and caption text, used until the search app
    indexes `video_search_documents()`."""
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
