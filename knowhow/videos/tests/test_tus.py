"""The tus endpoint: create, resume from the offset, finish, refusals."""

import base64

import pytest

from knowhow.accounts.services import api_token_create
from knowhow.videos.models import UploadSession, Video

pytestmark = pytest.mark.django_db

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}


def _meta(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def _create(client, length: int, **meta: str):
    meta.setdefault("title", "How to book a meeting room")
    meta.setdefault("filename", "room.mp4")
    return client.post(
        "/videos/uploads/",
        HTTP_UPLOAD_LENGTH=str(length),
        HTTP_UPLOAD_METADATA=_meta(**meta),
        **TUS,
    )


def _patch(client, location: str, offset: int, data: bytes, **extra):
    headers = {"HTTP_UPLOAD_OFFSET": str(offset), **TUS, **extra}
    return client.generic(
        "PATCH", location, data, content_type="application/offset+octet-stream", **headers
    )


def test_options_announces_the_protocol_and_limit(client):
    response = client.options("/videos/uploads/")
    assert response.status_code == 204
    assert response["Tus-Version"] == "1.0.0"
    assert response["Tus-Extension"] == "creation,termination"
    assert int(response["Tus-Max-Size"]) == 2 * 1024**3


def test_an_interrupted_upload_resumes_from_where_it_stopped(
    logged_in_client, clips, django_capture_on_commit_callbacks
):
    data = clips["landscape"].read_bytes()
    response = _create(logged_in_client, len(data), tags="rooms booking")
    assert response.status_code == 201
    location = response["Location"]
    video = Video.objects.get()
    assert response["X-Video-Url"] == f"/videos/{video.pk}/"
    assert video.status == Video.Status.UPLOADING
    assert sorted(video.tags.values_list("name", flat=True)) == ["booking", "rooms"]

    half = len(data) // 2
    assert _patch(logged_in_client, location, 0, data[:half])["Upload-Offset"] == str(half)
    # The connection broke; the client asks where to continue.
    head = logged_in_client.head(location, **TUS)
    assert head.status_code == 200 and head["Upload-Offset"] == str(half)
    assert head["Cache-Control"] == "no-store"
    # Sending from the wrong offset is refused.
    assert _patch(logged_in_client, location, 0, data[:10]).status_code == 409
    with django_capture_on_commit_callbacks(execute=True):
        response = _patch(logged_in_client, location, half, data[half:])
    assert response.status_code == 204 and response["Upload-Offset"] == str(len(data))
    video.refresh_from_db()
    assert video.status == Video.Status.READY, video.status_message
    assert UploadSession.objects.get().completed_at is not None


def test_an_api_token_can_upload_without_a_session(client, user):
    _, raw = api_token_create(user=user, name="script")
    response = client.post(
        "/videos/uploads/",
        HTTP_UPLOAD_LENGTH="10",
        HTTP_UPLOAD_METADATA=_meta(title="Scripted upload"),
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        **TUS,
    )
    assert response.status_code == 201
    assert Video.objects.get().uploader == user


def test_anonymous_and_bad_token_uploads_are_refused(client):
    assert _create(client, 10).status_code == 403
    response = client.post(
        "/videos/uploads/", HTTP_UPLOAD_LENGTH="10", HTTP_AUTHORIZATION="Bearer kh_nope", **TUS
    )
    assert response.status_code == 403


def test_a_session_upload_needs_the_csrf_token(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert _create(client, 10).status_code == 403
    client.get("/videos/upload/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/videos/uploads/",
        HTTP_UPLOAD_LENGTH="10",
        HTTP_UPLOAD_METADATA=_meta(title="With a token"),
        HTTP_X_CSRFTOKEN=token,
        **TUS,
    )
    assert response.status_code == 201


def test_a_file_over_the_limit_is_refused_with_413(logged_in_client, settings):
    settings.VIDEOS = {**settings.VIDEOS, "MAX_UPLOAD_BYTES": 100}
    response = _create(logged_in_client, 101)
    assert response.status_code == 413
    assert "too large" in response.content.decode()


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"HTTP_UPLOAD_LENGTH": "abc"}, 400),
        ({"HTTP_UPLOAD_LENGTH": "10", "HTTP_UPLOAD_METADATA": "title !!notbase64"}, 400),
        ({"HTTP_UPLOAD_LENGTH": "10", "HTTP_TUS_RESUMABLE": "0.2.2"}, 412),
    ],
)
def test_malformed_creation_requests_get_clear_errors(logged_in_client, headers, status):
    response = logged_in_client.post("/videos/uploads/", **{**TUS, **headers})
    assert response.status_code == status


def test_patch_needs_the_tus_content_type_and_the_owner(logged_in_client, other_user, client):
    location = _create(logged_in_client, 10)["Location"]
    response = logged_in_client.generic(
        "PATCH", location, b"12345", content_type="text/plain", HTTP_UPLOAD_OFFSET="0", **TUS
    )
    assert response.status_code == 415
    client.force_login(other_user)
    assert _patch(client, location, 0, b"12345").status_code == 404
    assert client.head(location, **TUS).status_code == 404


def test_more_bytes_than_the_length_are_refused(logged_in_client):
    location = _create(logged_in_client, 4)["Location"]
    assert _patch(logged_in_client, location, 0, b"123456").status_code == 400


def test_delete_abandons_the_upload(logged_in_client):
    location = _create(logged_in_client, 10)["Location"]
    assert logged_in_client.delete(location, **TUS).status_code == 204
    assert not Video.objects.exists()
    assert logged_in_client.head(location, **TUS).status_code == 404


def test_a_second_writer_on_the_same_upload_is_told_to_wait(logged_in_client, user):
    import fcntl

    from knowhow.videos.services import _staging_path

    location = _create(logged_in_client, 10)["Location"]
    session = UploadSession.objects.get()
    with _staging_path(session.id).open("r+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        response = _patch(logged_in_client, location, 0, b"12345")
    assert response.status_code == 423
    assert _patch(logged_in_client, location, 0, b"12345")["Upload-Offset"] == "5"
