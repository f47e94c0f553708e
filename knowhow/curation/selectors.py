"""Reads for curation, every one filtered through `spaces.selectors.visible_space_q`."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from knowhow.accounts.models import User
from knowhow.core.errors import NotFound
from knowhow.curation import permissions as perms
from knowhow.curation.item_kinds import visible_targets
from knowhow.curation.models import (
    Collection,
    CollectionItem,
    Counterpoint,
    Enrolment,
    FeedItem,
    FeedSubscription,
    ItemCompletion,
    PathRecommendation,
    Resource,
    ResourceComment,
    ResourceReview,
    ResourceVote,
)
from knowhow.qa.models import Tag
from knowhow.spaces.models import Space
from knowhow.spaces.selectors import Viewer, spaces_visible_to, visible_space_q


class ResourceSort:
    NEWEST = "newest"
    TOP = "top"
    RATED = "rated"
    CHOICES = [(NEWEST, "Newest"), (TOP, "Top voted"), (RATED, "Best reviewed")]
    ORDER = {
        NEWEST: ("-created_at", "-id"),
        TOP: ("-score", "-created_at"),
        RATED: ("-rating_sum", "-review_count", "-created_at"),
    }


def visible_resources(viewer: Viewer) -> QuerySet[Resource]:
    return Resource.objects.filter(visible_space_q(viewer), is_deleted=False, is_hidden=False)


# --- for search (which shows resources through their discussion posts) ----------------------


def _live() -> Q:
    return Q(is_deleted=False, is_hidden=False, post__isnull=False)


@dataclass(frozen=True)
class ResourceSearchDocument:
    post_id: int
    title: str
    description: str
    site: str  # the site's name and host, e.g. "Example Learning example.org"
    note: str  # the curator's note (Markdown)
    tags: list[str]


def resource_post_ids() -> list[int]:
    """Discussion posts of every live (not deleted, not hidden) resource, for a full reindex."""
    return list(
        Resource.objects.filter(_live()).order_by("post_id").values_list("post_id", flat=True)
    )


def resource_search_documents(*, post_ids: Sequence[int]) -> list[ResourceSearchDocument]:
    """Documents for the live resources among these discussion posts (two queries); posts of
    deleted or hidden resources get none and leave the index."""
    resources = (
        Resource.objects.filter(_live(), post_id__in=post_ids)
        .only("pk", "post_id", "title", "canonical_url", "description", "site_name", "note")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name")))
    )
    return [
        ResourceSearchDocument(
            post_id=r.post_id,  # type: ignore[arg-type]
            title=r.display_title,
            description=r.description,
            # The host whole and in words: PostgreSQL reads "learn.example.org" as one host
            # token, and a query may be parsed either way.
            site=" ".join(p for p in (r.site_name, r.host, r.host.replace(".", " ")) if p),
            note=r.note,
            tags=sorted(t.name for t in r.tags.all()),
        )
        for r in resources
    ]


def resource_post_ids_tagged(*, tag: str) -> QuerySet:
    """Discussion posts of the live resources with this tag (for search's tag filter), as an
    unordered query that search combines with other kinds' into one."""
    return (
        Resource.objects.filter(_live(), tags__name=tag)
        .order_by()
        .values_list("post_id", flat=True)
    )


def resources_by_post(*, post_ids: Sequence[int]) -> dict[int, Resource]:
    """The resources of these discussion posts with their tags (for search result cards), in
    two queries."""
    if not post_ids:
        return {}
    return {
        r.post_id: r  # type: ignore[misc]
        for r in Resource.objects.filter(post_id__in=post_ids)
        .only(
            "pk",
            "post_id",
            "title",
            "url",
            "canonical_url",
            "site_name",
            "reading_minutes",
            "score",
        )
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name")))
    }


def resource_list(
    *,
    viewer: Viewer,
    sort: str = ResourceSort.NEWEST,
    tag: str | None = None,
    space: Space | None = None,
) -> QuerySet[Resource]:
    if sort not in ResourceSort.ORDER:
        sort = ResourceSort.NEWEST
    qs = visible_resources(viewer)
    if tag:
        qs = qs.filter(tags__name=tag)
    if space is not None:
        qs = qs.filter(space=space)
    return (
        qs.select_related("space", "added_by")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name")))
        .order_by(*ResourceSort.ORDER[sort])
    )


@dataclass
class ResourcePage:
    resource: Resource
    counterpoints: list[tuple[Resource, str]]
    reviews: list[ResourceReview]
    comments: list[ResourceComment]
    my_vote: int = 0
    my_review: ResourceReview | None = None
    can_edit: bool = False
    can_curate: bool = False
    can_vote: bool = False


def resource_get(*, pk: int, viewer: Viewer) -> Resource:
    resource = Resource.objects.select_related("space", "added_by").filter(pk=pk).first()
    if resource is None:
        raise NotFound("No such resource.")
    perms.check_view_resource(viewer, resource)
    return resource


def resource_for_post(*, post_pk: int, viewer: Viewer) -> Resource:
    resource = Resource.objects.select_related("space").filter(post_id=post_pk).first()
    if resource is None:
        raise NotFound("No such resource.")
    perms.check_view_resource(viewer, resource)
    return resource


def resource_page(*, pk: int, viewer: Viewer) -> ResourcePage:
    resource = resource_get(pk=pk, viewer=viewer)
    links = Counterpoint.objects.filter(Q(resource=resource) | Q(counter=resource)).values_list(
        "resource_id", "counter_id", "note"
    )
    other_ids = {(c if r == resource.pk else r): note for r, c, note in links}
    others = visible_resources(viewer).filter(pk__in=other_ids).select_related("space")
    counterpoints = [(other, other_ids[other.pk]) for other in others]
    reviews = list(resource.reviews.select_related("author")[:50])
    comments = list(resource.comments.filter(is_deleted=False).select_related("author"))
    page = ResourcePage(
        resource=resource, counterpoints=counterpoints, reviews=reviews, comments=comments
    )
    if viewer is not None and viewer.is_authenticated:
        vote = ResourceVote.objects.filter(resource=resource, user_id=viewer.pk).first()
        page.my_vote = vote.value if vote else 0
        page.my_review = next((r for r in reviews if r.author_id == viewer.pk), None)
        page.can_edit = resource.added_by_id == viewer.pk or perms.can_moderate_resource(
            viewer, resource
        )
        page.can_curate = perms.can_curate(viewer, resource.space)
        page.can_vote = resource.added_by_id != viewer.pk and not resource.is_deleted
    return page


def resource_image_get(*, pk: int, viewer: Viewer) -> Resource:
    resource = resource_get(pk=pk, viewer=viewer)
    if not resource.image:
        raise NotFound("That resource has no preview image.")
    return resource


# --- curation inbox -------------------------------------------------------------------------


def curatable_spaces(viewer: Viewer) -> list[Space]:
    return [s for s in spaces_visible_to(viewer) if perms.can_curate(viewer, s)]


def feed_subscriptions(*, viewer: Viewer) -> QuerySet[FeedSubscription]:
    spaces = curatable_spaces(viewer)
    return FeedSubscription.objects.filter(space__in=spaces).select_related("space")


def inbox(*, viewer: Viewer) -> QuerySet[FeedItem]:
    spaces = curatable_spaces(viewer)
    return (
        FeedItem.objects.filter(space__in=spaces, status=FeedItem.Status.NEW)
        .select_related("subscription", "space")
        .order_by("-published_at", "-id")
    )


def feed_item_get(*, pk: int, viewer: Viewer) -> FeedItem:
    item = FeedItem.objects.select_related("space").filter(pk=pk).first()
    if item is None or not perms.can_curate(viewer, item.space):
        raise NotFound("No such inbox item.")
    return item


# --- collections and paths ------------------------------------------------------------------


def collection_list(*, viewer: Viewer, paths_only: bool = False) -> QuerySet[Collection]:
    qs = Collection.objects.filter(visible_space_q(viewer)).select_related("space", "curator")
    if paths_only:
        qs = qs.filter(is_path=True)
    return qs


@dataclass
class ShownItem:
    item: CollectionItem
    target: object
    kind: str
    done: bool = False


@dataclass
class ShownSection:
    title: str
    items: list[ShownItem] = field(default_factory=list)


@dataclass
class CollectionPage:
    collection: Collection
    sections: list[ShownSection]
    enrolment: Enrolment | None
    done_count: int
    total: int
    can_edit: bool

    @property
    def percent(self) -> int:
        return round(100 * self.done_count / self.total) if self.total else 0


def collection_get(*, pk: int, viewer: Viewer) -> Collection:
    collection = Collection.objects.select_related("space", "curator").filter(pk=pk).first()
    if collection is None:
        raise NotFound("No such collection.")
    perms.check_view_collection(viewer, collection)
    return collection


def collection_page(*, pk: int, viewer: Viewer) -> CollectionPage:
    """The items the viewer may see, in section order; progress counts only those items."""
    collection = collection_get(pk=pk, viewer=viewer)
    items = list(collection.items.select_related("section", "content_type"))
    targets = visible_targets(viewer, [(i.content_type_id, i.object_id) for i in items])
    enrolment = None
    done_ids: set[int] = set()
    if viewer is not None and viewer.is_authenticated:
        enrolment = Enrolment.objects.filter(collection=collection, user_id=viewer.pk).first()
        if enrolment is not None:
            done_ids = set(
                ItemCompletion.objects.filter(enrolment=enrolment).values_list("item_id", flat=True)
            )
    sections: dict[int | None, ShownSection] = {None: ShownSection(title="")}
    for section in collection.sections.all():
        sections[section.pk] = ShownSection(title=section.title)
    shown = 0
    for item in items:
        target = targets.get((item.content_type_id, item.object_id))
        if target is None:
            continue
        shown += 1
        sections[item.section_id].items.append(
            ShownItem(
                item=item, target=target, kind=item.content_type.model, done=item.pk in done_ids
            )
        )
    return CollectionPage(
        collection=collection,
        sections=[s for key, s in sections.items() if s.items or key is not None],
        enrolment=enrolment,
        done_count=len(done_ids & {s.item.pk for sec in sections.values() for s in sec.items}),
        total=shown,
        can_edit=perms.can_edit_collection(viewer, collection),
    )


def paths_recommended_for(*, user: User) -> QuerySet[Collection]:
    """Paths recommended to the user's department, job title or followed tags."""
    audience = Q(tag__follows__user=user)
    if user.department:
        audience |= Q(department__iexact=user.department)
    if user.job_title:
        audience |= Q(job_title__iexact=user.job_title)
    ids = PathRecommendation.objects.filter(audience).values("collection_id")
    return (
        collection_list(viewer=user, paths_only=True)
        .filter(pk__in=ids)
        .exclude(enrolments__user=user)
        .distinct()
    )


def enrolments_for(*, user: User) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(
        user=user, collection__in=collection_list(viewer=user)
    ).select_related("collection")
