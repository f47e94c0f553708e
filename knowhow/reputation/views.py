"""Pages: a person's reputation (ledger, tag breakdown, badges) and the privileges page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from knowhow.accounts.models import User
from knowhow.core.errors import NotFound
from knowhow.reputation import selectors
from knowhow.reputation.config import reputation_setting
from knowhow.reputation.models import Badge
from knowhow.reputation.privileges import next_privilege, privileges_for


def _person(pk: int) -> User:
    person = User.objects.filter(pk=pk).first()
    if person is None:
        raise NotFound("No such person.")
    return person


def reputation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    page = selectors.paginate_events(user=person, page=request.GET.get("page"), viewer=request.user)
    return render(
        request,
        "reputation/reputation_detail.html",
        {
            "person": person,
            "page": page,
            "tag_scores": selectors.tag_scores_for(user=person),
            "badges": selectors.badges_for(user=person),
        },
    )


@login_required
def privileges(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reputation/privileges.html",
        {
            "privileges": privileges_for(request.user),
            "next": next_privilege(request.user),
            "preset": reputation_setting("PRIVILEGE_PRESET"),
        },
    )


def badge_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reputation/badge_list.html",
        {"badges": selectors.badge_catalogue(), "tiers": Badge.Tier},
    )
