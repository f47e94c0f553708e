"""Moderation pages: flag, review queues, close/reopen, sanctions and appeals, the audit log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from knowhow.accounts.models import User
from knowhow.core.errors import ApplicationError, NotFound, PermissionRefused, ValidationFailed
from knowhow.core.forms import add_service_error
from knowhow.moderation import content, selectors, services
from knowhow.moderation.forms import AppealForm, CloseForm, DecisionForm, FlagForm, SanctionForm
from knowhow.moderation.models import ReviewQueue, ReviewTask, Sanction
from knowhow.moderation.permissions import can_review, check_review, is_site_moderator
from knowhow.qa.models import Comment, Post
from knowhow.qa.selectors import paginate, post_get_for_viewer


@login_required
def flag(request: HttpRequest, pk: int) -> HttpResponse:
    post = post_get_for_viewer(pk=pk, viewer=request.user)
    form = FlagForm(
        request.POST or None,
        initial={"comment": request.GET.get("comment")},
        reasons=content.post_flag_reasons(post),
    )
    if request.method == "POST" and form.is_valid():
        comment = None
        if form.cleaned_data["comment"]:
            comment = Comment.objects.filter(pk=form.cleaned_data["comment"], post=post).first()
            if comment is None:
                raise NotFound("No such comment.")
        try:
            services.flag_create(
                flagger=request.user,
                post=post,
                comment=comment,
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
            )
        except ApplicationError as error:
            if error.status_code == 403:
                raise
            add_service_error(form, error)
        else:
            messages.success(request, "Thanks for flagging; reviewers will take a look.")
            return redirect(post.get_absolute_url())
    return render(
        request,
        "moderation/flag.html",
        {"form": form, "post": post},
        status=400 if form.errors else 200,
    )


@login_required
def review_index(request: HttpRequest) -> HttpResponse:
    counts = selectors.queue_counts(viewer=request.user)
    if not counts:
        check_review(request.user, ReviewQueue.FLAGGED)
    queues = [(q, ReviewQueue(q).label, n) for q, n in counts.items()]
    return render(request, "moderation/review_index.html", {"queues": queues})


@login_required
def review_queue(request: HttpRequest, queue: str) -> HttpResponse:
    if queue not in ReviewQueue.values:
        raise NotFound("No such review queue.")
    if not can_review(request.user, queue):
        check_review(request.user, queue)
    tasks = selectors.review_tasks(viewer=request.user, queue=queue)
    page = paginate(tasks, page=request.GET.get("page"), per_page=20)
    flags = selectors.pending_flags(post_ids=[t.post_id for t in page])
    for task in page:
        task.pending_flags = flags.get(task.post_id, [])  # type: ignore[attr-defined]
        task.decisions = services.decisions_for(task)  # type: ignore[attr-defined]
    return render(
        request,
        "moderation/review_queue.html",
        {"queue": queue, "queue_label": ReviewQueue(queue).label, "page": page},
    )


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    task = ReviewTask.objects.select_related("post").filter(pk=pk).first()
    if task is None:
        raise NotFound("No such review task.")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed("Choose a valid decision.")
    data = form.cleaned_data
    services.review_decide(
        task=task,
        reviewer=request.user,
        decision=data["decision"],
        note=data["note"],
        edit={"body": data["body"]} if data["body"] else None,
    )
    messages.success(request, "Review recorded.")
    return redirect("moderation:review_queue", queue=task.queue)


@login_required
def close(request: HttpRequest, pk: int) -> HttpResponse:
    post = post_get_for_viewer(pk=pk, viewer=request.user)
    reopening = post.closed_at is not None
    form = CloseForm(request.POST or None)
    if request.method == "POST" and (reopening or form.is_valid()):
        try:
            if reopening:
                services.reopen_vote_cast(post=post, user=request.user)
            else:
                dup_id = form.cleaned_data.get("duplicate_of")
                dup = (
                    Post.objects.select_related("space").filter(pk=dup_id).first()
                    if dup_id
                    else None
                )
                services.close_vote_cast(
                    post=post,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    duplicate_of=dup,
                )
        except ApplicationError as error:
            if error.status_code == 403:
                raise
            add_service_error(form, error)
        else:
            messages.success(request, "Your vote is recorded.")
            return redirect(post.get_absolute_url())
    return render(
        request,
        "moderation/close.html",
        {"form": form, "post": post, "reopening": reopening},
        status=400 if form.errors else 200,
    )


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = selectors.audit_log_for(viewer=request.user)
    page = paginate(entries, page=request.GET.get("page"), per_page=50)
    return render(
        request,
        "moderation/audit_log.html",
        {"page": page, "all": is_site_moderator(request.user)},
    )


@login_required
def my_record(request: HttpRequest) -> HttpResponse:
    """What concerns me: my sanctions (with appeal), and moderation actions on my content."""
    return render(
        request,
        "moderation/my_record.html",
        {
            "sanctions": selectors.sanctions_for(user=request.user),
            "entries": selectors.audit_log_for(viewer=request.user).filter(
                target_user=request.user
            )[:50],
            "appeal_form": AppealForm(),
        },
    )


@login_required
@require_POST
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    sanction = Sanction.objects.filter(pk=pk).first()
    if sanction is None:
        raise NotFound("No such sanction.")
    form = AppealForm(request.POST)
    services.sanction_appeal(sanction=sanction, by=request.user, text=form.data.get("text", ""))
    messages.success(request, "Your appeal has been sent to the moderators.")
    return redirect("moderation:my_record")


@login_required
def sanction_user(request: HttpRequest, pk: int) -> HttpResponse:
    person = User.objects.filter(pk=pk).first()
    if person is None:
        raise NotFound("No such person.")
    if not is_site_moderator(request.user):
        raise PermissionRefused("Only moderators can sanction people.")
    form = SanctionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.sanction_apply(
                user=person,
                by=request.user,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                days=form.cleaned_data["days"],
            )
        except ApplicationError as error:
            if error.status_code == 403:
                raise
            add_service_error(form, error)
        else:
            messages.success(request, f"{person.name} has been sanctioned.")
            return redirect("moderation:sanction_user", pk=person.pk)
    return render(
        request,
        "moderation/sanction.html",
        {"form": form, "person": person, "sanctions": selectors.sanctions_for(user=person)},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    sanction = Sanction.objects.select_related("user").filter(pk=pk).first()
    if sanction is None:
        raise NotFound("No such sanction.")
    services.sanction_decide_appeal(
        sanction=sanction, by=request.user, grant=request.POST.get("grant") == "1"
    )
    return redirect("moderation:sanction_user", pk=sanction.user_id)


@login_required
@require_POST
def post_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    """Moderator tools on a post: lock, unlock, hide, restore."""
    post = post_get_for_viewer(pk=pk, viewer=request.user)
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")[:500]
    if action in ("lock", "unlock"):
        services.post_lock(post=post, by=request.user, locked=action == "lock", reason=reason)
    elif action in ("hide", "unhide"):
        services.post_set_hidden(post=post, by=request.user, hidden=action == "hide", reason=reason)
    else:
        raise ValidationFailed("Choose lock, unlock, hide or unhide.")
    messages.success(request, "Done.")
    return redirect(post.get_absolute_url())


@login_required
@require_POST
def sanction_lift(request: HttpRequest, pk: int) -> HttpResponse:
    sanction = Sanction.objects.select_related("user").filter(pk=pk).first()
    if sanction is None:
        raise NotFound("No such sanction.")
    services.sanction_lift(
        sanction=sanction, by=request.user, reason=request.POST.get("reason", "")
    )
    messages.success(request, "The sanction is lifted.")
    return redirect("moderation:sanction_user", pk=sanction.user_id)
