"""Sign-up, profile settings, API tokens and generated avatars."""

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from knowhow.accounts import selectors, services, two_factor
from knowhow.accounts.avatars import identicon_svg
from knowhow.accounts.forms import (
    CodeForm,
    ConfirmCodeForm,
    DisableTwoFactorForm,
    LoginForm,
    ProfileForm,
    SignUpForm,
    TokenForm,
)
from knowhow.accounts.middleware import client_ip
from knowhow.accounts.models import TotpDevice, User
from knowhow.core.errors import ApplicationError, NotFound, PermissionRefused
from knowhow.core.forms import add_service_error


def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("qa:question_list")
    if not settings.LOCAL_ACCOUNTS:
        raise PermissionRefused("Accounts come from single sign-on here; log in with it.")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_sign_up(**form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, "Welcome! Follow a few tags so that we can show you what matters to you."
            )
            return redirect("qa:tag_list")
    return render(
        request, "accounts/sign_up.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(
        request.POST or None,
        initial={
            "display_name": user.display_name,
            "job_title": user.job_title,
            "department": user.department,
            "bio": user.bio,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=user, **form.cleaned_data)
        messages.success(request, "Profile saved.")
        return redirect("accounts:profile")
    return render(
        request, "accounts/profile.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"]
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            form = TokenForm()
    tokens = request.user.api_tokens.all()
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": tokens, "new_token": new_token},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    services.api_token_revoke(user=request.user, token_id=pk)
    messages.success(request, "Token revoked.")
    return redirect("accounts:tokens")


@cache_control(max_age=86400, public=True)
def avatar(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.objects.filter(pk=pk).only("id", "username", "display_name").first()
    if user is None:
        raise NotFound("No such person.")
    return HttpResponse(identicon_svg(user.avatar_seed, user.name), content_type="image/svg+xml")


# --- Login with brute-force protection and a second factor -------------------------------------

PENDING_KEY = "_knowhow_2fa_pending"
PENDING_SECONDS = 300
PENDING_MAX_TRIES = 5


def local_login_allowed(user: User | None = None) -> bool:
    """Password login can be turned off (SSO only); superusers keep it as a way back in."""
    if settings.LOCAL_ACCOUNTS:
        return True
    return user is not None and user.is_superuser


def sso_providers() -> list[dict[str, str]]:
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    return [{"id": app["provider_id"], "name": app["name"]} for app in apps]


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_providers"] = sso_providers()
        context["local_accounts"] = settings.LOCAL_ACCOUNTS
        return context

    def form_valid(self, form: LoginForm) -> HttpResponse:
        user = form.get_user()
        if not local_login_allowed(user):
            form.add_error(None, "Password login is turned off here. Use single sign-on.")
            return self.form_invalid(form)
        if two_factor.has_two_factor(user):
            self.request.session[PENDING_KEY] = {
                "user_id": user.pk,
                "backend": user.backend,
                "at": int(time.time()),
                "next": self.get_success_url(),
                "tries": 0,
            }
            return redirect("accounts:login_verify")
        return super().form_valid(form)


def login_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login for people with two-factor authentication on."""
    pending = request.session.get(PENDING_KEY)
    if not pending or int(time.time()) - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        messages.error(request, "Please log in again.")
        return redirect("accounts:login")
    user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            how = two_factor.two_factor_verify(user=user, code=form.cleaned_data["code"])
        except ApplicationError as error:
            pending["tries"] += 1
            if pending["tries"] >= PENDING_MAX_TRIES:
                request.session.pop(PENDING_KEY, None)
                services.login_record_failure(username=user.username, ip=client_ip(request))
                messages.error(request, "Too many wrong codes. Please log in again.")
                return redirect("accounts:login")
            request.session[PENDING_KEY] = pending
            add_service_error(form, error)
        else:
            request.session.pop(PENDING_KEY, None)
            login(request, user, backend=pending["backend"])
            if how == "recovery":
                left = two_factor.recovery_codes_left(user=user)
                messages.warning(request, f"You used a recovery code; {left} left.")
            return redirect(pending["next"])
    return render(
        request, "accounts/login_verify.html", {"form": form}, status=400 if form.errors else 200
    )


def sso_account_inactive(request: HttpRequest) -> HttpResponse:
    """Where single sign-on sends a deactivated person."""
    messages.error(request, "This account has been deactivated. Ask an administrator.")
    return redirect("accounts:login")


@login_required
def two_factor_settings(request: HttpRequest) -> HttpResponse:
    """Turn two-factor authentication on (scan, confirm, keep recovery codes) or off."""
    user = request.user
    if not user.has_usable_password():
        # People who sign in through single sign-on get their second factor from the IdP.
        return render(request, "accounts/two_factor_sso.html")
    device = TotpDevice.objects.filter(user=user).first()
    context: dict[str, Any] = {"device": device, "recovery_codes": None}
    confirm_form = ConfirmCodeForm(
        request.POST if request.POST.get("action") == "confirm" else None
    )
    disable_form = DisableTwoFactorForm(
        request.POST if request.POST.get("action") == "disable" else None
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "start":
                device = two_factor.totp_start(user=user)
            elif action == "confirm" and confirm_form.is_valid():
                context["recovery_codes"] = two_factor.totp_confirm(
                    user=user, code=confirm_form.cleaned_data["code"]
                )
                device = TotpDevice.objects.get(user=user)
                messages.success(request, "Two-factor authentication is on.")
            elif action == "regenerate" and device is not None and device.is_confirmed:
                context["recovery_codes"] = two_factor.recovery_codes_regenerate(user=user)
            elif action == "disable" and disable_form.is_valid():
                two_factor.totp_disable(user=user, **disable_form.cleaned_data)
                messages.success(request, "Two-factor authentication is off.")
                return redirect("accounts:two_factor")
        except ApplicationError as error:
            add_service_error(disable_form if action == "disable" else confirm_form, error)
    context["device"] = device
    if device is not None and not device.is_confirmed:
        context["secret"] = device.secret
        context["uri"] = two_factor.provisioning_uri(device)
        context["qr_svg"] = qr_svg(context["uri"])
    if device is not None and device.is_confirmed:
        context["codes_left"] = two_factor.recovery_codes_left(user=user)
    context["confirm_form"] = confirm_form
    context["disable_form"] = disable_form
    errors = confirm_form.errors or disable_form.errors
    return render(request, "accounts/two_factor.html", context, status=400 if errors else 200)


def qr_svg(data: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


# --- Sessions ----------------------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    """After a password change every other session ends (Django already refuses them; this
    removes them from the person's session list as well)."""

    template_name = "accounts/password_change.html"

    def get_success_url(self) -> str:
        from django.urls import reverse

        return reverse("accounts:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        old_key = self.request.session.session_key
        response = super().form_valid(form)  # gives this session a new key
        services.session_rekey(old_key=old_key, new_key=self.request.session.session_key)
        services.sessions_revoke_all(
            user=self.request.user, keep_session_key=self.request.session.session_key
        )
        messages.success(self.request, "Password changed; your other sessions have ended.")
        return response


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/sessions.html",
        {
            "sessions": selectors.sessions_for_user(user=request.user),
            "current_key": request.session.session_key,
        },
    )


@login_required
@require_POST
def session_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    services.session_revoke(user=request.user, session_id=pk)
    messages.success(request, "Session ended.")
    return redirect("accounts:sessions")


@login_required
@require_POST
def sessions_revoke_others(request: HttpRequest) -> HttpResponse:
    count = services.sessions_revoke_all(
        user=request.user, keep_session_key=request.session.session_key
    )
    messages.success(request, f"Ended {count} other session{'s' if count != 1 else ''}.")
    return redirect("accounts:sessions")
