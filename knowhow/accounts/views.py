"""Sign-up, profile settings, API tokens and generated avatars."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from knowhow.accounts import services
from knowhow.accounts.avatars import identicon_svg
from knowhow.accounts.forms import ProfileForm, SignUpForm, TokenForm
from knowhow.accounts.models import User
from knowhow.core.errors import ApplicationError, NotFound
from knowhow.core.forms import add_service_error


def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("qa:question_list")
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
