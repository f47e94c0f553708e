"""Curation: external resources with previews, reviews and counterpoints; feed subscriptions and
their inbox; collections and learning paths.

Resources keep their own vote, comment and review tables rather than riding on `qa.Post`: a Post is
Markdown written here with revisions, answers and acceptance, while a resource is a pointer to
someone else's page with a fetched preview. Sharing the table would put nullable URL/preview
columns on every post and "is this a link?" checks in every Q&A path. The shapes (one vote per
person, counters on the row, soft-deleted comments) mirror qa's.

Flags are the exception: each resource has a discussion post (post_type "resource", like a
standalone video's), and its flags are moderation's own `Flag` rows on that post, so they reach
the review queue, count towards the flagger's standing and leave audit entries as post flags do.
The same post is the resource's entry in the search index. `is_hidden` and `is_deleted` here
mirror what moderation decides on the post (see `services.resource_sync_from_post`).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse

from knowhow.qa.models import Post, Tag
from knowhow.spaces.models import Space


class PreviewStatus(models.TextChoices):
    PENDING = "pending", "Fetching preview"
    READY = "ready", "Preview ready"
    FAILED = "failed", "Preview failed"


class Resource(models.Model):
    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="resources")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
    )
    url = models.URLField(max_length=2000)
    canonical_url = models.CharField(max_length=2000)
    # sha256 of canonical_url: a unique index on a 2,000-character column is not portable.
    canonical_hash = models.CharField(max_length=64)
    title = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    site_name = models.CharField(max_length=200, blank=True)
    image = models.CharField(
        max_length=300, blank=True, help_text="Storage path of the cached image."
    )
    image_content_type = models.CharField(max_length=50, blank=True)
    reading_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="Why the curator recommends it.")
    note_html = models.TextField(blank=True, editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="resources")
    # The discussion post that carries the resource's flags and its search entry. Tags stay
    # here, not on the post, so that tag counts and tag pages stay about questions.
    post = models.OneToOneField(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="resource"
    )

    preview_status = models.CharField(
        max_length=10, choices=PreviewStatus.choices, default=PreviewStatus.PENDING
    )
    preview_error = models.CharField(max_length=300, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    score = models.IntegerField(default=0)
    up_votes = models.PositiveIntegerField(default=0)
    down_votes = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    review_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)

    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=200, blank=True)
    is_deleted = models.BooleanField(default=False)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["space", "canonical_hash"], name="resource_url_once_per_space"
            )
        ]
        indexes = [models.Index(fields=["is_deleted", "-created_at"], name="resource_newest")]

    def __str__(self) -> str:
        return self.title or self.canonical_url

    def get_absolute_url(self) -> str:
        return reverse("curation:resource_detail", args=[self.pk])

    @property
    def display_title(self) -> str:
        return self.title or self.canonical_url

    @property
    def host(self) -> str:
        return urlsplit(self.canonical_url).hostname or ""

    @property
    def average_rating(self) -> float | None:
        return round(self.rating_sum / self.review_count, 1) if self.review_count else None


class ResourceVote(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "user"], name="one_vote_per_resource")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.value:+d} on resource {self.resource_id}"


class ResourceComment(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=5000)
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField()
    is_deleted = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment {self.pk} on resource {self.resource_id}"


class ResourceReview(models.Model):
    """A peer review: a rating from 1 to 5 and one line on why it helped (or not)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField()
    line = models.CharField(max_length=200)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "author"], name="one_review_per_person"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 on resource {self.resource_id}"


class Counterpoint(models.Model):
    """`counter` argues against or offers another view of `resource`; shown side by side."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="counterpoints")
    counter = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="countered")
    note = models.CharField(max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "counter"], name="counterpoint_once"),
            models.CheckConstraint(
                condition=~models.Q(resource=models.F("counter")), name="counterpoint_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.counter_id} counters {self.resource_id}"


# --- feed subscriptions ---------------------------------------------------------------------


class FeedSubscription(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="feed_subscriptions")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    url = models.URLField(max_length=2000)
    canonical_hash = models.CharField(max_length=64)
    title = models.CharField(max_length=300, blank=True)
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["title", "url"]
        constraints = [
            models.UniqueConstraint(fields=["space", "canonical_hash"], name="subscribe_once")
        ]

    def __str__(self) -> str:
        return self.title or self.url


class FeedItem(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "In the inbox"
        PUBLISHED = "published", "Published"
        DISCARDED = "discarded", "Discarded"

    subscription = models.ForeignKey(
        FeedSubscription, on_delete=models.CASCADE, related_name="items"
    )
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="+")
    guid = models.CharField(max_length=500)
    url = models.URLField(max_length=2000)
    canonical_hash = models.CharField(max_length=64, db_index=True)
    title = models.CharField(max_length=300, blank=True)
    summary = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["space", "canonical_hash"], name="feed_url_once_per_space"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url


# --- collections and learning paths ---------------------------------------------------------


class Collection(models.Model):
    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="collections")
    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="curated_collections",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True, editable=False)
    is_path = models.BooleanField(
        default=False, help_text="A learning path: people enrol and mark items done."
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("curation:collection_detail", args=[self.pk])


class CollectionSection(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["collection", "position", "id"]

    def __str__(self) -> str:
        return self.title


class CollectionItem(models.Model):
    """One question, resource or video (any model registered in `collections.ITEM_KINDS`)."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(
        CollectionSection, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    position = models.PositiveIntegerField(default=0)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    note = models.TextField(blank=True, help_text="The curator's note on this item.")
    note_html = models.TextField(blank=True, editable=False)
    # When it was added: the home feed shows new items of paths people are enrolled in.
    # Empty for items added before this was recorded.
    added_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["collection", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "content_type", "object_id"], name="item_once_per_collection"
            )
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} in {self.collection_id}"


class Enrolment(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    enrolled_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["collection", "user"], name="enrol_once")]

    def __str__(self) -> str:
        return f"{self.user_id} in path {self.collection_id}"


class ItemCompletion(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="completions")
    item = models.ForeignKey(CollectionItem, on_delete=models.CASCADE, related_name="+")
    done_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "item"], name="complete_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} done in enrolment {self.enrolment_id}"


class PathRecommendation(models.Model):
    """Recommend a path to a department, a role (job title) or the followers of a tag."""

    collection = models.ForeignKey(
        Collection, on_delete=models.CASCADE, related_name="recommendations"
    )
    department = models.CharField(max_length=120, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(department="", job_title="", tag__isnull=True),
                name="recommendation_has_audience",
            )
        ]

    def __str__(self) -> str:
        return f"Recommend {self.collection_id}"
