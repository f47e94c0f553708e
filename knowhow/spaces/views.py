"""Pages for spaces: the list a person can see, each space's questions, and pilot management."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from knowhow.accounts.models import User
from knowhow.core.errors import ApplicationError, NotFound, PermissionRefused
from knowhow.core.forms import add_service_error
from knowhow.qa import selectors as qa_selectors
from knowhow.spaces import pilots, selectors
from knowhow.spaces.forms import InviteForm, PersonForm, PilotCreateForm, SpaceSettingsForm
from knowhow.spaces.models import Space
from knowhow.spaces.reports import pilot_report


def space_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "spaces/space_list.html", {"spaces": selectors.spaces_visible_to(request.user)}
    )


def space_detail(request: HttpRequest, slug: str) -> HttpResponse:
    space = selectors.space_get_for_viewer(slug=slug, viewer=request.user)
    sort = request.GET.get("sort", qa_selectors.QuestionSort.ACTIVE)
    qs = qa_selectors.question_list(viewer=request.user, sort=sort, space=space)
    key = qa_selectors.list_count_key(viewer=request.user, sort=sort, space=space)
    page = qa_selectors.paginate(qs, page=request.GET.get("page"), count_key=key)
    return render(
        request,
        "spaces/space_detail.html",
        {
            "space": space,
            "page": page,
            "sort": sort,
            "sorts": qa_selectors.QuestionSort.CHOICES,
            "members": selectors.space_members(space=space)[:50] if space.is_private else None,
            "can_manage": selectors.is_space_moderator(request.user, space),
        },
    )


# --- Pilot management (administrators; invitations also by the space's moderators) -----------


def _settings_initial(space: Space) -> dict:
    return {
        "description": space.description,
        "privilege_preset": space.privilege_preset,
        "posting": space.posting,
        "videos_enabled": space.videos_enabled,
        "curation_enabled": space.curation_enabled,
        "chat_webhooks_enabled": space.chat_webhooks_enabled,
    }


@login_required
def pilot_new(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        raise PermissionRefused("Only administrators create pilot spaces.")
    form = PilotCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            space = pilots.pilot_create(by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Pilot created. Invite its first members.")
            return redirect("spaces:manage", slug=space.slug)
    return render(
        request, "spaces/pilot_new.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def space_manage(request: HttpRequest, slug: str) -> HttpResponse:
    space = selectors.space_get_for_viewer(slug=slug, viewer=request.user)
    is_admin = request.user.is_staff
    if not (is_admin or selectors.is_space_moderator(request.user, space)):
        raise PermissionRefused("Only administrators and the space's moderators manage it.")
    action = request.POST.get("action", "")
    settings_form = SpaceSettingsForm(
        request.POST if action == "settings" else None, initial=_settings_initial(space)
    )
    invite_form = InviteForm(request.POST if action == "invite" else None)
    person_form = PersonForm(request.POST if action in {"appoint", "demote", "remove"} else None)
    if request.method == "POST":
        try:
            if action == "settings" and settings_form.is_valid():
                pilots.space_settings_update(
                    space=space, by=request.user, **settings_form.cleaned_data
                )
                messages.success(request, "Settings saved.")
                return redirect("spaces:manage", slug=space.slug)
            if action == "invite" and invite_form.is_valid():
                result = pilots.space_invite(
                    space=space, by=request.user, **invite_form.cleaned_data
                )
                messages.success(
                    request,
                    f"{result['added']} added; {result['invited']} invited to join when they sign up.",
                )
                return redirect("spaces:manage", slug=space.slug)
            if action in {"appoint", "demote", "remove"} and person_form.is_valid():
                person = User.objects.filter(username=person_form.cleaned_data["username"]).first()
                if person is None:
                    raise NotFound("No such person.")
                if action == "remove":
                    pilots.space_member_remove(space=space, user=person, by=request.user)
                else:
                    pilots.space_moderator_appoint(
                        space=space, user=person, by=request.user, moderator=action == "appoint"
                    )
                return redirect("spaces:manage", slug=space.slug)
            if action == "roll_out":
                pilots.pilot_roll_out(space=space, by=request.user)
                messages.success(request, f"{space.name} is now open to the whole organisation.")
                return redirect("spaces:manage", slug=space.slug)
            if action in {"archive", "unarchive"}:
                pilots.space_archive(space=space, by=request.user, archived=action == "archive")
                return redirect("spaces:manage", slug=space.slug)
        except ApplicationError as error:
            form = {"settings": settings_form, "invite": invite_form}.get(action, person_form)
            add_service_error(form, error)
    errors = settings_form.errors or invite_form.errors or person_form.errors
    return render(
        request,
        "spaces/space_manage.html",
        {
            "space": space,
            "is_admin": is_admin,
            "settings_form": settings_form,
            "invite_form": invite_form,
            "person_form": person_form,
            "members": selectors.space_members(space=space),
            "invitations": space.invitations.order_by("email"),
            "group_links": space.group_links.order_by("group"),
            "report": pilot_report(space=space),
        },
        status=400 if errors else 200,
    )
