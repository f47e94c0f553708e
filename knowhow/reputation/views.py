"""Pages: a person's reputation (ledger, tag breakdown, badges), the privileges page, and
bounties (offer, award, the list of open ones)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from knowhow.accounts.models import User
from knowhow.core.errors import ApplicationError, NotFound, ValidationFailed
from knowhow.core.forms import add_service_error
from knowhow.qa.selectors import post_get_for_viewer
from knowhow.reputation import bounties, selectors
from knowhow.reputation.config import reputation_setting
from knowhow.reputation.forms import BountyAwardForm, BountyForm
from knowhow.reputation.models import Badge, Bounty
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
            "tag_scores": selectors.tag_scores_for(user=person, viewer=request.user),
            "badges": selectors.badges_for(user=person, viewer=request.user),
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


@login_required
def bounty_offer(request: HttpRequest, pk: int) -> HttpResponse:
    question = post_get_for_viewer(pk=pk, viewer=request.user)
    if not question.is_question:
        raise NotFound("Bounties are offered on questions.")
    form = BountyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bounties.bounty_offer(
                question=question,
                by=request.user,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            if error.status_code == 403 and error.field is None:
                raise
            add_service_error(form, error)
        else:
            messages.success(request, f"Your bounty of {form.cleaned_data['amount']} is on.")
            return redirect(question.get_absolute_url())
    return render(
        request,
        "reputation/bounty_offer.html",
        {
            "form": form,
            "question": question,
            "current": selectors.open_bounty_for(question_id=question.pk),
            "min_age_days": reputation_setting("BOUNTY_MIN_QUESTION_AGE_DAYS"),
            "days": reputation_setting("BOUNTY_DAYS"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def bounty_award(request: HttpRequest, pk: int) -> HttpResponse:
    bounty = Bounty.objects.filter(pk=pk).first()
    if bounty is None:
        raise NotFound("No such bounty.")
    # The question must be visible to the person awarding (else: not found).
    question = post_get_for_viewer(pk=bounty.question_id, viewer=request.user)
    form = BountyAwardForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed("Choose the answer to award.", field="answer")
    answer = question.answers.filter(pk=form.cleaned_data["answer"]).first()
    if answer is None:
        raise ValidationFailed("Award the bounty to an answer of this question.", field="answer")
    bounties.bounty_award(bounty=bounty, answer=answer, by=request.user)
    messages.success(request, f"You awarded the bounty of {bounty.amount}.")
    return redirect(answer.get_absolute_url())


def bounty_list(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", selectors.BountySort.ENDING)
    if sort not in selectors.BountySort.ORDER:
        sort = selectors.BountySort.ENDING
    tag = request.GET.get("tag", "").strip().lower() or None
    page = Paginator(selectors.bounty_list(viewer=request.user, tag=tag, sort=sort), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reputation/bounty_list.html",
        {"page": page, "sort": sort, "sorts": selectors.BountySort.CHOICES, "tag_filter": tag},
    )
