"""HTML views for videos: parse input, call one service or selector, render."""

import json
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from knowhow.core.errors import NotFound, ValidationFailed
from knowhow.qa.models import Post, Vote
from knowhow.qa.permissions import post_actions
from knowhow.spaces.selectors import default_space, is_space_moderator, spaces_visible_to
from knowhow.videos import media, selectors, services
from knowhow.videos.forms import CaptionEditForm, CaptionForm
from knowhow.videos.models import Caption, Video
from knowhow.videos.permissions import can_manage_video, check_manage_captions


def _viewer_key(request: HttpRequest) -> str:
    from knowhow.qa.views import _viewer_key as qa_viewer_key

    return qa_viewer_key(request)


def video_list(request: HttpRequest) -> HttpResponse:
    tag = request.GET.get("tag") or None
    query = request.GET.get("q", "").strip()
    qs = (
        selectors.video_search(viewer=request.user, query=query)
        if query
        else selectors.video_list(viewer=request.user, tag=tag)
    )
    from knowhow.qa.selectors import paginate

    page = paginate(qs, page=request.GET.get("page"))
    return render(request, "videos/video_list.html", {"page": page, "tag_filter": tag, "q": query})


@login_required
def upload_page(request: HttpRequest) -> HttpResponse:
    answer = None
    if request.GET.get("answer", "").isdigit():
        answer = Post.objects.filter(
            pk=int(request.GET["answer"]), author=request.user, post_type=Post.PostType.ANSWER
        ).first()
    spaces = [s for s in spaces_visible_to(request.user).order_by("name")]
    return render(
        request,
        "videos/upload.html",
        {
            "spaces": spaces,
            "default_space": default_space(),
            "answer": answer,
            "VIDEO_LIMITS": {
                "MAX_UPLOAD_BYTES": settings.VIDEOS["MAX_UPLOAD_BYTES"],
                "MAX_MINUTES": settings.VIDEOS["MAX_DURATION_SECONDS"] // 60,
            },
        },
    )


def video_detail(request: HttpRequest, pk: int) -> HttpResponse:
    video = selectors.video_get_for_viewer(pk=pk, viewer=request.user)
    manager = request.user.is_authenticated and can_manage_video(request.user, video)  # type: ignore[arg-type]
    post = video.post
    if post is not None:
        moderator = request.user.is_authenticated and is_space_moderator(request.user, video.space)
        post.actions = post_actions(request.user, post, is_moderator=moderator)  # type: ignore[attr-defined]
        post.my_vote = (  # type: ignore[attr-defined]
            Vote.objects.filter(post=post, user_id=request.user.pk)
            .values_list("value", flat=True)
            .first()
            or 0
            if request.user.is_authenticated
            else 0
        )
        post.visible_comments = list(
            post.comments.filter(is_deleted=False).select_related("author")
        )  # type: ignore[attr-defined]
    context = {
        "video": video,
        "post": post,
        "job": selectors.latest_job(video) if manager or request.user.is_staff else None,
        "can_manage": manager,
        "caption_form": CaptionForm() if manager else None,
        "resume_at": selectors.resume_position(viewer=request.user, video=video),
        "stats": selectors.video_stats(video=video) if manager else None,
    }
    return render(request, "videos/video_detail.html", context)


@require_GET
def video_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled by the page (htmx) while the video is processing; JSON for API clients."""
    video = selectors.video_get_for_viewer(pk=pk, viewer=request.user)
    job = selectors.latest_job(video)
    if request.GET.get("format") == "json" or "application/json" in request.headers.get(
        "Accept", ""
    ):
        return JsonResponse(
            {
                "id": video.pk,
                "status": video.status,
                "message": video.status_message,
                "playable": video.is_playable,
                "progress": job.progress if job else 0,
                "step": job.step if job else "",
                "renditions": [r.height for r in video.renditions.all()],
            }
        )
    response = render(request, "videos/_status.html", {"video": video, "job": job})
    if video.status in (Video.Status.READY, Video.Status.REJECTED, Video.Status.FAILED):
        # Stop polling; reload once so the player shows every rendition.
        response.status_code = 286
    return response


def video_media(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    if not media.is_servable(name):
        raise NotFound("No such file.")
    video = selectors.video_media_get_for_viewer(pk=pk, viewer=request.user)
    download_as = ""
    if name == "download.mp4":
        download_as = f"{slugify(video.title)[:60] or 'video'}.mp4"
    return media.serve(
        request, storage_name=f"{video.storage_prefix}/{name}", name=name, download_as=download_as
    )


@require_POST
@login_required
def retranscode(request: HttpRequest, pk: int) -> HttpResponse:
    video = selectors.video_get_for_viewer(pk=pk, viewer=request.user)
    services.video_retranscode(video=video, by=request.user)  # type: ignore[arg-type]
    return redirect(video)


@require_POST
@login_required
def caption_add(request: HttpRequest, pk: int) -> HttpResponse:
    video = selectors.video_get_for_viewer(pk=pk, viewer=request.user)
    form = CaptionForm(request.POST, request.FILES)
    if not form.is_valid():
        raise ValidationFailed("Give a language and a captions file (WebVTT or SRT).")
    upload = form.cleaned_data["file"]
    services.caption_upload(
        video=video,
        by=request.user,  # type: ignore[arg-type]
        language=form.cleaned_data["language"],
        label=form.cleaned_data["label"],
        filename=upload.name,
        data=upload.read(),
    )
    return redirect(video)


@login_required
def caption_edit(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    """Correct captions in the page (automatic ones above all); saving makes them the maker's."""
    video = selectors.video_get_for_viewer(pk=pk, viewer=request.user)
    caption = Caption.objects.filter(video=video, language=language).first()
    if caption is None:
        raise NotFound("No such captions.")
    check_manage_captions(user=request.user, video=video)  # type: ignore[arg-type]
    if request.method == "POST":
        form = CaptionEditForm(request.POST)
        if form.is_valid():
            services.caption_upload(
                video=video,
                by=request.user,  # type: ignore[arg-type]
                language=caption.language,
                label=form.cleaned_data["label"],
                filename=f"{caption.language}.vtt",
                data=form.cleaned_data["vtt"].encode("utf-8"),
            )
            return redirect(video)
        status = 400
    else:
        with default_storage.open(caption.vtt, "rb") as fh:
            text = fh.read().decode("utf-8")
        label = (
            caption.label.removesuffix(" (automatic)") if caption.is_automatic else caption.label
        )
        form = CaptionEditForm(initial={"label": label, "vtt": text})
        status = 200
    return render(
        request,
        "videos/caption_edit.html",
        {"video": video, "caption": caption, "form": form},
        status=status,
    )


@require_POST
@login_required
def caption_remove(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    video = selectors.video_get_for_viewer(pk=pk, viewer=request.user)
    caption = Caption.objects.filter(video=video, language=language).first()
    if caption is None:
        raise NotFound("No such captions.")
    services.caption_delete(caption=caption, by=request.user)  # type: ignore[arg-type]
    return redirect(video)


@require_POST
def play_events(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch of player events (sent with fetch, or sendBeacon when the page closes)."""
    video = selectors.video_media_get_for_viewer(pk=pk, viewer=request.user)
    try:
        payload = json.loads(request.body or b"{}")
        session_id = uuid.UUID(str(payload.get("session", "")))
        events = payload.get("events", [])
        if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
            raise ValueError
    except (ValueError, AttributeError) as exc:
        raise ValidationFailed("Send {session: uuid, events: [...]}.") from exc
    user = request.user if request.user.is_authenticated else None
    services.play_events_record(
        video=video,
        viewer=user,
        viewer_key=_viewer_key(request),
        session_id=session_id,
        events=events,  # type: ignore[arg-type]
    )
    return HttpResponse(status=204)


def maker_videos(request: HttpRequest, user_pk: int) -> HttpResponse:
    from knowhow.accounts.models import User

    maker = User.objects.filter(pk=user_pk, is_active=True).first()
    if maker is None:
        raise NotFound("No such person.")
    from knowhow.qa.selectors import paginate

    page = paginate(
        selectors.video_list(viewer=request.user, uploader=maker), page=request.GET.get("page")
    )
    stats = (
        selectors.maker_stats(user=maker)
        if request.user.pk == maker.pk or request.user.is_staff
        else None
    )
    return render(request, "videos/maker.html", {"maker": maker, "page": page, "stats": stats})


def video_for_post(request: HttpRequest, post_pk: int) -> HttpResponse:
    """Where a video's discussion post (votes, comments, flags) links to."""
    video = Video.objects.filter(post_id=post_pk).only("pk").first()
    if video is None:
        raise NotFound("No such video.")
    return redirect("videos:detail", pk=video.pk)
