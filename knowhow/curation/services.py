"""Writes for curation: add resources and fetch their previews, votes, comments, reviews, flags,
counterpoints; feed subscriptions and their inbox; collections, paths and enrolments."""

import calendar
import datetime
import logging
from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.html import format_html, linebreaks

from knowhow.accounts.models import User
from knowhow.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from knowhow.core.rendering import render_inline_markdown, render_markdown
from knowhow.core.signals import activity_after_commit
from knowhow.curation import permissions as perms
from knowhow.curation import signals as collection_signals
from knowhow.curation.canonical import canonical_url, url_hash
from knowhow.curation.fetching import FEED_TYPES, HTML_TYPES, FetchLimits, safe_fetch
from knowhow.curation.models import (
    Collection,
    CollectionItem,
    CollectionSection,
    Counterpoint,
    Enrolment,
    FeedItem,
    FeedSubscription,
    ItemCompletion,
    PathRecommendation,
    PreviewStatus,
    Resource,
    ResourceComment,
    ResourceReview,
    ResourceVote,
)
from knowhow.curation.signals import resource_changed
from knowhow.moderation import services as moderation
from knowhow.moderation.models import Flag
from knowhow.qa.models import Post, Tag
from knowhow.qa.services import _tags_for, normalise_tag_names, validate_comment
from knowhow.spaces.models import Space

logger = logging.getLogger(__name__)

FEED_POLL_INTERVAL = datetime.timedelta(minutes=30)


# --- resources ------------------------------------------------------------------------------


def _optional_tags(tags: str | Sequence[str]) -> list[Tag]:
    if not tags or (isinstance(tags, str) and not tags.strip()):
        return []
    return _tags_for(normalise_tag_names(tags))


def _changed(resource_id: int) -> None:
    transaction.on_commit(lambda: resource_changed.send(sender=Resource, resource_id=resource_id))


def discussion_post_text(resource: Resource) -> tuple[str, str, str]:
    """Title, body and body HTML of the resource's discussion post: what a reviewer sees of
    the resource in the review queue (the link, the site, the summary and the curator's note)."""
    title = resource.display_title[:300]
    parts = [resource.url, resource.site_name, resource.description, resource.note]
    body = "\n\n".join(p for p in parts if p)
    link = format_html(
        '<p><a href="{}" rel="noopener noreferrer nofollow">{}</a>{}</p>',
        resource.url,
        resource.url,
        f" · {resource.site_name}" if resource.site_name else "",
    )
    html = str(link)
    if resource.description:
        html += str(linebreaks(resource.description, autoescape=True))
    if resource.note_html:
        html += resource.note_html
    return title, body, html


def _post_sync(resource: Resource) -> Post:
    """Create the discussion post, or bring its text and deletion up to date with the resource."""
    title, body, body_html = discussion_post_text(resource)
    if resource.post_id is None:
        post = Post.objects.create(
            post_type=Post.PostType.RESOURCE,
            space=resource.space,
            author=resource.added_by,
            title=title,
            body=body,
            body_html=body_html,
            created_at=resource.created_at,
            last_activity_at=resource.created_at,
            is_hidden=resource.is_hidden,
            hidden_reason=resource.hidden_reason,
            is_deleted=resource.is_deleted,
        )
        Resource.objects.filter(pk=resource.pk).update(post=post)
        resource.post = post
        return post
    fields: dict[str, object] = {"title": title, "body": body, "body_html": body_html}
    if resource.is_deleted:
        fields["is_deleted"] = True
    Post.objects.filter(pk=resource.post_id).update(**fields)
    post: Post = resource.post  # type: ignore[assignment]
    for name, value in fields.items():
        setattr(post, name, value)
    return post


def resource_sync_from_post(*, post_id: int) -> None:
    """Moderation hid, restored, deleted or took down the discussion post: the resource follows.
    Registered with moderation in `CurationConfig.ready()`."""
    row = Post.objects.filter(pk=post_id).values("is_hidden", "hidden_reason", "is_deleted").first()
    resource = Resource.objects.filter(post_id=post_id).only("pk", "is_deleted").first()
    if row is None or resource is None:
        return
    Resource.objects.filter(pk=resource.pk).update(
        is_hidden=row["is_hidden"],
        hidden_reason=row["hidden_reason"],
        is_deleted=resource.is_deleted or row["is_deleted"],
    )
    _changed(resource.pk)


@transaction.atomic
def resource_add(
    *,
    by: User,
    space: Space,
    url: str,
    tags: str | Sequence[str] = "",
    note: str = "",
    fetch: bool = True,
) -> Resource:
    """Add a link; its preview is fetched by the worker after commit."""
    perms.check_curate(by, space)
    canonical = canonical_url(url)
    digest = url_hash(canonical)
    existing = Resource.objects.filter(space=space, canonical_hash=digest).first()
    if existing is not None:
        raise Conflict(f"That link is already in {space.name}: “{existing.display_title}”.")
    note = (note or "").strip()
    if len(note) > 5000:
        raise ValidationFailed("The note is limited to 5,000 characters.", field="note")
    tag_objects = _optional_tags(tags)
    try:
        with transaction.atomic():
            resource = Resource.objects.create(
                space=space,
                added_by=by,
                url=url.strip(),
                canonical_url=canonical,
                canonical_hash=digest,
                note=note,
                note_html=render_markdown(note) if note else "",
                created_at=timezone.now(),
            )
    except IntegrityError as exc:
        raise Conflict("That link was just added by someone else.") from exc
    resource.tags.set(tag_objects)
    _post_sync(resource)
    _changed(resource.pk)
    if fetch:
        from knowhow.curation.tasks import resource_fetch_preview

        transaction.on_commit(lambda: resource_fetch_preview.enqueue(resource_id=resource.pk))
    return resource


def resource_fetch_preview(*, resource: Resource) -> Resource:
    """Fetch and store the preview. Never raises for the site's faults: records them instead."""
    from knowhow.curation.images import image_cache
    from knowhow.curation.previews import apply_oembed, parse_preview

    try:
        result = safe_fetch(resource.url, limits=FetchLimits(accept_types=HTML_TYPES))
        preview = parse_preview(result.text(), base_url=result.url)
        apply_oembed(preview)
    except ApplicationError as error:
        resource.preview_status = PreviewStatus.FAILED
        resource.preview_error = error.message[:300]
        resource.fetched_at = timezone.now()
        resource.save(update_fields=["preview_status", "preview_error", "fetched_at"])
        return resource
    image, image_type = "", ""
    if preview.image_url:
        try:
            image, image_type = image_cache(preview.image_url)
        except ApplicationError as error:
            logger.info("Preview image for resource %s skipped: %s", resource.pk, error.message)
    resource.title = preview.title or resource.title
    resource.description = preview.description
    resource.site_name = preview.site_name
    resource.reading_minutes = preview.reading_minutes
    resource.image = image
    resource.image_content_type = image_type
    resource.preview_status = PreviewStatus.READY
    resource.preview_error = ""
    resource.fetched_at = timezone.now()
    with transaction.atomic():
        resource.save()
        _post_sync(resource)
        _changed(resource.pk)
    return resource


@transaction.atomic
def resource_edit(
    *, resource: Resource, by: User, title: str, note: str, tags: str | Sequence[str]
) -> Resource:
    perms.check_edit_resource(by, resource)
    title = " ".join((title or "").split())
    if len(title) > 300:
        raise ValidationFailed("The title is limited to 300 characters.", field="title")
    resource.title = title or resource.title
    resource.note = (note or "").strip()
    resource.note_html = render_markdown(resource.note) if resource.note else ""
    resource.save(update_fields=["title", "note", "note_html"])
    resource.tags.set(_optional_tags(tags))
    _post_sync(resource)
    _changed(resource.pk)
    return resource


@transaction.atomic
def resource_delete(*, resource: Resource, by: User) -> Resource:
    perms.check_edit_resource(by, resource)
    resource.is_deleted = True
    resource.save(update_fields=["is_deleted"])
    _post_sync(resource)
    _changed(resource.pk)
    return resource


@transaction.atomic
def resource_vote(*, resource: Resource, user: User, value: int) -> Resource:
    if value not in (1, -1, 0):
        raise ValidationFailed("A vote is up (1), down (-1) or withdrawn (0).")
    resource = (
        Resource.objects.select_for_update(of=("self",)).select_related("space").get(pk=resource.pk)
    )
    perms.check_vote_resource(user, resource)
    existing = ResourceVote.objects.filter(resource=resource, user=user).first()
    old = existing.value if existing else 0
    if old == value:
        return resource
    if existing and value == 0:
        existing.delete()
    elif existing:
        existing.value = value
        existing.save(update_fields=["value"])
    else:
        ResourceVote.objects.create(resource=resource, user=user, value=value)
    Resource.objects.filter(pk=resource.pk).update(
        score=F("score") + (value - old),
        up_votes=F("up_votes") + ((value == 1) - (old == 1)),
        down_votes=F("down_votes") + ((value == -1) - (old == -1)),
    )
    resource.refresh_from_db(fields=["score", "up_votes", "down_votes"])
    return resource


@transaction.atomic
def resource_comment_add(*, resource: Resource, author: User, body: str) -> ResourceComment:
    perms.check_comment_resource(author, resource)
    body = validate_comment(body)
    comment = ResourceComment.objects.create(
        resource=resource,
        author=author,
        body=body,
        body_html=render_inline_markdown(body),
        created_at=timezone.now(),
    )
    Resource.objects.filter(pk=resource.pk).update(comment_count=F("comment_count") + 1)
    return comment


@transaction.atomic
def resource_review(*, resource: Resource, author: User, rating: int, line: str) -> ResourceReview:
    """Add or replace the author's review (one per person)."""
    perms.check_review_resource(author, resource)
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationFailed("Rate it from 1 to 5.", field="rating")
    line = " ".join((line or "").split())
    if len(line) < 3:
        raise ValidationFailed("Say in a line why it helped (or did not).", field="line")
    if len(line) > 200:
        raise ValidationFailed("Keep the review to one line of 200 characters.", field="line")
    resource = Resource.objects.select_for_update(of=("self",)).get(pk=resource.pk)
    existing = ResourceReview.objects.filter(resource=resource, author=author).first()
    if existing:
        Resource.objects.filter(pk=resource.pk).update(
            rating_sum=F("rating_sum") - existing.rating + rating
        )
        existing.rating, existing.line = rating, line
        existing.created_at = timezone.now()
        existing.save(update_fields=["rating", "line", "created_at"])
        return existing
    review = ResourceReview.objects.create(
        resource=resource, author=author, rating=rating, line=line, created_at=timezone.now()
    )
    Resource.objects.filter(pk=resource.pk).update(
        rating_sum=F("rating_sum") + rating, review_count=F("review_count") + 1
    )
    return review


@transaction.atomic
def resource_flag(*, resource: Resource, user: User, reason: str, note: str = "") -> Flag:
    """Flag once per person, through moderation as a post flag on the resource's discussion
    post: the same weight (trust level, flag accuracy, reason), the same privilege, the same
    HIDE_SCORE at which it is hidden pending review, the same review queue, and the outcome
    counts towards the flagger's standing. Hiding the post hides the resource."""
    perms.check_flag_resource(user, resource)
    post = resource.post if resource.post_id is not None else _post_sync(resource)
    return moderation.flag_create(flagger=user, post=post, reason=reason, text=note)


@transaction.atomic
def resource_unhide(*, resource: Resource, by: User) -> Resource:
    """A moderator restores a hidden resource: its pending flags are dismissed, as when a
    moderator restores a post outside the review queue, and the act is logged."""
    if not perms.can_moderate_resource(by, resource):
        raise perms.PermissionRefused("Only moderators can restore a hidden resource.")
    if resource.post_id is None:
        _post_sync(resource)
    # The post as it is now (flags may have hidden it since `resource` was loaded).
    post = Post.objects.select_related("space", "author").get(pk=resource.post_id)
    moderation.post_set_hidden(post=post, by=by, hidden=False, reason="")
    resource.refresh_from_db(fields=["is_hidden", "hidden_reason", "is_deleted"])
    return resource


@transaction.atomic
def counterpoint_add(
    *, resource: Resource, counter: Resource, by: User, note: str = ""
) -> Counterpoint:
    perms.check_view_resource(by, resource)
    perms.check_view_resource(by, counter)
    perms.check_curate(by, resource.space)
    if resource.pk == counter.pk:
        raise ValidationFailed("A resource cannot be its own counterpoint.", field="counter")
    if Counterpoint.objects.filter(
        models.Q(resource=resource, counter=counter) | models.Q(resource=counter, counter=resource)
    ).exists():
        raise Conflict("Those two are already linked as counterpoints.")
    return Counterpoint.objects.create(
        resource=resource,
        counter=counter,
        note=" ".join(note.split())[:300],
        added_by=by,
        created_at=timezone.now(),
    )


# --- feed subscriptions ---------------------------------------------------------------------


@transaction.atomic
def feed_subscribe(*, by: User, space: Space, url: str) -> FeedSubscription:
    perms.check_curate(by, space)
    canonical = canonical_url(url)
    digest = url_hash(canonical)
    if FeedSubscription.objects.filter(space=space, canonical_hash=digest).exists():
        raise Conflict("This space is already subscribed to that feed.")
    subscription = FeedSubscription.objects.create(
        space=space,
        created_by=by,
        url=url.strip(),
        canonical_hash=digest,
        created_at=timezone.now(),
        next_poll_at=timezone.now(),
    )
    from knowhow.curation.tasks import feed_poll

    transaction.on_commit(lambda: feed_poll.enqueue(subscription_id=subscription.pk))
    return subscription


def _entry_datetime(entry: dict) -> datetime.datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        return datetime.datetime.fromtimestamp(calendar.timegm(parsed), tz=datetime.UTC)
    except (OverflowError, ValueError, TypeError):
        return None


def feed_poll(*, subscription: FeedSubscription) -> int:
    """Fetch the feed with a conditional GET; put unseen links in the inbox. Returns how many."""
    import feedparser
    from bs4 import BeautifulSoup

    headers = {}
    if subscription.etag:
        headers["If-None-Match"] = subscription.etag
    if subscription.last_modified:
        headers["If-Modified-Since"] = subscription.last_modified
    now = timezone.now()
    subscription.last_polled_at = now
    subscription.next_poll_at = now + FEED_POLL_INTERVAL
    fields = ["last_polled_at", "next_poll_at", "last_error", "etag", "last_modified", "title"]
    try:
        result = safe_fetch(
            subscription.url,
            limits=FetchLimits(
                max_bytes=5 * 1024 * 1024, total_seconds=20, accept_types=FEED_TYPES
            ),
            headers=headers,
        )
    except ApplicationError as error:
        subscription.last_error = error.message[:300]
        subscription.save(update_fields=fields)
        return 0
    if result.not_modified:
        subscription.last_error = ""
        subscription.save(update_fields=fields)
        return 0
    parsed = feedparser.parse(result.body, response_headers={"content-type": result.content_type})
    if parsed.bozo and not parsed.entries:
        reason = str(getattr(parsed, "bozo_exception", "")) or "not RSS or Atom"
        subscription.last_error = f"The feed could not be read: {reason}"[:300]
        subscription.save(update_fields=fields)
        return 0
    subscription.etag = (result.headers.get("etag") or "")[:300]
    subscription.last_modified = (result.headers.get("last-modified") or "")[:100]
    subscription.title = (
        subscription.title or " ".join((parsed.feed.get("title") or "").split())[:300]
    )
    subscription.last_error = ""
    if parsed.bozo:
        # Keep what a lenient parse could read, but tell the curator the feed is broken.
        reason = str(getattr(parsed, "bozo_exception", "")) or "not well-formed"
        subscription.last_error = f"The feed is not well-formed ({reason}); read what we could."[
            :300
        ]
    subscription.save(update_fields=fields)

    added = 0
    for entry in parsed.entries[:200]:
        link = entry.get("link") or ""
        try:
            canonical = canonical_url(link)
        except ApplicationError:
            continue
        digest = url_hash(canonical)
        space = subscription.space
        if (
            Resource.objects.filter(space=space, canonical_hash=digest).exists()
            or FeedItem.objects.filter(space=space, canonical_hash=digest).exists()
        ):
            continue
        summary = BeautifulSoup(entry.get("summary") or "", "html.parser").get_text(" ")
        try:
            with transaction.atomic():
                FeedItem.objects.create(
                    subscription=subscription,
                    space=space,
                    guid=(entry.get("id") or link)[:500],
                    url=link[:2000],
                    canonical_hash=digest,
                    title=" ".join((entry.get("title") or "").split())[:300],
                    summary=" ".join(summary.split())[:2000],
                    published_at=_entry_datetime(entry),
                    created_at=timezone.now(),
                )
        except IntegrityError:
            continue
        added += 1
    return added


def feeds_due(*, now: datetime.datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        FeedSubscription.objects.filter(is_active=True)
        .filter(models.Q(next_poll_at__isnull=True) | models.Q(next_poll_at__lte=now))
        .values_list("pk", flat=True)
    )


@transaction.atomic
def feed_item_publish(*, item: FeedItem, by: User, tags: str | Sequence[str] = "") -> Resource:
    item = FeedItem.objects.select_for_update(of=("self",)).select_related("space").get(pk=item.pk)
    perms.check_curate(by, item.space)
    if item.status != FeedItem.Status.NEW:
        raise Conflict("That item has already been dealt with.")
    resource = resource_add(by=by, space=item.space, url=item.url, tags=tags)
    if not resource.title:
        resource.title = item.title
        resource.description = item.summary[:1000]
        resource.save(update_fields=["title", "description"])
        _post_sync(resource)
        _changed(resource.pk)
    item.status = FeedItem.Status.PUBLISHED
    item.resource = resource
    item.decided_by = by
    item.save(update_fields=["status", "resource", "decided_by"])
    return resource


@transaction.atomic
def feed_item_discard(*, item: FeedItem, by: User) -> FeedItem:
    item = FeedItem.objects.select_for_update(of=("self",)).select_related("space").get(pk=item.pk)
    perms.check_curate(by, item.space)
    if item.status != FeedItem.Status.NEW:
        raise Conflict("That item has already been dealt with.")
    item.status = FeedItem.Status.DISCARDED
    item.decided_by = by
    item.save(update_fields=["status", "decided_by"])
    return item


# --- collections and learning paths ---------------------------------------------------------


@transaction.atomic
def collection_create(
    *, by: User, space: Space, title: str, description: str = "", is_path: bool = False
) -> Collection:
    perms.check_curate(by, space)
    title = " ".join((title or "").split())
    if len(title) < 3:
        raise ValidationFailed("Give the collection a title.", field="title")
    if len(title) > 200:
        raise ValidationFailed("The title is limited to 200 characters.", field="title")
    now = timezone.now()
    collection = Collection.objects.create(
        space=space,
        curator=by,
        title=title,
        description=description.strip(),
        description_html=render_markdown(description) if description.strip() else "",
        is_path=is_path,
        created_at=now,
        updated_at=now,
    )
    # The feed app makes the curator a follower of what they made.
    transaction.on_commit(
        lambda: collection_signals.collection_created.send(
            sender=Collection, collection_id=collection.pk, curator_id=by.pk
        )
    )
    return collection


@transaction.atomic
def section_add(*, collection: Collection, by: User, title: str) -> CollectionSection:
    perms.check_edit_collection(by, collection)
    title = " ".join((title or "").split())
    if not title or len(title) > 200:
        raise ValidationFailed("A section needs a title of up to 200 characters.", field="title")
    position = (collection.sections.aggregate(m=Max("position"))["m"] or 0) + 1
    Collection.objects.filter(pk=collection.pk).update(updated_at=timezone.now())
    return CollectionSection.objects.create(collection=collection, title=title, position=position)


@transaction.atomic
def collection_item_add(
    *,
    collection: Collection,
    by: User,
    target: models.Model,
    section: CollectionSection | None = None,
    note: str = "",
) -> CollectionItem:
    """Add a question, resource or video the curator can see. Items keep their own visibility:
    readers who cannot see an item's space never see it in the collection either."""
    from knowhow.curation.item_kinds import check_item_target

    perms.check_edit_collection(by, collection)
    check_item_target(by, target)
    if section is not None and section.collection_id != collection.pk:
        raise ValidationFailed("That section belongs to another collection.", field="section")
    content_type = ContentType.objects.get_for_model(target)
    if CollectionItem.objects.filter(
        collection=collection, content_type=content_type, object_id=target.pk
    ).exists():
        raise Conflict("That is already in the collection.")
    position = (collection.items.aggregate(m=Max("position"))["m"] or 0) + 1
    note = (note or "").strip()
    Collection.objects.filter(pk=collection.pk).update(updated_at=timezone.now())
    item = CollectionItem.objects.create(
        collection=collection,
        section=section,
        position=position,
        content_type=content_type,
        object_id=target.pk,
        note=note[:5000],
        note_html=render_markdown(note) if note else "",
        added_at=timezone.now(),
    )
    # The feed app tells the collection's followers.
    transaction.on_commit(
        lambda: collection_signals.collection_item_added.send(
            sender=CollectionItem, item_id=item.pk, by_id=by.pk
        )
    )
    return item


@transaction.atomic
def collection_item_move(*, item: CollectionItem, by: User, direction: int) -> None:
    """Swap an item with its neighbour (direction -1 up, +1 down)."""
    perms.check_edit_collection(by, item.collection)
    if direction not in (-1, 1):
        raise ValidationFailed("Move up (-1) or down (1).")
    siblings = list(item.collection.items.order_by("position", "id"))
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    other_index = index + direction
    if not 0 <= other_index < len(siblings):
        return
    siblings[index], siblings[other_index] = siblings[other_index], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        if sibling.position != position:
            CollectionItem.objects.filter(pk=sibling.pk).update(position=position)


@transaction.atomic
def collection_item_remove(*, item: CollectionItem, by: User) -> None:
    perms.check_edit_collection(by, item.collection)
    item.delete()


@transaction.atomic
def path_enrol(*, collection: Collection, user: User) -> Enrolment:
    perms.check_enrol(user, collection)
    enrolment, created = Enrolment.objects.get_or_create(
        collection=collection, user=user, defaults={"enrolled_at": timezone.now()}
    )
    if created and collection.curator_id and collection.curator_id != user.pk:
        from knowhow.reputation.badges import badge_award

        # "Curated a collection others use": the first time someone else enrols in a path.
        badge_award(user=collection.curator, slug="curator")
    if created:
        activity_after_commit(
            kind="path_enrolled",
            actor_id=user.pk,
            space_id=collection.space_id,
            meta={"path_id": collection.pk, "title": collection.title},
        )
    return enrolment


@transaction.atomic
def path_leave(*, collection: Collection, user: User) -> None:
    Enrolment.objects.filter(collection=collection, user=user).delete()


@transaction.atomic
def path_mark_done(*, item: CollectionItem, user: User, done: bool = True) -> Enrolment:
    enrolment = Enrolment.objects.filter(collection_id=item.collection_id, user=user).first()
    if enrolment is None:
        raise ValidationFailed("Enrol in the path before marking items done.")
    perms.check_view_collection(user, item.collection)
    if done:
        ItemCompletion.objects.get_or_create(
            enrolment=enrolment, item=item, defaults={"done_at": timezone.now()}
        )
    else:
        ItemCompletion.objects.filter(enrolment=enrolment, item=item).delete()
    total = item.collection.items.count()
    completed = enrolment.completions.count()
    was_completed = enrolment.completed_at is not None
    enrolment.completed_at = timezone.now() if total and completed >= total else None
    enrolment.save(update_fields=["completed_at"])
    if enrolment.completed_at is not None and not was_completed:
        activity_after_commit(
            kind="path_completed",
            actor_id=user.pk,
            space_id=item.collection.space_id,
            meta={"path_id": item.collection_id, "title": item.collection.title},
        )
    return enrolment


@transaction.atomic
def path_recommend(
    *,
    collection: Collection,
    by: User,
    department: str = "",
    job_title: str = "",
    tag: str = "",
) -> PathRecommendation:
    perms.check_edit_collection(by, collection)
    department, job_title = department.strip()[:120], job_title.strip()[:120]
    tag_object = None
    if tag.strip():
        tag_object = Tag.objects.filter(name=tag.strip().lower()).first()
        if tag_object is None:
            raise NotFound(f"There is no tag “{tag.strip()[:35]}”.")
    if not (department or job_title or tag_object):
        raise ValidationFailed("Recommend it to a department, a role or a tag.")
    return PathRecommendation.objects.create(
        collection=collection,
        department=department,
        job_title=job_title,
        tag=tag_object,
        created_at=timezone.now(),
    )
