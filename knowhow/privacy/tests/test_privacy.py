"""Data protection: export, erasure (nothing personal left), data requests, retention."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from allauth.socialaccount.models import SocialAccount
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from knowhow.accounts import two_factor
from knowhow.accounts.models import LoginFailure, User
from knowhow.accounts.services import api_token_create, login_record_failure
from knowhow.core.tests.factories import AnswerFactory, QuestionFactory, SpaceFactory, UserFactory
from knowhow.privacy import services
from knowhow.privacy.models import DataRequest
from knowhow.qa import services as qa_services
from knowhow.qa.models import Comment, Post, PostRevision, Tag
from knowhow.spaces.models import SpaceMembership

NEEDLES = [
    "zelda_unique",
    "zelda.private@example.org",
    "Zelda Quixote",
    "Chief Xylophonist",
    "Dept Zeta-42",
    "zelda likes llamas",
    "oidc-sub-zelda-77",
]


@pytest.fixture
def zelda(db, client):
    person = UserFactory(
        username="zelda_unique",
        email="zelda.private@example.org",
        display_name="Zelda Quixote",
        job_title="Chief Xylophonist",
        department="Dept Zeta-42",
        bio="zelda likes llamas",
    )
    client.post(
        reverse("accounts:login"), {"username": "zelda_unique", "password": "correct horse battery"}
    )
    api_token_create(user=person, name="zelda's script")
    two_factor.totp_start(user=person)
    login_record_failure(username="zelda_unique", ip="10.1.2.3")
    SocialAccount.objects.create(
        user=person,
        provider="company",
        uid="oidc-sub-zelda-77",
        extra_data={"userinfo": {"email": "zelda.private@example.org", "name": "Zelda Quixote"}},
    )
    qa_services.tag_follow(user=person, tag=Tag.objects.get_or_create(name="excel")[0])
    return person


def _world(zelda):
    other = UserFactory()
    question = QuestionFactory(author=zelda, title="How do pivot tables group dates?")
    answer = AnswerFactory(question=question, author=other)
    own_answer = AnswerFactory(
        question=QuestionFactory(author=other), author=zelda, body="Use the Group field option."
    )
    qa_services.comment_add(post=answer, author=zelda, body="Thanks, that worked.")
    qa_services.vote_cast(post=answer, user=zelda, value=1)
    qa_services.question_record_view(question=answer.question, viewer_key=f"u{zelda.pk}")
    return question, answer, own_answer, other


def _rows_mentioning(needles):
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                text = " ".join(str(v) for v in row).lower()
                for needle in needles:
                    if needle.lower() in text:
                        found.append((table, needle))
    return found


def test_the_needles_are_really_in_the_database_before_erasure(zelda):
    _world(zelda)
    tables = {table for table, _ in _rows_mentioning(NEEDLES)}
    assert {"accounts_user", "socialaccount_socialaccount", "accounts_loginfailure"} <= tables


def test_erasure_leaves_nothing_personal_and_keeps_content_as_a_former_members(zelda, client):
    question, answer, own_answer, other = _world(zelda)
    services.person_erase(user=zelda, by=None)

    assert _rows_mentioning(NEEDLES) == []
    zelda.refresh_from_db()
    assert zelda.name == "Former member"
    assert not zelda.is_active and not zelda.has_usable_password()
    assert client.get(reverse("accounts:profile")).status_code == 302  # session ended
    assert not SpaceMembership.objects.filter(user=zelda).exists()
    # Content stays consistent: the question, its answers, counters and votes.
    question.refresh_from_db()
    own_answer.refresh_from_db()
    answer.refresh_from_db()
    assert question.author_id == zelda.pk and not question.is_deleted
    assert question.answer_count == 1
    assert own_answer.author_id == zelda.pk and own_answer.body == "Use the Group field option."
    assert answer.score == 1
    page = client.get(question.get_absolute_url())
    assert page.status_code == 200
    assert "Former member" in page.content.decode()


def test_under_the_delete_policy_their_content_goes_and_counters_stay_right(zelda, settings):
    settings.KNOWHOW = {**settings.KNOWHOW, "ERASURE_POLICY": "delete"}
    question, answer, own_answer, other = _world(zelda)
    other_question = own_answer.question
    services.person_erase(user=zelda, by=None)

    own_answer.refresh_from_db()
    question.refresh_from_db()
    other_question.refresh_from_db()
    assert own_answer.is_deleted and own_answer.body == ""
    assert question.is_deleted and question.title == "[deleted]"
    assert other_question.answer_count == 0
    assert not PostRevision.objects.filter(post__author=zelda).exists()
    comment = Comment.objects.get(author=zelda)
    assert comment.is_deleted and comment.body == ""
    answer.refresh_from_db()
    assert answer.comment_count == 0
    assert not answer.is_deleted  # someone else's answer is not theirs to delete
    assert _rows_mentioning(NEEDLES + ["pivot tables group dates", "Group field option"]) == []


def test_the_export_has_their_data_and_uploads_but_no_secrets(zelda, client):
    _world(zelda)
    response = client.post(reverse("privacy:my_data_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("personal-data.json"))
    assert data["profile"]["email"] == "zelda.private@example.org"
    assert "password" not in data["profile"]
    records = data["records"]
    assert any(p["title"] == "How do pivot tables group dates?" for p in records["qa.Post.author"])
    assert records["qa.Comment.author"][0]["body"] == "Thanks, that worked."
    assert records["qa.Vote.user"][0]["value"] == 1
    assert "accounts.ApiToken.user" in records
    assert all("key_hash" not in t for t in records["accounts.ApiToken.user"])
    assert all("secret" not in d for d in records["accounts.TotpDevice.user"])
    assert all("session_key" not in s for s in records["accounts.UserSession.user"])
    assert records["socialaccount.SocialAccount.user"][0]["uid"] == "oidc-sub-zelda-77"
    assert "qa.QuestionView.viewer_key" in records
    assert DataRequest.objects.get(subject_id=zelda.pk).kind == "export"


def test_the_export_never_carries_a_private_space_the_person_cannot_see(zelda, client):
    pilot = SpaceFactory(private=True)
    secret = QuestionFactory(author=zelda, space=pilot, title="Secret merger plans for Q3?")
    insider = UserFactory()
    AnswerFactory(question=secret, author=insider, body="Insider answer about the merger.")
    SpaceMembership.objects.filter(space=pilot, user=zelda).delete()
    public = QuestionFactory(author=insider)
    qa_services.vote_cast(post=public, user=zelda, value=1)

    archive = zipfile.ZipFile(io.BytesIO(client.post(reverse("privacy:my_data_export")).content))
    text = archive.read("personal-data.json").decode()
    assert "Secret merger" not in text
    assert "Insider answer" not in text
    assert str(public.pk) in text


def test_the_export_needs_a_login_and_a_post(client, db):
    assert client.post(reverse("privacy:my_data_export")).status_code == 302
    person = UserFactory()
    client.force_login(person)
    assert client.get(reverse("privacy:my_data_export")).status_code == 405


def test_asking_for_erasure_and_an_admin_carrying_it_out(zelda, client, staff):
    page = client.post(reverse("privacy:my_data"), {"confirm": "wrong name"})
    assert page.status_code == 400
    response = client.post(reverse("privacy:my_data"), {"confirm": "zelda_unique"})
    assert response.status_code == 302
    request = DataRequest.objects.get(kind="erasure")
    assert request.due_at - request.requested_at == timedelta(days=30)
    again = client.post(reverse("privacy:my_data"), {"confirm": "zelda_unique"})
    assert again.status_code == 400 and "You asked for erasure" in again.content.decode()

    # A non-admin sees neither the list nor the button.
    assert client.get(reverse("privacy:requests")).status_code == 302
    client.post(reverse("privacy:request_carry_out", args=[request.pk]))
    zelda.refresh_from_db()
    assert zelda.is_active

    client.force_login(staff)
    listing = client.get(reverse("privacy:requests")).content.decode()
    assert f"#{zelda.pk}" in listing and request.due_at.strftime("%Y-%m-%d") in listing
    response = client.post(reverse("privacy:request_carry_out", args=[request.pk]))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "done" and request.user is None and request.handled_by == staff
    assert _rows_mentioning(NEEDLES) == []
    assert (
        "overdue" not in client.get(reverse("privacy:requests") + "?status=done").content.decode()
    )


def test_overdue_requests_are_marked(staff, client, user):
    DataRequest.objects.create(
        kind="erasure", user=user, subject_id=user.pk, due_at=timezone.now() - timedelta(days=1)
    )
    client.force_login(staff)
    assert "overdue" in client.get(reverse("privacy:requests")).content.decode()


def test_the_privacy_notice_is_public(client, db):
    response = client.get(reverse("privacy:notice"))
    assert response.status_code == 200
    assert "365 days" in response.content.decode()


def test_retention_purges_old_logs_and_long_deleted_content(user, other_user, settings):
    question = QuestionFactory(author=user)
    qa_services.post_delete(post=question, by=user)
    recent = QuestionFactory(author=user, title="A recently deleted question title")
    qa_services.post_delete(post=recent, by=user)
    live = QuestionFactory(author=user, title="A live question that stays here")
    Post.objects.filter(pk=question.pk).update(deleted_at=timezone.now() - timedelta(days=400))
    login_record_failure(username="someone", ip=None)
    LoginFailure.objects.update(at=timezone.now() - timedelta(days=100))

    deleted = services.retention_purge()
    assert deleted["qa.Post"] == 1 and deleted["accounts.LoginFailure"] == 1
    assert set(Post.objects.values_list("pk", flat=True)) == {recent.pk, live.pk}


def test_the_purge_is_scheduled_daily():
    from knowhow.core.scheduling import schedules

    assert any(s.name == "privacy.retention_purge" for s in schedules())


def test_a_superuser_cannot_erase_themselves(staff):
    from knowhow.core.errors import PermissionRefused

    with pytest.raises(PermissionRefused):
        services.person_erase(user=staff, by=staff)
    assert User.objects.get(pk=staff.pk).is_active


def test_the_audit_log_forgets_the_name_of_an_erased_person(zelda, staff):
    from knowhow.accounts.audit import audit_record
    from knowhow.accounts.models import AuditLogEntry

    audit_record(actor=staff, obj=zelda, action="changed", message="Changed job title.")
    assert AuditLogEntry.objects.get(object_id=str(zelda.pk)).object_repr == "Zelda Quixote"
    services.person_erase(user=zelda, by=staff)
    entry = AuditLogEntry.objects.get(object_id=str(zelda.pk))
    assert entry.object_repr == f"Former member #{zelda.pk}"
    assert entry.get_change_message() == "Changed job title."
    assert _rows_mentioning(NEEDLES) == []


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VIDEOS = {**settings.VIDEOS, "UPLOAD_DIR": tmp_path / "uploads"}
    return tmp_path


def test_the_export_carries_their_uploaded_files_byte_for_byte_and_nobody_elses(
    zelda, client, media
):
    """Avatars are generated (identicons), not uploaded; what a person uploads is a video's
    original and caption files. Those are in the archive exactly as stored; others' are not."""
    from django.core.files.storage import default_storage

    from knowhow.spaces.selectors import default_space
    from knowhow.videos import services as video_services

    original_bytes = bytes(range(256)) * 40 + b"zelda's own recording"
    source = media / "zelda-howto.mp4"
    source.write_bytes(original_bytes)
    video = video_services.video_create_from_file(
        user=zelda, space=default_space(), title="Pivot tables in 2 minutes", path=source
    )
    caption = video_services.caption_upload(
        video=video,
        by=zelda,
        language="en",
        label="English",
        filename="en.vtt",
        data=b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHello from Zelda\n",
    )
    other = UserFactory()
    other_source = media / "other.mp4"
    other_source.write_bytes(b"somebody else's recording" * 50)
    other_video = video_services.video_create_from_file(
        user=other, space=default_space(), title="Someone else's video", path=other_source
    )
    other_caption = video_services.caption_upload(
        video=other_video,
        by=other,
        language="fr",
        label="Français",
        filename="fr.vtt",
        data=b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nBonjour\n",
    )

    archive = zipfile.ZipFile(io.BytesIO(client.post(reverse("privacy:my_data_export")).content))
    names = archive.namelist()
    original_name = f"uploads/videos.Video/{video.pk}/{video.original}"
    caption_name = f"uploads/videos.Caption/{caption.pk}/{caption.vtt}"
    assert archive.read(original_name) == original_bytes
    with default_storage.open(caption.vtt, "rb") as stored:
        assert archive.read(caption_name) == stored.read()
    assert b"Hello from Zelda" in archive.read(caption_name)
    assert not any(str(other_video.key) in n for n in names)
    assert not any(other_caption.vtt in n for n in names)
    for name in names:
        if name != "personal-data.json":
            assert b"somebody else" not in archive.read(name) and b"Bonjour" not in archive.read(
                name
            )
    data = json.loads(archive.read("personal-data.json"))
    assert [v["original"] for v in data["records"]["videos.Video.uploader"]] == [video.original]
    assert [c["vtt"] for c in data["records"]["videos.Caption.uploaded_by"]] == [caption.vtt]


def test_the_export_leaves_out_captions_of_a_private_space_they_left(zelda, client, media):
    from knowhow.videos import services as video_services

    pilot = SpaceFactory(private=True)
    SpaceMembership.objects.get_or_create(space=pilot, user=zelda)
    source = media / "secret.mp4"
    source.write_bytes(b"secret pilot recording" * 20)
    video = video_services.video_create_from_file(
        user=zelda, space=pilot, title="Secret pilot demo", path=source
    )
    video_services.caption_upload(
        video=video,
        by=zelda,
        language="en",
        label="English",
        filename="en.vtt",
        data=b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nSecret merger words\n",
    )
    SpaceMembership.objects.filter(space=pilot, user=zelda).delete()
    archive = zipfile.ZipFile(io.BytesIO(client.post(reverse("privacy:my_data_export")).content))
    assert b"Secret merger words" not in archive.read("personal-data.json")
    assert b"Secret pilot demo" not in archive.read("personal-data.json")
    assert archive.namelist() == ["personal-data.json"]


def test_erasure_rewrites_mentions_of_the_person_in_others_posts(
    zelda, staff, default_space, django_capture_on_commit_callbacks
):
    """Others' @mentions become the anonymised handle: in the source, the stored HTML, the
    revision history, notifications and the search index. Free-text names are listed for an
    administrator instead, since they cannot be told apart from ordinary words reliably."""
    from knowhow.feed.models import Notification
    from knowhow.search.selectors import search_questions
    from knowhow.search.services import question_index_rebuild

    other = UserFactory(username="bystander")
    question = QuestionFactory(
        author=other,
        title="Who owns the pivot table macros?",
        body="I think @zelda_unique wrote them; @zelda_uniqueness is someone else.",
    )
    qa_services.post_edit(post=question, by=other, body="Ask @Zelda_Unique, she wrote them.")
    answer = AnswerFactory(question=question, author=other, body="Yes, @zelda_unique. Ask her.")
    comment = qa_services.comment_add(
        post=question, author=other, body="cc @zelda_unique (not mail to a@zelda_unique)"
    )
    prose = AnswerFactory(question=question, author=other, body="Zelda Quixote knows this best.")
    Notification.objects.create(
        recipient=other,
        kind="mention",
        post=answer,
        space=default_space,
        title="Mentioned",
        text="Yes, @zelda_unique. Ask her.",
        url="/",
        created_at=timezone.now(),
    )
    question_index_rebuild()
    assert search_questions(viewer=other, text="zelda_unique").page.paginator.count == 1
    request = services.erasure_request_create(user=zelda, confirm="zelda_unique")
    with django_capture_on_commit_callbacks(execute=True):
        done = services.erasure_request_carry_out(data_request=request, by=staff)

    handle = f"@former-member-{zelda.pk}"
    question.refresh_from_db()
    answer.refresh_from_db()
    comment.refresh_from_db()
    assert question.body == f"Ask {handle}, she wrote them."
    assert handle in question.body_html and "Zelda_Unique" not in question.body_html
    assert answer.body == f"Yes, {handle}. Ask her." and handle in answer.body_html
    assert comment.body == f"cc {handle} (not mail to a@zelda_unique)"
    assert handle in comment.body_html
    history = " ".join(PostRevision.objects.filter(post=question).values_list("body", flat=True))
    assert f"I think {handle} wrote them; @zelda_uniqueness is someone else." in history
    assert Notification.objects.get(post=answer).text == f"Yes, {handle}. Ask her."
    # The search index was refreshed after commit: the old handle no longer finds the thread.
    assert search_questions(viewer=other, text="zelda_unique").page.paginator.count == 0
    assert done.review_post_ids == [prose.pk]


def test_the_admin_list_links_the_posts_to_review_after_an_erasure(zelda, staff, client):
    other = UserFactory()
    question = QuestionFactory(author=other, body="Zelda Quixote set up the macros.")
    request = services.erasure_request_create(user=zelda, confirm="zelda_unique")
    services.erasure_request_carry_out(data_request=request, by=staff)
    client.force_login(staff)
    page = client.get(reverse("privacy:requests") + "?status=done").content.decode()
    assert reverse("qa:question_detail", args=[question.pk]) in page
    assert "Zelda Quixote" not in page
