"""Writes for accounts: sign-up, profile edits, API tokens."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from knowhow.accounts.models import ApiToken, User
from knowhow.core.errors import NotFound, ValidationFailed
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
    user.save()
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
