"""Single sign-on with OpenID Connect through django-allauth: adapters and group sync."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.signals import user_logged_in as allauth_user_logged_in
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.dispatch import receiver
from django.http import HttpRequest

from knowhow.accounts.models import User


def user_display(user: User) -> str:
    return user.name


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Local sign-up is our own page (accounts:signup); allauth only creates SSO accounts.
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return True

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict) -> User:
        user = super().populate_user(request, sociallogin, data)
        claims = sso_claims(sociallogin)
        user.display_name = (claims.get("name") or "")[:80]
        user.source = f"oidc:{sociallogin.account.provider}"[:100]
        return user

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> User:
        user = super().save_user(request, sociallogin, form)
        from knowhow.spaces.services import space_join_default

        space_join_default(user=user)
        return user


def sso_claims(sociallogin: SocialLogin) -> dict:
    data = sociallogin.account.extra_data or {}
    claims: dict = {}
    claims.update(data.get("id_token") or {})
    claims.update(data.get("userinfo") or {})
    return claims


def sso_groups(sociallogin: SocialLogin) -> list[str]:
    value = sso_claims(sociallogin).get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(value, str):
        value = [value]
    return [g for g in value if isinstance(g, str)]


@receiver(allauth_user_logged_in, dispatch_uid="knowhow.accounts.sso_group_sync")
def _sync_groups_at_login(
    sender: Any, request: HttpRequest, user: User, sociallogin: SocialLogin | None = None, **_: Any
) -> None:
    """Each SSO login brings the person's space memberships in line with their groups."""
    if sociallogin is None:
        return
    from knowhow.spaces.services import space_memberships_sync_groups

    space_memberships_sync_groups(user=user, groups=sso_groups(sociallogin))
