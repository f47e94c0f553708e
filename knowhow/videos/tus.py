"""The tus 1.0.0 resumable upload protocol (core, creation and termination extensions).

Implemented here rather than with a library: the Django packages for tus are either
unmaintained since 2020 (django-tus) or built on Django REST Framework (drf-tus), which Knowhow
does not use. The core protocol is small: create with a length, HEAD for the offset, PATCH
bytes at that offset, DELETE to abandon. Clients: tus-js-client in the browser, any tus client
(e.g. tuspy) from scripts with an API token.
"""

import base64
import binascii
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from knowhow.accounts.models import User
from knowhow.accounts.services import api_token_authenticate
from knowhow.core.errors import ApplicationError, NotFound, PermissionRefused, ValidationFailed
from knowhow.qa.models import Post
from knowhow.spaces.models import Space
from knowhow.spaces.selectors import default_space
from knowhow.videos import services
from knowhow.videos.models import UploadSession

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,termination"


def _tus_response(status: int, **headers: str) -> HttpResponse:
    response = HttpResponse(status=status)
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _error(exc: ApplicationError) -> HttpResponse:
    response = HttpResponse(
        exc.message, status=exc.status_code, content_type="text/plain; charset=utf-8"
    )
    response["Tus-Resumable"] = TUS_VERSION
    return response


def _authenticate(request: HttpRequest) -> User:
    """A bearer API token, or the session (then with the usual CSRF check)."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = api_token_authenticate(raw=header.removeprefix("Bearer ").strip())
        if user is None:
            raise PermissionRefused("The API token is not valid.")
        return user
    if not request.user.is_authenticated:
        raise PermissionRefused("Log in to upload videos.")
    reason = CsrfViewMiddleware(lambda r: HttpResponse()).process_view(request, None, (), {})  # type: ignore[arg-type]
    if reason is not None:
        raise PermissionRefused("The page expired; reload it and try again.")
    return request.user  # type: ignore[return-value]


def parse_metadata(raw: str) -> dict[str, str]:
    metadata: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in raw.split(","))):
        key, _, value = pair.partition(" ")
        try:
            metadata[key] = base64.b64decode(value, validate=True).decode("utf-8") if value else ""
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise ValidationFailed(f"Upload-Metadata value for {key} is not base64 UTF-8.") from exc
    return metadata


def _int_header(request: HttpRequest, name: str) -> int:
    value = request.headers.get(name, "")
    if not value.isdigit():
        raise ValidationFailed(f"The {name} header must be a non-negative integer.")
    return int(value)


@csrf_exempt
def uploads(request: HttpRequest) -> HttpResponse:
    if request.method == "OPTIONS":
        return _tus_response(
            204,
            Tus_Version=TUS_VERSION,
            Tus_Extension=EXTENSIONS,
            Tus_Max_Size=str(settings.VIDEOS["MAX_UPLOAD_BYTES"]),
        )
    if request.method != "POST":
        return _tus_response(405, Allow="OPTIONS, POST")
    try:
        if request.headers.get("Tus-Resumable") != TUS_VERSION:
            return _tus_response(412, Tus_Version=TUS_VERSION)
        user = _authenticate(request)
        length = _int_header(request, "Upload-Length")
        meta = parse_metadata(request.headers.get("Upload-Metadata", ""))
        space = default_space()
        if meta.get("space"):
            space_or_none = Space.objects.filter(slug=meta["space"]).first()
            if space_or_none is None:
                raise ValidationFailed("No such space.")
            space = space_or_none
        answer = None
        if meta.get("answer"):
            answer = Post.objects.filter(
                pk=int(meta["answer"]) if meta["answer"].isdigit() else 0
            ).first()
            if answer is None:
                raise ValidationFailed("No such answer.")
        session = services.upload_create(
            user=user,
            space=space,
            title=meta.get("title", "") or meta.get("filename", ""),
            description=meta.get("description", ""),
            tags=[t for t in meta.get("tags", "").replace(",", " ").split() if t],
            length=length,
            filename=meta.get("filename", ""),
            answer=answer,
        )
    except ApplicationError as exc:
        return _error(exc)
    return _tus_response(
        201,
        Location=request.build_absolute_uri(reverse("videos:upload", args=[session.id])),
        Upload_Offset="0",
        X_Video_Url=session.video.get_absolute_url(),
        Access_Control_Expose_Headers="Location, Upload-Offset, X-Video-Url",
    )


@csrf_exempt
def upload(request: HttpRequest, upload_id: uuid.UUID) -> HttpResponse:
    if request.method == "OPTIONS":
        return _tus_response(204, Tus_Version=TUS_VERSION, Tus_Extension=EXTENSIONS)
    try:
        user = _authenticate(request)
        session = (
            UploadSession.objects.select_related("video").filter(pk=upload_id, user=user).first()
        )
        if session is None:
            raise NotFound("No such upload.")
        if request.method == "HEAD":
            return _tus_response(
                200,
                Upload_Offset=str(session.offset),
                Upload_Length=str(session.length),
                X_Video_Url=session.video.get_absolute_url(),
            )
        if request.headers.get("Tus-Resumable") != TUS_VERSION:
            return _tus_response(412, Tus_Version=TUS_VERSION)
        if request.method == "DELETE":
            services.upload_terminate(session=session, user=user)
            return _tus_response(204)
        if request.method != "PATCH":
            return _tus_response(405, Allow="HEAD, PATCH, DELETE, OPTIONS")
        if request.headers.get("Content-Type") != "application/offset+octet-stream":
            return _tus_response(415)
        offset = _int_header(request, "Upload-Offset")
        session = services.upload_append(
            session=session,
            user=user,
            offset=offset,
            chunk=iter(lambda: request.read(1 << 20), b""),
        )
    except ApplicationError as exc:
        return _error(exc)
    return _tus_response(
        204, Upload_Offset=str(session.offset), X_Video_Url=session.video.get_absolute_url()
    )
