"""HTML views for curation: parse input, call one service or selector, render."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from knowhow.core.errors import ApplicationError, NotFound, ValidationFailed
from knowhow.core.forms import add_service_error
from knowhow.curation import forms, selectors, services
from knowhow.curation.item_kinds import target_get
from knowhow.curation.models import CollectionItem, CollectionSection
from knowhow.curation.tasks import feed_poll
from knowhow.qa.selectors import paginate


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- resources ------------------------------------------------------------------------------


def resource_list(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", selectors.ResourceSort.NEWEST)
    tag = request.GET.get("tag") or None
    qs = selectors.resource_list(viewer=request.user, sort=sort, tag=tag)
    page = paginate(qs, page=request.GET.get("page"))
    can_add = request.user.is_authenticated and bool(selectors.curatable_spaces(request.user))
    return render(
        request,
        "curation/resource_list.html",
        {
            "page": page,
            "sort": sort,
            "sorts": selectors.ResourceSort.CHOICES,
            "tag_filter": tag,
            "can_add": can_add,
        },
    )


@login_required
def resource_add(request: HttpRequest) -> HttpResponse:
    spaces = selectors.curatable_spaces(request.user)
    if not spaces:
        raise services.perms.PermissionRefused(
            f"Adding resources needs {services.perms.curate_min_reputation()} reputation "
            "or a moderator role."
        )
    form = forms.ResourceAddForm(request.POST or None, spaces=spaces, initial={"space": spaces[0]})
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.resource_add(
                by=request.user,
                space=form.cleaned_data["space"],
                url=form.cleaned_data["url"],
                tags=form.cleaned_data["tags"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            return redirect(resource.get_absolute_url())
    return render(
        request, "curation/resource_add.html", {"form": form}, status=400 if form.errors else 200
    )


def _resource_context(request: HttpRequest, pk: int) -> dict[str, object]:
    page = selectors.resource_page(pk=pk, viewer=request.user)
    return {
        "p": page,
        "resource": page.resource,
        "review_form": forms.ReviewForm(
            initial={"rating": page.my_review.rating, "line": page.my_review.line}
            if page.my_review
            else None
        ),
        "flag_form": forms.FlagForm(),
        "counterpoint_form": forms.CounterpointForm(),
        "comment_form": forms.CommentForm(),
    }


def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "curation/resource_detail.html", _resource_context(request, pk))


def resource_for_post(request: HttpRequest, post_pk: int) -> HttpResponse:
    """Where a resource's discussion post links to (review queue, flag history, audit log)."""
    resource = selectors.resource_for_post(post_pk=post_pk, viewer=request.user)
    return redirect(resource.get_absolute_url())


def resource_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview card alone; htmx polls it while the worker fetches."""
    resource = selectors.resource_get(pk=pk, viewer=request.user)
    return render(request, "curation/_preview.html", {"resource": resource})


def resource_image(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_image_get(pk=pk, viewer=request.user)
    try:
        handle = default_storage.open(resource.image, "rb")
    except FileNotFoundError as exc:
        raise NotFound("The preview image is gone.") from exc
    response = FileResponse(handle, content_type=resource.image_content_type)
    response["Cache-Control"] = "private, max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def resource_vote(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get(pk=pk, viewer=request.user)
    try:
        value = int(request.POST.get("value", ""))
    except ValueError as exc:
        raise ValidationFailed("A vote is up (1), down (-1) or withdrawn (0).") from exc
    resource = services.resource_vote(resource=resource, user=request.user, value=value)
    if _is_htmx(request):
        return render(
            request,
            "curation/_vote.html",
            {"resource": resource, "my_vote": value, "can_vote": True},
        )
    return redirect(resource.get_absolute_url())


@login_required
@require_POST
def resource_review(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get(pk=pk, viewer=request.user)
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed("Rate it from 1 to 5 and add one line of up to 200 characters.")
    services.resource_review(
        resource=resource,
        author=request.user,
        rating=form.cleaned_data["rating"],
        line=form.cleaned_data["line"],
    )
    messages.success(request, "Thanks for the review.")
    return redirect(resource.get_absolute_url())


@login_required
@require_POST
def resource_flag(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get(pk=pk, viewer=request.user)
    form = forms.FlagForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed("Choose a reason for the flag.")
    services.resource_flag(
        resource=resource,
        user=request.user,
        reason=form.cleaned_data["reason"],
        note=form.cleaned_data["note"],
    )
    messages.success(request, "Thanks: moderators will look at it.")
    return redirect(resource.get_absolute_url())


@login_required
@require_POST
def resource_unhide(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get(pk=pk, viewer=request.user)
    services.resource_unhide(resource=resource, by=request.user)
    return redirect(resource.get_absolute_url())


RESOURCE_REF = re.compile(r"(?:/resources/)?(\d+)/?$")


@login_required
@require_POST
def resource_counterpoint(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get(pk=pk, viewer=request.user)
    form = forms.CounterpointForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed("Give the number or address of the other resource.")
    match = RESOURCE_REF.search(form.cleaned_data["counter"].strip().split("?")[0])
    if not match:
        raise ValidationFailed("Give the number or address of the other resource.")
    counter = selectors.resource_get(pk=int(match.group(1)), viewer=request.user)
    services.counterpoint_add(
        resource=resource, counter=counter, by=request.user, note=form.cleaned_data["note"]
    )
    return redirect(resource.get_absolute_url())


@login_required
@require_POST
def resource_comment(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get(pk=pk, viewer=request.user)
    form = forms.CommentForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed("The comment is empty or too long.")
    services.resource_comment_add(
        resource=resource, author=request.user, body=form.cleaned_data["body"]
    )
    if _is_htmx(request):
        page = selectors.resource_page(pk=pk, viewer=request.user)
        return render(
            request, "curation/_comments.html", {"p": page, "comment_form": forms.CommentForm()}
        )
    return redirect(resource.get_absolute_url())


@login_required
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get(pk=pk, viewer=request.user)
    services.perms.check_edit_resource(request.user, resource)
    form = forms.ResourceEditForm(
        request.POST or None,
        initial={
            "title": resource.title,
            "note": resource.note,
            "tags": " ".join(t.name for t in resource.tags.all()),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_edit(resource=resource, by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            return redirect(resource.get_absolute_url())
    return render(
        request,
        "curation/resource_edit.html",
        {"form": form, "resource": resource},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def resource_delete(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get(pk=pk, viewer=request.user)
    services.resource_delete(resource=resource, by=request.user)
    messages.success(request, "The resource was deleted.")
    return redirect("curation:resource_list")


# --- feeds and inbox ------------------------------------------------------------------------


@login_required
def feed_list(request: HttpRequest) -> HttpResponse:
    spaces = selectors.curatable_spaces(request.user)
    if not spaces:
        raise services.perms.PermissionRefused("Only curators manage feed subscriptions.")
    form = forms.FeedSubscribeForm(
        request.POST or None, spaces=spaces, initial={"space": spaces[0]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.feed_subscribe(
                by=request.user, space=form.cleaned_data["space"], url=form.cleaned_data["url"]
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Subscribed. New items will appear in the inbox.")
            return redirect("curation:feed_list")
    return render(
        request,
        "curation/feed_list.html",
        {"form": form, "subscriptions": selectors.feed_subscriptions(viewer=request.user)},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def feed_poll_now(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = selectors.feed_subscriptions(viewer=request.user).filter(pk=pk).first()
    if subscription is None:
        raise NotFound("No such subscription.")
    feed_poll.enqueue(subscription_id=subscription.pk)
    messages.success(request, "Polling the feed.")
    return redirect("curation:feed_list")


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = paginate(selectors.inbox(viewer=request.user), page=request.GET.get("page"))
    return render(request, "curation/inbox.html", {"page": page})


@login_required
@require_POST
def inbox_decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.feed_item_get(pk=pk, viewer=request.user)
    action = request.POST.get("action")
    if action == "publish":
        services.feed_item_publish(item=item, by=request.user, tags=request.POST.get("tags", ""))
    elif action == "discard":
        services.feed_item_discard(item=item, by=request.user)
    else:
        raise ValidationFailed("Publish or discard.")
    if _is_htmx(request):
        return HttpResponse("")
    return redirect("curation:inbox")


# --- collections and paths ------------------------------------------------------------------


def collection_list(request: HttpRequest) -> HttpResponse:
    paths_only = request.GET.get("paths") == "1"
    qs = selectors.collection_list(viewer=request.user, paths_only=paths_only)
    context: dict[str, object] = {
        "page": paginate(qs, page=request.GET.get("page")),
        "paths_only": paths_only,
        "can_add": request.user.is_authenticated and bool(selectors.curatable_spaces(request.user)),
    }
    if request.user.is_authenticated:
        context["recommended"] = list(selectors.paths_recommended_for(user=request.user)[:5])
        context["enrolments"] = list(selectors.enrolments_for(user=request.user))
    return render(request, "curation/collection_list.html", context)


@login_required
def collection_create(request: HttpRequest) -> HttpResponse:
    spaces = selectors.curatable_spaces(request.user)
    if not spaces:
        raise services.perms.PermissionRefused("Only curators create collections.")
    form = forms.CollectionForm(request.POST or None, spaces=spaces, initial={"space": spaces[0]})
    if request.method == "POST" and form.is_valid():
        try:
            collection = services.collection_create(by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            return redirect(collection.get_absolute_url())
    return render(
        request, "curation/collection_form.html", {"form": form}, status=400 if form.errors else 200
    )


def collection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    page = selectors.collection_page(pk=pk, viewer=request.user)
    context = {"p": page, "collection": page.collection}
    if page.can_edit:
        context.update(
            item_form=forms.ItemAddForm(),
            section_form=forms.SectionForm(),
            recommend_form=forms.RecommendForm(),
            section_choices=list(page.collection.sections.all()),
        )
    template = (
        "curation/_path_progress.html" if _is_htmx(request) else "curation/collection_detail.html"
    )
    return render(request, template, context)


def _collection_for_edit(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    collection = selectors.collection_get(pk=pk, viewer=request.user)
    services.perms.check_edit_collection(request.user, collection)
    return collection


@login_required
@require_POST
def collection_section_add(request: HttpRequest, pk: int) -> HttpResponse:
    collection = _collection_for_edit(request, pk)
    form = forms.SectionForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed("A section needs a title of up to 200 characters.")
    services.section_add(collection=collection, by=request.user, title=form.cleaned_data["title"])
    return redirect(collection.get_absolute_url())


@login_required
@require_POST
def collection_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    collection = _collection_for_edit(request, pk)
    form = forms.ItemAddForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed("Choose a kind and give the item's number.")
    target = target_get(
        label=form.cleaned_data["kind"], pk=form.cleaned_data["target"], viewer=request.user
    )
    section = None
    if form.cleaned_data.get("section"):
        section = CollectionSection.objects.filter(
            pk=form.cleaned_data["section"], collection=collection
        ).first()
        if section is None:
            raise ValidationFailed("That section belongs to another collection.")
    services.collection_item_add(
        collection=collection,
        by=request.user,
        target=target,
        section=section,
        note=form.cleaned_data["note"],
    )
    return redirect(collection.get_absolute_url())


def _item_get(request: HttpRequest, pk: int) -> CollectionItem:
    item = CollectionItem.objects.select_related("collection__space").filter(pk=pk).first()
    if item is None:
        raise NotFound("No such item.")
    services.perms.check_view_collection(request.user, item.collection)
    return item


@login_required
@require_POST
def collection_item_move(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_get(request, pk)
    try:
        direction = int(request.POST.get("direction", ""))
    except ValueError as exc:
        raise ValidationFailed("Move up (-1) or down (1).") from exc
    services.collection_item_move(item=item, by=request.user, direction=direction)
    return redirect(item.collection.get_absolute_url())


@login_required
@require_POST
def collection_item_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_get(request, pk)
    services.collection_item_remove(item=item, by=request.user)
    return redirect(item.collection.get_absolute_url())


@login_required
@require_POST
def path_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    collection = selectors.collection_get(pk=pk, viewer=request.user)
    if request.POST.get("leave"):
        services.path_leave(collection=collection, user=request.user)
    else:
        services.path_enrol(collection=collection, user=request.user)
    return redirect(collection.get_absolute_url())


@login_required
@require_POST
def path_item_done(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_get(request, pk)
    services.path_mark_done(item=item, user=request.user, done=request.POST.get("done") != "0")
    if _is_htmx(request):
        return collection_detail(request, item.collection_id)
    return redirect(item.collection.get_absolute_url())


@login_required
@require_POST
def path_recommend(request: HttpRequest, pk: int) -> HttpResponse:
    collection = _collection_for_edit(request, pk)
    form = forms.RecommendForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed("Recommend it to a department, a role or a tag.")
    services.path_recommend(collection=collection, by=request.user, **form.cleaned_data)
    messages.success(request, "Recommendation saved.")
    return redirect(collection.get_absolute_url())
