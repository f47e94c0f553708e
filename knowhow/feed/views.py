"""HTML views for the home feed, notifications, preferences, unsubscribe, follows and webhooks."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from knowhow.core.errors import ApplicationError, PermissionRefused, ValidationFailed
from knowhow.core.forms import add_service_error
from knowhow.feed import selectors, services
from knowhow.feed.models import EmailChoice, NotificationKind, Webhook
from knowhow.qa.selectors import paginate, post_get_for_viewer
from knowhow.spaces.selectors import is_space_moderator, space_get_for_viewer


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def home(request: HttpRequest) -> HttpResponse:
    try:
        page_number = int(request.GET.get("page", "1"))
    except ValueError:
        page_number = 1
    page = selectors.home_feed(viewer=request.user, page=page_number)
    template = "feed/_entries.html" if _is_htmx(request) else "feed/home.html"
    return render(request, template, {"feed": page})


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.notifications_for(user=request.user)
    page = paginate(qs, page=request.GET.get("page"))
    return render(request, "feed/notifications.html", {"page": page})


def notification_count(request: HttpRequest) -> HttpResponse:
    count = selectors.unread_count(user=request.user) if request.user.is_authenticated else 0
    return render(request, "feed/_count.html", {"count": count})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    raw = request.POST.getlist("id")
    try:
        ids = [int(i) for i in raw] if raw else None
    except ValueError as exc:
        raise ValidationFailed("Those are not notification numbers.") from exc
    services.notifications_mark_read(user=request.user, ids=ids)
    if _is_htmx(request):
        return render(
            request, "feed/_count.html", {"count": selectors.unread_count(user=request.user)}
        )
    return redirect("feed:notifications")


class PreferencesForm(forms.Form):
    def __init__(self, *args, current: dict[str, str], **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for kind, label in NotificationKind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label, choices=EmailChoice.choices, initial=current[kind]
            )


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    current = {k: services.email_choice(request.user, k) for k in NotificationKind.values}
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        for kind in NotificationKind.values:
            services.preference_set(user=request.user, kind=kind, email=form.cleaned_data[kind])
        messages.success(request, "Notification settings saved.")
        return redirect("feed:preferences")
    return render(
        request, "feed/preferences.html", {"form": form}, status=400 if form.errors else 200
    )


@csrf_exempt  # RFC 8058 one-click: mail providers POST without a CSRF token; the token is signed.
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        user, kind = services.unsubscribe(token=token)
        return render(request, "feed/unsubscribed.html", {"kind": kind, "done": True})
    user, kind = services.unsubscribe_read(token)
    return render(request, "feed/unsubscribed.html", {"kind": kind, "done": False, "token": token})


@require_http_methods(["GET", "POST"])
def question_follow(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the follow button in its current state (the question page loads it with htmx);
    POST: follow (follow=1) or unfollow (follow=0)."""
    question = post_get_for_viewer(pk=pk, viewer=request.user)
    if request.method == "GET":
        if not request.user.is_authenticated or not question.is_question:
            return HttpResponse("")
        following = selectors.is_following(user=request.user, question=question)
        return render(
            request, "feed/_follow_question.html", {"question": question, "following": following}
        )
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    follow = request.POST.get("follow", "1") != "0"
    services.question_follow(user=request.user, question=question, follow=follow)
    if _is_htmx(request):
        return render(
            request, "feed/_follow_question.html", {"question": question, "following": follow}
        )
    return redirect(question.get_absolute_url())


@require_http_methods(["GET", "POST"])
def collection_follow(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the follow button in its current state (the collection page loads it with htmx);
    POST: follow (follow=1) or unfollow (follow=0)."""
    from knowhow.curation.selectors import collection_get

    collection = collection_get(pk=pk, viewer=request.user)
    if request.method == "GET":
        if not request.user.is_authenticated:
            return HttpResponse("")
        following = selectors.is_following_collection(user=request.user, collection=collection)
        return render(
            request,
            "feed/_follow_collection.html",
            {"collection": collection, "following": following},
        )
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    follow = request.POST.get("follow", "1") != "0"
    services.collection_follow(user=request.user, collection=collection, follow=follow)
    if _is_htmx(request):
        return render(
            request,
            "feed/_follow_collection.html",
            {"collection": collection, "following": follow},
        )
    if request.POST.get("next") == "following":
        return redirect("feed:following")
    return redirect(collection.get_absolute_url())


@login_required
def following(request: HttpRequest) -> HttpResponse:
    """The collections and learning paths the person follows, each with its unfollow button."""
    qs = selectors.collections_followed(user=request.user)
    page = paginate(qs, page=request.GET.get("page"))
    return render(request, "feed/following.html", {"page": page})


@login_required
def answerable(request: HttpRequest) -> HttpResponse:
    qs = selectors.questions_you_can_answer(user=request.user)
    page = paginate(qs, page=request.GET.get("page"))
    return render(request, "feed/answerable.html", {"page": page})


class WebhookForm(forms.Form):
    url = forms.CharField(max_length=2000, label="Incoming webhook address")
    format = forms.ChoiceField(choices=Webhook.Format.choices)


@login_required
def space_webhooks(request: HttpRequest, slug: str) -> HttpResponse:
    space = space_get_for_viewer(slug=slug, viewer=request.user)
    if not is_space_moderator(request.user, space):
        raise PermissionRefused("Only the space's moderators manage its webhooks.")
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.webhook_create(by=request.user, space=space, **form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Webhook added: new questions and answers will be posted.")
            return redirect("feed:webhooks", slug=space.slug)
    return render(
        request,
        "feed/webhooks.html",
        {"space": space, "form": form, "webhooks": space.webhooks.all()},
        status=400 if form.errors else 200,
    )


def similar(request: HttpRequest) -> HttpResponse:
    """Suggestions while someone types a question (htmx fragment)."""
    from knowhow.feed.similar import similar_questions

    title = (request.GET.get("title") or "").strip()[:300]
    body = (request.GET.get("body") or "")[:5000]
    result = None
    if len(title) >= 10:
        result = similar_questions(viewer=request.user, title=title, body=body, limit=5)
    return render(request, "feed/_similar.html", {"result": result, "heading": "Similar questions"})


def related(request: HttpRequest, pk: int) -> HttpResponse:
    """Related questions for a question page (htmx fragment)."""
    from knowhow.feed.similar import similar_questions

    question = post_get_for_viewer(pk=pk, viewer=request.user)
    if not question.is_question:
        raise ValidationFailed("Related questions are shown for questions only.")
    result = similar_questions(
        viewer=request.user,
        title=question.title,
        body=question.body,
        limit=5,
        exclude_id=question.pk,
    )
    return render(request, "feed/_similar.html", {"result": result, "heading": "Related questions"})
