"""Writes for data protection: export of personal data, erasure, data requests, retention."""

import io
import json
import re
import zipfile
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from knowhow.accounts.audit import audit_record
from knowhow.accounts.models import LoginFailure, User
from knowhow.core.errors import ApplicationError, Conflict, PermissionRefused, ValidationFailed
from knowhow.privacy.models import DataRequest
from knowhow.privacy.registry import (
    erasure_steps,
    export_steps,
    mention_fields,
    personal_file_fields,
    personal_models,
    retention_rules,
)
from knowhow.spaces.models import Space
from knowhow.spaces.selectors import visible_space_q

# Never exported: secrets that would let someone act as the person.
SECRET_FIELDS = frozenset({"password", "key_hash", "secret", "code_hash", "session_key"})
FORMER_MEMBER = "Former member"


class ErasurePolicy(models.TextChoices):
    ANONYMISE = "anonymise", "Keep content, attributed to a former member"
    DELETE = "delete", "Delete the person's content"


def _label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def _user_relations() -> list[tuple[type[models.Model], models.Field]]:
    relations = []
    for model in apps.get_models():
        if model is User:
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is User:
                relations.append((model, field))
    return relations


def _space_prefix(model: type[models.Model]) -> str | None:
    """The lookup from `model` to a Space, if its rows belong to one (directly, or through the
    post, question, video or other row they hang on)."""
    fields = [f for f in model._meta.concrete_fields if f.is_relation]
    for field in fields:
        if field.name == "space" and field.related_model is Space:
            return "space"
    preferred = ("post", "question")
    for field in sorted(fields, key=lambda f: (f.name not in preferred, f.name)):
        if field.related_model in (User, Space):
            continue
        for inner in field.related_model._meta.concrete_fields:
            if inner.name == "space" and inner.is_relation and inner.related_model is Space:
                return f"{field.name}__space"
    return None


def _row(obj: models.Model, files: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    stored_names = personal_file_fields(obj._meta.label)
    for field in obj._meta.concrete_fields:
        if field.name in SECRET_FIELDS:
            continue
        value = field.value_from_object(obj)
        if isinstance(field, models.FileField):
            if value:
                files.append((f"uploads/{_label(type(obj))}/{obj.pk}/{value.name}", value))
                value = value.name
            else:
                value = ""
        elif field.name in stored_names and value:
            files.append((f"uploads/{_label(type(obj))}/{obj.pk}/{value}", value))
        data[field.attname if field.is_relation else field.name] = value
    return data


def _open_upload(upload: Any) -> Any:
    """A FieldFile opens itself; a storage name opens in the default storage."""
    return default_storage.open(upload, "rb") if isinstance(upload, str) else upload.open("rb")


def personal_data(*, user: User) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """Everything stored about the person: their profile and every row that points to them.

    Rows in spaces the person can no longer see are left out, so an export never carries a
    private space's content to someone who is not a member.
    """
    files: list[tuple[str, Any]] = []
    data: dict[str, Any] = {
        "format": "knowhow-personal-data/1",
        "exported_at": timezone.now(),
        "profile": _row(user, files),
        "records": {},
    }
    for model, field in _user_relations():
        qs = model._default_manager.filter(**{field.name: user})
        prefix = _space_prefix(model)
        if prefix:
            qs = qs.filter(visible_space_q(user, prefix=prefix))
        rows = [_row(obj, files) for obj in qs.order_by("pk")]
        if rows:
            data["records"].setdefault(f"{_label(model)}.{field.name}", []).extend(rows)
    from knowhow.qa.models import QuestionView

    views = QuestionView.objects.filter(viewer_key=f"u{user.pk}").filter(
        visible_space_q(user, prefix="question__space")
    )
    if views.exists():
        data["records"]["qa.QuestionView.viewer_key"] = [
            {"question_id": v.question_id, "day": v.day} for v in views.order_by("pk")
        ]
    for step in export_steps():
        for label, rows in step(user).items():
            if rows:
                data["records"].setdefault(label, []).extend(rows)
    groups = list(user.scim_groups.values_list("display_name", flat=True))
    if groups:
        data["records"]["provisioning.ScimGroup.members"] = groups
    return data, files


@transaction.atomic
def data_export_build(*, user: User) -> bytes:
    """A zip with personal-data.json and the person's uploads; records a done export request."""
    data, files = personal_data(user=user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "personal-data.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2, default=str)
        )
        for name, fieldfile in files:
            try:
                with _open_upload(fieldfile) as handle:
                    archive.writestr(name, handle.read())
            except (FileNotFoundError, OSError):
                archive.writestr(name + ".missing.txt", "This file is no longer stored.")
    now = timezone.now()
    DataRequest.objects.create(
        kind=DataRequest.Kind.EXPORT,
        user=user,
        subject_id=user.pk,
        status=DataRequest.Status.DONE,
        completed_at=now,
        due_at=now,
    )
    return buffer.getvalue()


# --- Erasure ----------------------------------------------------------------------------------


def erasure_request_create(*, user: User, confirm: str) -> DataRequest:
    if confirm.strip() != user.username:
        raise ValidationFailed("Type your username to confirm.", field="confirm")
    if DataRequest.objects.filter(
        subject_id=user.pk, kind=DataRequest.Kind.ERASURE, status=DataRequest.Status.OPEN
    ).exists():
        raise Conflict("You have already asked for erasure; it is being handled.")
    now = timezone.now()
    return DataRequest.objects.create(
        kind=DataRequest.Kind.ERASURE,
        user=user,
        subject_id=user.pk,
        requested_at=now,
        due_at=now + timedelta(days=settings.KNOWHOW["DATA_REQUEST_DEADLINE_DAYS"]),
    )


@transaction.atomic
def erasure_request_carry_out(*, data_request: DataRequest, by: User) -> DataRequest:
    if not by.is_staff:
        raise PermissionRefused("Only administrators carry out erasure requests.")
    data_request = DataRequest.objects.select_for_update().get(pk=data_request.pk)
    if data_request.status != DataRequest.Status.OPEN:
        raise Conflict("That request is not open.")
    review: list[int] = []
    if data_request.user is not None:
        review = name_mentions_for_review(user=data_request.user)
        person_erase(user=data_request.user, by=by)
    data_request.refresh_from_db()
    data_request.review_post_ids = review
    data_request.status = DataRequest.Status.DONE
    data_request.completed_at = timezone.now()
    data_request.handled_by = by
    data_request.save(update_fields=["status", "completed_at", "handled_by", "review_post_ids"])
    audit_record(
        actor=by,
        obj=data_request,
        action="changed",
        message=f"Carried out erasure of person #{data_request.subject_id}.",
    )
    return data_request


def _delete_content(user: User) -> None:
    """Under the 'delete' policy: the person's posts and comments are deleted the way any
    deletion happens (counters stay right) and their text is removed, revisions included."""
    from knowhow.qa import services as qa_services
    from knowhow.qa.models import Comment, Post, PostRevision

    for post in Post.objects.filter(author=user, is_deleted=False).order_by("-post_type"):
        try:
            qa_services.post_delete(post=post, by=user)
        except ApplicationError:
            # The person can no longer see that space, or it is archived: remove it all the
            # same, keeping the question's answer count right.
            Post.objects.filter(pk=post.pk).update(
                is_deleted=True, deleted_at=timezone.now(), deleted_by=None
            )
            if post.is_answer:
                Post.objects.filter(pk=post.question_id, answer_count__gt=0).update(
                    answer_count=F("answer_count") - 1
                )
    for comment in Comment.objects.filter(author=user, is_deleted=False):
        try:
            qa_services.comment_delete(comment=comment, by=user)
        except ApplicationError:
            Comment.objects.filter(pk=comment.pk).update(is_deleted=True)
    Post.objects.filter(author=user).update(
        title="[deleted]", body="", body_html="", deleted_by=None
    )
    Comment.objects.filter(author=user).update(body="", body_html="")
    PostRevision.objects.filter(post__author=user).delete()


def _mention_re(username: str) -> re.Pattern[str]:
    """`@username` as the feed app recognises a mention: not inside a word, an address or a
    path, and not the start of a longer name (a sentence's full stop may follow)."""
    return re.compile(
        r"(?<![\w@/])@" + re.escape(username) + r"(?![A-Za-z0-9_+-]|\.[A-Za-z0-9_+-])",
        re.IGNORECASE,
    )


def _rewrite_mentions(*, old: str, new: str) -> list[int]:
    """Rewrite `@old` to `@new` in every post, comment and revision (source and stored HTML),
    and in registered plain-text fields (notifications). Returns the questions to reindex."""
    from knowhow.core.rendering import render_inline_markdown, render_markdown
    from knowhow.qa.models import Comment, Post, PostRevision

    pattern = _mention_re(old)
    needle = f"@{old}"
    touched: set[int] = set()

    def sub(text: str) -> str:
        return pattern.sub(f"@{new}", text)

    for post in Post.objects.filter(
        models.Q(body__icontains=needle) | models.Q(title__icontains=needle)
    ):
        body, title = sub(post.body), sub(post.title)
        if (body, title) != (post.body, post.title):
            Post.objects.filter(pk=post.pk).update(
                body=body, title=title, body_html=render_markdown(body)
            )
            touched.add(post.question_id or post.pk)
    for comment in Comment.objects.filter(body__icontains=needle).select_related("post"):
        body = sub(comment.body)
        if body != comment.body:
            Comment.objects.filter(pk=comment.pk).update(
                body=body, body_html=render_inline_markdown(body)
            )
            touched.add(comment.post.question_id or comment.post_id)
    for revision in PostRevision.objects.filter(
        models.Q(body__icontains=needle) | models.Q(title__icontains=needle)
    ):
        PostRevision.objects.filter(pk=revision.pk).update(
            body=sub(revision.body), title=sub(revision.title)
        )
    for label, fields in mention_fields().items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        found = models.Q()
        for name in fields:
            found |= models.Q(**{f"{name}__icontains": needle})
        for row in model._default_manager.filter(found):
            model._default_manager.filter(pk=row.pk).update(
                **{name: sub(getattr(row, name)) for name in fields}
            )
    return sorted(touched)


def name_mentions_for_review(*, user: User) -> list[int]:
    """Posts by others that contain the person's display name or full name as free text.

    A name written in prose cannot be told reliably from the same words meaning something else
    (a "Rose" in a gardening answer), so these are listed for an administrator to review by
    hand rather than rewritten. Names shorter than 4 characters are not searched: too noisy.
    """
    from knowhow.qa.models import Comment, Post

    names = {
        n.strip()
        for n in (user.display_name, f"{user.first_name} {user.last_name}")
        if len(n.strip()) >= 4
    }
    if not names:
        return []
    found = models.Q()
    for name in names:
        found |= models.Q(body__icontains=name) | models.Q(title__icontains=name)
    posts = set(Post.objects.filter(found).exclude(author=user).values_list("pk", flat=True))
    in_comments = models.Q()
    for name in names:
        in_comments |= models.Q(body__icontains=name)
    posts |= set(
        Comment.objects.filter(in_comments).exclude(author=user).values_list("post_id", flat=True)
    )
    return sorted(posts)[:500]


@transaction.atomic
def person_erase(*, user: User, by: User | None) -> User:
    """Anonymise the profile and remove personal data. Content follows the organisation's
    policy (settings.KNOWHOW["ERASURE_POLICY"]): kept as a former member's, or deleted."""
    from knowhow.accounts.services import sessions_revoke_all
    from knowhow.qa.models import QuestionView

    if user.is_superuser and by is not None and by.pk == user.pk:
        raise PermissionRefused("A superuser cannot erase their own account.")
    if settings.KNOWHOW["ERASURE_POLICY"] == ErasurePolicy.DELETE:
        _delete_content(user)
    for step in erasure_steps():
        step(user, settings.KNOWHOW["ERASURE_POLICY"])
    sessions_revoke_all(user=user)
    old_username = user.username
    wanted = personal_models()
    for model, field in _user_relations():
        if _label(model) in wanted:
            model._default_manager.filter(**{field.name: user}).delete()
    QuestionView.objects.filter(viewer_key=f"u{user.pk}").delete()
    LoginFailure.objects.filter(username=old_username.lower()).delete()
    user.scim_groups.clear()
    DataRequest.objects.filter(user=user).update(user=None)
    # The audit log keeps what was done to the account, not the name it had.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr=f"{FORMER_MEMBER} #{user.pk}")

    user.username = f"former-member-{user.pk}"
    user.display_name = FORMER_MEMBER
    # Others' @mentions of the person name them: they now point at the anonymised handle, in
    # the text, its stored HTML, revision history and (after commit) the search index.
    reindex = _rewrite_mentions(old=old_username, new=user.username)
    if reindex:
        transaction.on_commit(lambda: _reindex(reindex))
    for name in ("email", "first_name", "last_name", "job_title", "department", "bio", "bio_html"):
        setattr(user, name, "")
    user.source_id = None
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    return user


def _reindex(question_ids: list[int]) -> None:
    from knowhow.qa.models import Post
    from knowhow.qa.signals import post_changed

    for pk in question_ids:
        post_changed.send(sender=Post, post_id=pk, created=False)


# --- Retention --------------------------------------------------------------------------------


def retention_purge(*, now: Any = None) -> dict[str, int]:
    """Delete what is older than its retention period (settings.KNOWHOW["RETENTION_DAYS"])."""
    now = now or timezone.now()
    days = settings.KNOWHOW["RETENTION_DAYS"]
    deleted: dict[str, int] = {}
    for rule in retention_rules():
        keep_days = days.get(rule.setting)
        if not keep_days:
            continue
        try:
            model = apps.get_model(rule.model)
        except LookupError:
            continue
        qs = model._default_manager.filter(
            **{f"{rule.date_field}__lt": now - timedelta(days=keep_days)}, **dict(rule.extra_filter)
        )
        _, per_model = qs.delete()
        deleted[rule.model] = per_model.get(model._meta.label, 0)
    return deleted
