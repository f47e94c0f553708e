"""Writes for accounts: sign-up, profile edits, API tokens, login lockout and sessions."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import IntegrityError, transaction
from django.utils import timezone

from knowhow.accounts.models import ApiToken, LoginFailure, User, UserSession
from knowhow.core.errors import ApplicationError, NotFound, ValidationFailed
from knowhow.core.rendering import render_markdown
from knowhow.core.text import clean_text

TOKEN_PREFIX = "kh_"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def user_sign_up(*, username: str, email: str, password: str, display_name: str = "") -> User:
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed("That username is taken.", field="username")
    if email and User.objects.filter(email__iexact=email).exists():
        raise ValidationFailed("An account with that email already exists.", field="email")
    user = User(username=username, email=email, display_name=clean_text(display_name)[:80])
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same name, signed up a moment ago
        raise ValidationFailed("That username is taken.", field="username") from exc
    from knowhow.spaces.services import space_join_default

    space_join_default(user=user)
    return user


def profile_update(
    *, user: User, display_name: str, job_title: str, department: str, bio: str
) -> User:
    user.display_name = clean_text(display_name).strip()[:80]
    user.job_title = clean_text(job_title).strip()[:120]
    user.department = clean_text(department).strip()[:120]
    user.bio = bio = clean_text(bio)[:5000]
    user.bio_html = render_markdown(bio)
    user.save(update_fields=["display_name", "job_title", "department", "bio", "bio_html"])
    return user


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; the raw secret is returned once and never stored."""
    name = clean_text(name).strip()
    if not name:
        raise ValidationFailed(
            "Give the token a name so that you can recognise it later.", field="name"
        )
    if user.api_tokens.filter(revoked_at__isnull=True).count() >= 20:
        raise ValidationFailed("You have 20 active tokens; revoke one first.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:80], prefix=raw[:10], key_hash=_hash_token(raw)
    )
    return token, raw


def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(*, raw: str) -> User | None:
    """The active user behind a raw token, or None. Records when it was last used."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- Brute-force protection -------------------------------------------------------------------


class TooManyLoginAttempts(ApplicationError):
    """Too many failed attempts. Wait a few minutes and try again."""

    status_code = 429
    code = "too_many_attempts"


def _lockout_settings() -> tuple[int, int, timedelta]:
    conf = settings.KNOWHOW
    return (
        conf["LOGIN_MAX_FAILURES"],
        conf["LOGIN_MAX_FAILURES_PER_IP"],
        timedelta(minutes=conf["LOGIN_LOCKOUT_MINUTES"]),
    )


def login_check_allowed(*, username: str, ip: str | None) -> None:
    """Refuse a login attempt while the username or the address is locked out."""
    per_user, per_ip, window = _lockout_settings()
    since = timezone.now() - window
    recent = LoginFailure.objects.filter(at__gte=since)
    if recent.filter(username=username.strip().lower()).count() >= per_user:
        raise TooManyLoginAttempts()
    if ip and recent.filter(ip=ip).count() >= per_ip:
        raise TooManyLoginAttempts()


def login_record_failure(*, username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=username.strip().lower()[:150], ip=ip or None)
    # Keep the table small: nothing older than the window matters.
    _, _, window = _lockout_settings()
    LoginFailure.objects.filter(at__lt=timezone.now() - 4 * window).delete()


def login_record_success(*, username: str) -> None:
    LoginFailure.objects.filter(username=username.strip().lower()).delete()


# --- Sessions ---------------------------------------------------------------------------------


def session_record(
    *, user: User, session: SessionBase, ip: str | None, user_agent: str, method: str
) -> UserSession | None:
    if not session.session_key:
        session.save()
    key = session.session_key
    if not key:
        return None
    record, _ = UserSession.objects.update_or_create(
        session_key=key,
        defaults={"user": user, "ip": ip or None, "user_agent": user_agent[:300], "method": method},
    )
    return record


def session_forget(*, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def session_rekey(*, old_key: str | None, new_key: str | None) -> None:
    """Follow a session whose key changed (Django cycles it on a password change)."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def _session_store() -> type[SessionBase]:
    from importlib import import_module

    return import_module(settings.SESSION_ENGINE).SessionStore


def session_revoke(*, user: User, session_id: int) -> None:
    """End one of the person's sessions: whoever holds that cookie is signed out."""
    record = UserSession.objects.filter(user=user, pk=session_id).first()
    if record is None:
        raise NotFound("No such session.")
    _session_store()(session_key=record.session_key).delete()
    record.delete()


def sessions_revoke_all(*, user: User, keep_session_key: str | None = None) -> int:
    """End every session of a person (except, optionally, the current one)."""
    records = UserSession.objects.filter(user=user)
    if keep_session_key:
        records = records.exclude(session_key=keep_session_key)
    store = _session_store()
    count = 0
    for key in records.values_list("session_key", flat=True):
        store(session_key=key).delete()
        count += 1
    records.delete()
    return count
