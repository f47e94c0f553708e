"""Writes for videos: resumable uploads, transcoding (with leases), captions, playback events."""

import fcntl
import logging
import os
import re
import shutil
import socket
import tempfile
import uuid
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from knowhow.accounts.models import User
from knowhow.core.errors import NotFound, ValidationFailed
from knowhow.core.rendering import render_markdown
from knowhow.core.signals import activity_after_commit
from knowhow.qa.models import Post
from knowhow.qa.services import normalise_tag_names
from knowhow.spaces.models import Space
from knowhow.videos import captions as caption_formats
from knowhow.videos.backends import ProbeError, TranscodeOutput, get_transcoder
from knowhow.videos.backends.speech import cues_to_webvtt, get_recognizer
from knowhow.videos.errors import (
    UploadAlreadyComplete,
    UploadBusy,
    UploadOffsetMismatch,
    UploadTooLarge,
)
from knowhow.videos.models import (
    Caption,
    PlaySession,
    TranscodeJob,
    UploadSession,
    Video,
    VideoRendition,
)
from knowhow.videos.permissions import (
    check_answer_with_video,
    check_manage_captions,
    check_retranscode,
    check_upload,
)
from knowhow.videos.signals import video_changed

log = logging.getLogger(__name__)
TITLE_MIN, TITLE_MAX = 5, 150


def _opts() -> dict:  # type: ignore[type-arg]
    return settings.VIDEOS  # type: ignore[no-any-return]


def _changed(video_id: int) -> None:
    """Tell search (and whoever listens) once the transaction commits."""
    transaction.on_commit(lambda: video_changed.send(sender=Video, video_id=video_id))


def _staging_path(upload_id: uuid.UUID) -> Path:
    directory = Path(_opts()["UPLOAD_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"{upload_id}.part"


# --- Uploads (tus) ---------------------------------------------------------------------------


@transaction.atomic
def upload_create(
    *,
    user: User,
    space: Space,
    title: str,
    length: int,
    filename: str = "",
    description: str = "",
    tags: Iterable[str] = (),
    answer: Post | None = None,
) -> UploadSession:
    """Start a resumable upload of `length` bytes; the Video exists from now on, uploading."""
    if answer is not None:
        check_answer_with_video(user=user, answer=answer)
        space = answer.space
    check_upload(user=user, space=space)
    if length <= 0:
        raise ValidationFailed("The file is empty.", field="file")
    limit = _opts()["MAX_UPLOAD_BYTES"]
    if length > limit:
        raise UploadTooLarge(f"The file is too large: the limit is {limit // 1024**2} MB.")
    title = " ".join(title.split())
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise ValidationFailed(
            f"The title must have {TITLE_MIN} to {TITLE_MAX} characters.", field="title"
        )
    video = Video.objects.create(
        uploader=user,
        space=space,
        title=title,
        description=description,
        description_html=render_markdown(description) if description else "",
        original_name=Path(filename).name[:255],
        size_bytes=length,
        answer=answer,
    )
    if answer is None:
        video.post = _discussion_post(video)
        video.save(update_fields=["post"])
    names = normalise_tag_names(list(tags)) if tags else []
    if names:
        from knowhow.qa.models import Tag

        video.tags.set([Tag.objects.get_or_create(name=name)[0] for name in names])
    session = UploadSession.objects.create(user=user, video=video, length=length)
    _staging_path(session.id).touch()
    return session


def upload_append(
    *, session: UploadSession, user: User, offset: int, chunk: Iterable[bytes]
) -> UploadSession:
    """Append bytes at `offset` (which must be where the upload stopped) and finish when full.

    The bytes go to a staging file before the row is updated, so a cut-off request leaves the
    file a little longer than `offset`; the next append truncates back to `offset` first.
    """
    if session.user_id != user.pk:
        raise NotFound("No such upload.")
    if session.completed_at is not None:
        raise UploadAlreadyComplete()
    path = _staging_path(session.id)
    written = 0
    with path.open("r+b" if path.exists() else "wb") as fh:
        # One writer per upload (a client retrying while its first request still runs).
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise UploadBusy() from exc
        session.offset = UploadSession.objects.values_list("offset", flat=True).get(pk=session.pk)
        if offset != session.offset:
            raise UploadOffsetMismatch(
                f"The upload stopped at byte {session.offset}, not {offset}."
            )
        fh.truncate(offset)
        fh.seek(offset)
        try:
            for piece in chunk:
                if offset + written + len(piece) > session.length:
                    raise ValidationFailed("More bytes were sent than the upload's length.")
                fh.write(piece)
                written += len(piece)
        finally:
            # Keep what arrived before a broken connection: tus resumes from it.
            fh.flush()
            os.fsync(fh.fileno())
            UploadSession.objects.filter(pk=session.pk, offset=offset).update(
                offset=offset + written
            )
            session.offset = offset + written
    if session.offset == session.length:
        _upload_finish(session)
    return session


def _discussion_post(video: Video) -> Post:
    """The qa Post that carries a standalone video's votes, comments and flags."""
    now = timezone.now()
    body = video.description or video.title
    return Post.objects.create(
        post_type=Post.PostType.VIDEO,
        space=video.space,
        author=video.uploader,
        title=video.title,
        body=body,
        body_html=video.description_html or render_markdown(body),
        created_at=now,
        last_activity_at=now,
    )


@transaction.atomic
def _upload_finish(session: UploadSession) -> None:
    session = UploadSession.objects.select_for_update().get(pk=session.pk)
    if session.completed_at is not None:
        return
    video = session.video
    path = _staging_path(session.id)
    suffix = Path(video.original_name).suffix.lower()[:10] or ".bin"
    name = f"{video.storage_prefix}/original{re.sub(r'[^a-z0-9.]', '', suffix)}"
    with path.open("rb") as fh:
        video.original = default_storage.save(name, File(fh))
    video.status = Video.Status.QUEUED
    video.save(update_fields=["original", "status", "updated_at"])
    session.completed_at = timezone.now()
    session.save(update_fields=["completed_at"])
    transaction.on_commit(lambda: path.unlink(missing_ok=True))
    _queue_transcode(video=video, requested_by=session.user)


def upload_terminate(*, session: UploadSession, user: User) -> None:
    if session.user_id != user.pk:
        raise NotFound("No such upload.")
    _staging_path(session.id).unlink(missing_ok=True)
    if session.completed_at is None:
        session.video.delete()


def upload_expire_stale() -> int:
    """Drop uploads left unfinished for longer than UPLOAD_EXPIRY_HOURS, with their staging files."""
    cutoff = timezone.now() - timedelta(hours=_opts()["UPLOAD_EXPIRY_HOURS"])
    stale = list(
        UploadSession.objects.filter(
            completed_at__isnull=True, created_at__lt=cutoff
        ).select_related("video")
    )
    for session in stale:
        _staging_path(session.id).unlink(missing_ok=True)
        session.video.delete()
    return len(stale)


def video_create_from_file(
    *,
    user: User,
    space: Space,
    title: str,
    path: Path,
    description: str = "",
    tags: Iterable[str] = (),
) -> Video:
    """Make a video from a file already on this machine (demo content, tests, imports)."""
    session = upload_create(
        user=user, space=space, title=title, length=path.stat().st_size or 1,
        filename=path.name, description=description, tags=tags,
    )  # fmt: skip
    if path.stat().st_size == 0:
        # An empty file is refused by probing like any other bad file; let it through to there.
        UploadSession.objects.filter(pk=session.pk).update(length=0)
        session.length = 0
        _upload_finish(session)
    else:
        with path.open("rb") as fh:
            upload_append(
                session=session, user=user, offset=0, chunk=iter(lambda: fh.read(1 << 20), b"")
            )
    return Video.objects.get(pk=session.video_id)


# --- Transcoding -----------------------------------------------------------------------------


def _queue_transcode(*, video: Video, requested_by: User | None) -> TranscodeJob:
    from knowhow.videos.tasks import transcode_video

    job = TranscodeJob.objects.create(video=video, requested_by=requested_by)
    transaction.on_commit(lambda: transcode_video.enqueue(job_id=job.pk))
    return job


@transaction.atomic
def video_retranscode(*, video: Video, by: User) -> TranscodeJob:
    """Transcode again from the kept original (after a failure, or with new settings)."""
    check_retranscode(user=by, video=video)
    if video.jobs.filter(
        state__in=[TranscodeJob.State.QUEUED, TranscodeJob.State.RUNNING]
    ).exists():
        raise ValidationFailed("This video is already being processed.")
    if not video.original or not default_storage.exists(video.original):
        raise ValidationFailed("The original file of this video is missing; it cannot be redone.")
    video.status = Video.Status.QUEUED
    video.status_message = ""
    video.save(update_fields=["status", "status_message", "updated_at"])
    return _queue_transcode(video=video, requested_by=by)


class LeaseLost(Exception):
    """Another worker took this job over (ours was presumed dead)."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def transcode_claim(*, job_id: int, worker: str) -> TranscodeJob | None:
    """Take the job if it is queued or its previous worker's lease ran out; else None."""
    now = timezone.now()
    lease = now + timedelta(seconds=_opts()["LEASE_SECONDS"])
    with transaction.atomic():
        job = TranscodeJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state in (TranscodeJob.State.SUCCEEDED, TranscodeJob.State.FAILED):
            return None
        if job.state == TranscodeJob.State.RUNNING and job.lease_until and job.lease_until > now:
            return None
        job.state = TranscodeJob.State.RUNNING
        job.attempts += 1
        job.worker = worker
        job.lease_until = lease
        job.heartbeat_at = now
        job.started_at = job.started_at or now
        job.save()
        Video.objects.filter(pk=job.video_id).update(status=Video.Status.PROCESSING, updated_at=now)
        return job


def _heartbeat(*, job: TranscodeJob, step: str, progress: float) -> None:
    now = timezone.now()
    updated = TranscodeJob.objects.filter(pk=job.pk, worker=job.worker).update(
        step=step,
        progress=round(progress, 1),
        heartbeat_at=now,
        lease_until=now + timedelta(seconds=_opts()["LEASE_SECONDS"]),
    )
    if not updated:
        raise LeaseLost()


def _put(name: str, path: Path) -> str:
    """Store a file under exactly `name`, replacing what was there."""
    if default_storage.exists(name):
        default_storage.delete(name)
    with path.open("rb") as fh:
        stored = default_storage.save(name, File(fh))
    return stored


def _publish(
    *, video: Video, job: TranscodeJob, out_dir: Path, output: TranscodeOutput, stage: str
) -> None:
    """Copy what a stage produced into storage and record it, so it can be played at once."""
    prefix = f"{video.storage_prefix}/hls"
    fields: list[str] = []
    if stage.startswith("r") or stage == "ladder":
        known = set(video.renditions.values_list("height", flat=True))
        for spec, playlist in output.renditions:
            if spec.height in known:
                continue
            folder = out_dir / Path(playlist).parent
            for segment in sorted(folder.iterdir()):
                if segment.name != "index.m3u8":
                    _put(f"{prefix}/{folder.name}/{segment.name}", segment)
            _put(f"{prefix}/{playlist}", out_dir / playlist)
            VideoRendition.objects.create(
                video=video,
                height=spec.height,
                width=spec.width,
                pixel_height=spec.pixel_height,
                bitrate_kbps=spec.video_kbps + spec.audio_kbps,
                playlist=f"{prefix}/{playlist}",
            )
        video.hls_master = _put(f"{prefix}/master.m3u8", out_dir / output.master)
        if not video.is_playable:
            video.is_playable = True
            video.published_at = video.published_at or timezone.now()
            fields += ["is_playable", "published_at"]
        fields.append("hls_master")
    elif stage == "download":
        video.download_mp4 = _put(
            f"{video.storage_prefix}/download.mp4", out_dir / output.download_mp4
        )
        fields.append("download_mp4")
    elif stage == "poster":
        video.poster = _put(f"{prefix}/poster.jpg", out_dir / output.poster)
        fields.append("poster")
    elif stage == "sprite":
        _put(f"{prefix}/sprite.jpg", out_dir / output.sprite)
        video.sprite_vtt = _put(f"{prefix}/sprite.vtt", out_dir / output.sprite_vtt)
        fields.append("sprite_vtt")
    if fields:
        video.save(update_fields=[*fields, "updated_at"])
    if "is_playable" in fields:
        _changed(video.pk)
    _heartbeat(job=job, step=stage, progress=job.progress)


def _local_original(video: Video, tmp: Path) -> Path:
    """A local path to the original: the file itself on local storage, else a downloaded copy."""
    try:
        path = Path(default_storage.path(video.original))
        if path.is_file():
            return path
    except NotImplementedError:
        pass
    local = tmp / ("original" + Path(video.original).suffix)
    with default_storage.open(video.original, "rb") as src, local.open("wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    return local


def transcode_run(*, job_id: int, worker: str | None = None) -> TranscodeJob | None:
    """Probe, then transcode, publishing the lowest rendition first. Never raises for bad input:
    a refused or failed video records its reason. Returns None when another worker holds the job."""
    worker = worker or worker_name()
    job = transcode_claim(job_id=job_id, worker=worker)
    if job is None:
        return None
    video = Video.objects.get(pk=job.video_id)
    if job.attempts > _opts()["MAX_ATTEMPTS"]:
        return _job_failed(job, video, "It failed after several attempts; an admin can retry it.")
    transcoder = get_transcoder()
    with tempfile.TemporaryDirectory(prefix=f"knowhow-video-{video.pk}-") as tmpdir:
        tmp = Path(tmpdir)
        try:
            source = _local_original(video, tmp)
            _heartbeat(job=job, step="probe", progress=0)
            probe = transcoder.probe(source)
        except ProbeError as exc:
            return _job_failed(job, video, str(exc), rejected=True)
        except FileNotFoundError:
            return _job_failed(job, video, "The original file is missing from storage.")
        Video.objects.filter(pk=video.pk).update(
            duration_seconds=probe.duration_seconds,
            width=probe.width,
            height=probe.height,
            frame_rate=probe.frame_rate,
            video_codec=probe.video_codec,
            has_audio=probe.has_audio,
        )
        video.refresh_from_db()
        out_dir = tmp / "out"
        out_dir.mkdir()

        def on_progress(step: str, percent: float) -> None:
            job.progress = percent
            _heartbeat(job=job, step=step, progress=percent)

        def on_stage(stage: str, output: TranscodeOutput) -> None:
            _publish(video=video, job=job, out_dir=out_dir, output=output, stage=stage)

        try:
            output = transcoder.transcode(
                source=source,
                probe=probe,
                out_dir=out_dir,
                on_progress=on_progress,
                on_stage=on_stage,
            )
        except LeaseLost:
            log.warning("Transcode job %s was taken over by another worker", job.pk)
            return None
        except Exception as exc:  # noqa: BLE001  (any failure is recorded and shown, never crashes the worker)
            log.exception("Transcode job %s failed", job.pk)
            return _job_failed(job, video, f"Processing failed: {exc}"[:500])
    now = timezone.now()
    TranscodeJob.objects.filter(pk=job.pk).update(
        state=TranscodeJob.State.SUCCEEDED,
        progress=100,
        step="done",
        finished_at=now,
        lease_until=None,
        ffmpeg_seconds=output.ffmpeg_seconds,
    )
    Video.objects.filter(pk=video.pk).update(
        status=Video.Status.READY, status_message="", updated_at=now
    )
    _changed(video.pk)
    if video.uploader_id:
        from knowhow.reputation.badges import badge_award

        # The badge the reputation issue left for videos to award: a first published video.
        badge_award(user=video.uploader, slug="video-maker", post=video.post)
    if video.has_audio and settings.VIDEOS.get("SPEECH_RECOGNIZER"):
        from knowhow.videos.tasks import caption_video_automatically

        transaction.on_commit(lambda: caption_video_automatically.enqueue(video_id=video.pk))
    job.refresh_from_db()
    return job


def _job_failed(
    job: TranscodeJob, video: Video, message: str, *, rejected: bool = False
) -> TranscodeJob:
    now = timezone.now()
    TranscodeJob.objects.filter(pk=job.pk).update(
        state=TranscodeJob.State.FAILED, error=message, finished_at=now, lease_until=None
    )
    Video.objects.filter(pk=video.pk).update(
        status=Video.Status.REJECTED if rejected else Video.Status.FAILED,
        status_message=message[:500],
        updated_at=now,
    )
    _changed(video.pk)
    job.refresh_from_db()
    return job


def transcode_requeue_stale() -> list[int]:
    """Queue again every job whose worker stopped renewing its lease (killed, machine lost).

    Runs every minute from the scheduler; a duplicate task is harmless, since `transcode_claim`
    gives the job to one run only."""
    from knowhow.videos.tasks import transcode_video

    stale = TranscodeJob.objects.filter(
        state=TranscodeJob.State.RUNNING, lease_until__lt=timezone.now()
    ).values_list("pk", flat=True)
    requeued = list(stale)
    for pk in requeued:
        transcode_video.enqueue(job_id=pk)
    return requeued


# --- Captions --------------------------------------------------------------------------------


@transaction.atomic
def caption_upload(
    *, video: Video, by: User, language: str, label: str, filename: str, data: bytes
) -> Caption:
    """Add or replace the captions of one language; SRT is converted to WebVTT."""
    check_manage_captions(user=by, video=video)
    language = language.strip()
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", language):
        raise ValidationFailed("Give a language code such as en, fr or pt-BR.", field="language")
    if len(data) > _opts()["CAPTION_MAX_BYTES"]:
        raise ValidationFailed("The captions file is too large (the limit is 1 MB).", field="file")
    vtt = caption_formats.to_webvtt(data, filename=filename)
    text = caption_formats.plain_text(vtt)
    label = label.strip()[:100] or language
    name = f"{video.storage_prefix}/captions/{language}.vtt"
    if default_storage.exists(name):
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(vtt.encode("utf-8")))
    caption, _ = Caption.objects.update_or_create(
        video=video,
        language=language,
        defaults={
            "label": label,
            "vtt": stored,
            "text": text,
            "uploaded_by": by,
            "is_automatic": False,
        },
    )
    _changed(video.pk)
    return caption


@transaction.atomic
def caption_delete(*, caption: Caption, by: User) -> None:
    check_manage_captions(user=by, video=caption.video)
    default_storage.delete(caption.vtt)
    caption.delete()
    _changed(caption.video_id)


def captions_generate(*, video_id: int) -> Caption | None:
    """Automatic captions from the video's sound, with the configured offline recogniser.

    Does nothing (returns None) when no recogniser is installed, the video has no sound or no
    speech, or a person already gave captions in the recogniser's language: a caption made by a
    person is never replaced by an automatic one. An earlier automatic caption is replaced.
    """
    video = Video.objects.filter(pk=video_id, is_deleted=False).first()
    if video is None or not video.has_audio or not video.original:
        return None
    recognizer = get_recognizer()
    if recognizer is None:
        return None
    language = recognizer.language
    if Caption.objects.filter(video=video, language=language, is_automatic=False).exists():
        return None
    from knowhow.videos.backends.ffmpeg import extract_speech_audio

    with tempfile.TemporaryDirectory(prefix=f"knowhow-captions-{video.pk}-") as tmpdir:
        tmp = Path(tmpdir)
        wav = extract_speech_audio(_local_original(video, tmp), tmp / "speech.wav")
        cues = list(recognizer.transcribe(wav))
    if not cues:
        return None
    vtt = cues_to_webvtt(cues)
    name = f"{video.storage_prefix}/captions/{language}.vtt"
    with transaction.atomic():
        Video.objects.select_for_update().filter(pk=video.pk).first()
        existing = Caption.objects.filter(video=video, language=language).first()
        if existing is not None and not existing.is_automatic:
            return None  # a person gave captions while the recogniser was listening
        if default_storage.exists(name):
            default_storage.delete(name)
        stored = default_storage.save(name, ContentFile(vtt.encode("utf-8")))
        caption, _ = Caption.objects.update_or_create(
            video=video,
            language=language,
            defaults={
                "label": recognizer.label,
                "vtt": stored,
                "text": caption_formats.plain_text(vtt),
                "uploaded_by": None,
                "is_automatic": True,
            },
        )
        _changed(video.pk)
    return caption


# --- Playback events -------------------------------------------------------------------------


def play_events_record(
    *,
    video: Video,
    viewer: User | None,
    viewer_key: str,
    session_id: uuid.UUID,
    events: list[dict],  # type: ignore[type-arg]
) -> PlaySession:
    """Fold a batch of player events into the play session.

    Each event is {"t": seconds from, "u": seconds to} for a stretch that was played, or
    {"p": position} for where the viewer is now (used to resume).
    """
    duration = video.duration_seconds or 0
    buckets = PlaySession.DROP_OFF_BUCKETS
    mask = 0
    position = None
    for event in events[:200]:
        try:
            if "p" in event:
                position = max(0.0, min(float(event["p"]), duration or float(event["p"])))
            if "t" in event and "u" in event and duration > 0:
                start, end = sorted((float(event["t"]), float(event["u"])))
                first = max(0, int(start / duration * buckets))
                last = min(buckets - 1, int(max(start, end - 0.01) / duration * buckets))
                for b in range(first, last + 1):
                    mask |= 1 << b
        except (TypeError, ValueError) as exc:
            raise ValidationFailed("Malformed player event.") from exc
    with transaction.atomic():
        session, created = PlaySession.objects.select_for_update().get_or_create(
            id=session_id,
            defaults={"video": video, "viewer": viewer, "viewer_key": viewer_key},
        )
        if session.video_id != video.pk:
            raise ValidationFailed("That play session belongs to another video.")
        before = bin(session.watched).count("1")
        if mask | session.watched != session.watched or position is not None:
            session.watched = session.watched | mask
            if position is not None:
                session.position_seconds = position
            session.save(update_fields=["watched", "position_seconds", "updated_at"])
    viewer_id = viewer.pk if viewer is not None else None
    measure = {
        "space_id": video.space_id,
        "post_id": video.post_id,
        "meta": {"video_id": video.pk, "title": video.title},
    }
    if created:
        activity_after_commit(kind="video_played", actor_id=viewer_id, **measure)
    # Learning records and analytics hear of progress at each quarter watched, not every batch.
    after = bin(session.watched).count("1")
    if int(after / buckets * 4) > int(before / buckets * 4) or (
        after == buckets and before < buckets
    ):
        activity_after_commit(
            kind="video_progress", actor_id=viewer_id, value=round(after / buckets, 3), **measure
        )
    return session
