"""HTML views for Q&A: parse input, call one service or selector, render."""

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST, require_safe

from knowhow.accounts.models import User
from knowhow.core.errors import ApplicationError, NotFound, ValidationFailed
from knowhow.core.forms import add_service_error
from knowhow.moderation.permissions import is_site_moderator
from knowhow.moderation.selectors import public_suspension
from knowhow.qa import page_cache, selectors, services
from knowhow.qa.forms import AnswerForm, AskForm, CommentForm, EditForm
from knowhow.qa.models import Comment, Post, Tag
from knowhow.qa.permissions import (
    check_answer,
    check_edit_post,
    check_suggest_edit,
    post_actions,
)
from knowhow.qa.signals import answers_displayed, tag_displayed
from knowhow.reputation.permissions import can_award_bounty, can_offer_bounty
from knowhow.reputation.selectors import badge_counts_for, badges_for, open_bounty_for
from knowhow.spaces.selectors import default_space, is_space_moderator, spaces_visible_to


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _viewer_key(request: HttpRequest) -> str:
    # No user yet when the early middleware serves a cached page: that request is anonymous.
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    raw = f"{request.META.get('REMOTE_ADDR', '')}|{request.headers.get('User-Agent', '')}"
    return "a" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def question_list(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", selectors.QuestionSort.ACTIVE)
    tag = request.GET.get("tag", "").strip().lower() or None
    qs = selectors.question_list(viewer=request.user, sort=sort, tag=tag)
    key = selectors.list_count_key(viewer=request.user, sort=sort, tag=tag)
    page = selectors.paginate(qs, page=request.GET.get("page"), count_key=key)
    return render(
        request,
        "qa/question_list.html",
        {
            "page": page,
            "sort": sort,
            "sorts": selectors.QuestionSort.CHOICES,
            "tag_filter": tag,
            "heading": "All questions",
        },
    )


def _page_context(
    request: HttpRequest, pk: int, *, my_votes: dict[int, int] | None = None
) -> dict[str, object]:
    page = selectors.question_get_for_viewer(pk=pk, viewer=request.user, my_votes=my_votes)
    question = page.question
    answers_displayed.send(sender=Post, answers=page.answers, viewer=request.user)
    moderator = page.viewer_is_moderator
    posts = [question, *page.answers]
    counts = badge_counts_for(user_ids=[p.author_id for p in posts if p.author_id])
    for post in posts:
        post.actions = post_actions(request.user, post, is_moderator=moderator)  # type: ignore[attr-defined]
        post.my_vote = page.my_votes.get(post.pk, 0)  # type: ignore[attr-defined]
        post.author_badges = sorted(counts.get(post.author_id, {}).items())  # type: ignore[attr-defined]
    question.duplicate_links = (  # type: ignore[attr-defined]
        list(question.links_out.filter(link_type="duplicate").select_related("to_post"))
        if question.closed_at
        else []
    )
    bounty = (
        open_bounty_for(question_id=question.pk)
        if question.open_bounty_id  # type: ignore[attr-defined]
        else None
    )
    return {
        "question": question,
        "answers": page.answers,
        "answer_form": AnswerForm(),
        "bounty": bounty,
        "bounty_can_award": can_award_bounty(request.user, bounty),
        "bounty_can_offer": can_offer_bounty(
            request.user, question, has_open_bounty=bounty is not None, moderator=moderator
        ),
    }


def _thread_html(request: HttpRequest, context: dict[str, object]) -> str:
    """The thread part of the page, with a placeholder where each response's CSRF token goes."""
    return render_to_string(
        "qa/_question_thread.html",
        {**context, "csrf_token": page_cache.CSRF_PLACEHOLDER},
        request,
    )


def _page_html(request: HttpRequest, question: Post, thread_html: str) -> str:
    """The whole page, with placeholders for the CSRF token and the view count."""
    context = {
        "question": question,
        "thread_html": mark_safe(thread_html),  # noqa: S308  (template output)
        "csrf_token": page_cache.CSRF_PLACEHOLDER,
        "view_count_text": page_cache.VIEWS_PLACEHOLDER,
    }
    return render_to_string("qa/question_detail.html", context, request)


def _render_page(
    request: HttpRequest, question: Post, thread_html: str, *, status: int = 200
) -> HttpResponse:
    html = _page_html(request, question, thread_html)
    return page_cache.page_response(request, html, view_count=question.view_count, status=status)


def _cached_page(
    request: HttpRequest, state: selectors.QuestionThreadState, page_html: str
) -> HttpResponse:
    """A whole page from the cache (shared anonymous, or this person's), with this view
    counted and this response's CSRF token."""
    question = state.question
    user = getattr(request, "user", None)
    viewer = user if user is not None and user.is_authenticated else None
    if services.question_record_view(
        question=question, viewer_key=_viewer_key(request), viewer=viewer
    ):
        question.view_count += 1
    return page_cache.page_response(request, page_html, view_count=question.view_count)


def question_detail_early(
    request: HttpRequest, pk: int, slug: str | None = None
) -> HttpResponse | None:
    """The cached anonymous question page for a request with no session and no message, before
    sessions, authentication, CSRF and messages are set up (`qa.middleware`); None when this
    request needs the full view (not cached yet, a redirect, a 404, a page with a form)."""
    try:
        state = selectors.question_thread_state(pk=pk, viewer=None)
    except NotFound:
        return None
    # The view, if this request reaches it, reuses the state rather than reading it again.
    request._anonymous_thread_state = state  # type: ignore[attr-defined]
    if slug != state.question.slug:
        return None
    page_html = page_cache.page_get(page_cache.page_cache_key(state=state, request=request))
    # A page that posts needs a CSRF token and cookie: CsrfViewMiddleware's part.
    if page_html is None or page_cache.CSRF_PLACEHOLDER in page_html:
        return None
    return _cached_page(request, state, page_html)


@require_safe
def question_detail(request: HttpRequest, pk: int, slug: str | None = None) -> HttpResponse:
    """The question page: a visibility check and the thread's fingerprint in one query (or
    none while the database is unchanged), then the whole page from the cache, shared by
    anonymous visitors, per person when signed in; otherwise the thread from the cache
    (page_cache.py) or rendered and cached, in a page rendered and cached."""
    state = getattr(request, "_anonymous_thread_state", None)
    if state is None or state.question.pk != pk or request.user.is_authenticated:
        state = selectors.question_thread_state(pk=pk, viewer=request.user)
    question = state.question
    if request.method == "GET" and slug != question.slug:
        return redirect(
            "qa:question_detail_slug", pk=question.pk, slug=question.slug, permanent=True
        )
    viewer = request.user if request.user.is_authenticated else None
    page_key = None
    if (
        page_cache.signed_in_page_cacheable(request)
        if viewer is not None
        else page_cache.anonymous_page_cacheable(request)
    ):
        page_key = page_cache.page_cache_key(state=state, request=request)
        page_html = page_cache.page_get(page_key)
        if page_html is not None:
            return _cached_page(request, state, page_html)
    key = page_cache.thread_cache_key(state=state, request=request)
    thread_html = page_cache.thread_get(key)
    full_question = question
    if thread_html is None:
        context = _page_context(request, pk, my_votes=state.my_votes)
        full_question = context["question"]  # type: ignore[assignment]
        thread_html = _thread_html(request, context)
        page_cache.thread_set(key, thread_html)
    # The fully loaded question when there is one: its prefetched tags go with the view event.
    if services.question_record_view(
        question=full_question, viewer_key=_viewer_key(request), viewer=viewer
    ):
        question.view_count += 1
    page_html = _page_html(request, question, thread_html)
    if page_key is not None:
        page_cache.page_set(page_key, page_html)
    return page_cache.page_response(request, page_html, view_count=question.view_count)


@login_required
def question_ask(request: HttpRequest) -> HttpResponse:
    spaces = spaces_visible_to(request.user)
    initial_space = default_space()
    if request.GET.get("space"):
        initial_space = spaces.filter(slug=request.GET["space"]).first() or initial_space
    form = AskForm(
        request.POST or None,
        spaces=spaces,
        initial={"space": initial_space, "tags": request.GET.get("tags", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            question = services.question_ask(
                author=request.user,
                space=form.cleaned_data["space"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                tags=form.cleaned_data["tags"],
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            return redirect(question.get_absolute_url())
    return render(request, "qa/ask.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def answer_create(request: HttpRequest, pk: int) -> HttpResponse:
    question = selectors.post_get_for_viewer(pk=pk, viewer=request.user)
    # Refusals that are not about the text (deleted, closed, not a question) get the error
    # page: the question page would not show the answer form to carry the message.
    check_answer(request.user, question)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            answer = services.answer_post(
                author=request.user, question=question, body=form.cleaned_data["body"]
            )
        except ValidationFailed as error:
            if error.field is None:
                raise
            add_service_error(form, error)
        else:
            return redirect(answer.get_absolute_url())
    context = _page_context(request, question.pk)
    context["answer_form"] = form
    return _render_page(request, context["question"], _thread_html(request, context), status=400)  # type: ignore[arg-type]


@login_required
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_get_for_viewer(pk=pk, viewer=request.user)
    try:
        value = int(request.POST.get("value", ""))
    except ValueError as exc:
        raise ValidationFailed("A vote is up (1), down (-1) or withdrawn (0).") from exc
    post = services.vote_cast(post=post, user=request.user, value=value)
    if _is_htmx(request):
        post.my_vote = value  # type: ignore[attr-defined]
        post.actions = {"vote": True}  # type: ignore[attr-defined]
        return render(request, "qa/_vote.html", {"post": post})
    return redirect(post.get_absolute_url())


@login_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    answer = selectors.post_get_for_viewer(pk=pk, viewer=request.user)
    if request.POST.get("undo"):
        services.answer_unaccept(answer=answer, by=request.user)
    else:
        services.answer_accept(answer=answer, by=request.user)
    if _is_htmx(request):
        return render(request, "qa/_answers.html", _page_context(request, answer.question_id))  # type: ignore[arg-type]
    return redirect(answer.get_absolute_url())


@login_required
@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_get_for_viewer(pk=pk, viewer=request.user)
    form = CommentForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed("The comment is empty or too long.", field="body")
    # A refusal propagates to the error middleware: a page, or over htmx a message fragment.
    services.comment_add(post=post, author=request.user, body=form.cleaned_data["body"])
    if not _is_htmx(request):
        return redirect(post.get_absolute_url())
    moderator = is_space_moderator(request.user, post.space)
    post.actions = post_actions(request.user, post, is_moderator=moderator)  # type: ignore[attr-defined]
    post.visible_comments = list(post.comments.filter(is_deleted=False).select_related("author"))  # type: ignore[attr-defined]
    return render(request, "qa/_comments.html", {"post": post})


@login_required
@require_POST
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = Comment.objects.select_related("post__space", "post__question").filter(pk=pk).first()
    if comment is None:
        raise NotFound("No such comment.")
    services.comment_delete(comment=comment, by=request.user)
    if _is_htmx(request):
        return HttpResponse("")
    return redirect(comment.post.get_absolute_url())


def _edit_page(request: HttpRequest, post: Post, *, suggesting: bool) -> HttpResponse:
    initial = {
        "title": post.title,
        "body": post.body,
        "tags": " ".join(t.name for t in post.tags.all()),
    }
    form = EditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        edit = services.post_suggest_edit if suggesting else services.post_edit
        try:
            edit(
                post=post,
                by=request.user,
                body=data["body"],
                title=data["title"] if post.is_question else None,
                tags=data["tags"] if post.is_question else None,
                summary=data["summary"],
            )
        except ValidationFailed as error:
            add_service_error(form, error)
        else:
            if suggesting:
                messages.success(request, "Thanks! Your suggested edit is waiting for review.")
            return redirect(post.get_absolute_url())
    return render(
        request,
        "qa/edit.html",
        {"form": form, "post": post, "suggesting": suggesting},
        status=400 if form.errors else 200,
    )


@login_required
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_get_for_viewer(pk=pk, viewer=request.user)
    # Permission first, so that a stranger is refused whatever the input.
    check_edit_post(request.user, post)
    return _edit_page(request, post, suggesting=False)


@login_required
def post_suggest_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Below the edit privilege, an edit is suggested and waits in the review queue."""
    post = selectors.post_get_for_viewer(pk=pk, viewer=request.user)
    check_suggest_edit(request.user, post)
    return _edit_page(request, post, suggesting=True)


@login_required
@require_POST
def post_delete(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_get_for_viewer(pk=pk, viewer=request.user)
    services.post_delete(post=post, by=request.user)
    return redirect(post.get_absolute_url())


@login_required
@require_POST
def post_undelete(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_get_for_viewer(pk=pk, viewer=request.user)
    services.post_undelete(post=post, by=request.user)
    return redirect(post.get_absolute_url())


def revision_list(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_get_for_viewer(pk=pk, viewer=request.user)
    return render(
        request,
        "qa/revisions.html",
        {"post": post, "revisions": selectors.revisions_for(post=post)},
    )


def revision_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    post = selectors.post_get_for_viewer(pk=pk, viewer=request.user)
    diff = selectors.revision_diff(post=post, number=number)
    return render(request, "qa/revision_diff.html", {"post": post, "diff": diff})


def tag_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    sort = request.GET.get("sort", "popular")
    page = selectors.paginate(
        selectors.tag_list(viewer=request.user, query=query, sort=sort),
        page=request.GET.get("page"),
        per_page=36,
    )
    return render(
        request,
        "qa/tag_list.html",
        {
            "page": page,
            "query": query,
            "sort": sort,
            "followed": selectors.followed_tag_ids(user=request.user),
        },
    )


def tag_detail(request: HttpRequest, name: str) -> HttpResponse:
    tag = selectors.tag_get(name=name)
    if tag.name != name:
        return redirect(tag.get_absolute_url(), permanent=True)
    sort = request.GET.get("sort", selectors.QuestionSort.ACTIVE)
    qs = selectors.question_list(viewer=request.user, sort=sort, tag=tag)
    key = selectors.list_count_key(viewer=request.user, sort=sort, tag=tag.name)
    page = selectors.paginate(qs, page=request.GET.get("page"), count_key=key)
    following = tag.pk in selectors.followed_tag_ids(user=request.user)
    panels: list[dict[str, Any]] = []
    tag_displayed.send(sender=Tag, tag=tag, viewer=request.user, panels=panels)
    return render(
        request,
        "qa/tag_detail.html",
        {
            "tag": tag,
            "page": page,
            "sort": sort,
            "sorts": selectors.QuestionSort.CHOICES,
            "following": following,
            "panels": panels,
        },
    )


@login_required
@require_POST
def tag_follow(request: HttpRequest, name: str) -> HttpResponse:
    tag = selectors.tag_get(name=name)
    if request.POST.get("follow") == "0":
        services.tag_unfollow(user=request.user, tag=tag)
        following = False
    else:
        services.tag_follow(user=request.user, tag=tag)
        following = True
    if _is_htmx(request):
        return render(request, "qa/_follow.html", {"tag": tag, "following": following})
    return redirect(tag.get_absolute_url())


def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = User.objects.filter(pk=pk).first()
    if person is None:
        raise NotFound("No such person.")
    questions = selectors.question_list(
        viewer=request.user, sort=selectors.QuestionSort.NEWEST, author=person
    )[:10]
    answers = selectors.answers_by(author=person, viewer=request.user)[:10]
    return render(
        request,
        "qa/user_detail.html",
        {
            "person": person,
            "questions": questions,
            "answers": answers,
            "stats": selectors.user_stats(user=person, viewer=request.user),
            "tags": selectors.followed_tags(user=person, viewer=request.user),
            "badges": badges_for(user=person, viewer=request.user),
            "can_sanction": is_site_moderator(request.user) and request.user.pk != person.pk,
            "suspension": public_suspension(person=person),
        },
    )


def home(request: HttpRequest) -> HttpResponseRedirect | HttpResponse:
    return question_list(request)
