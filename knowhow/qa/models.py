"""Questions, answers, comments, revisions, votes and tags.

Questions and answers share one table (`Post`), as in the Stack Exchange schema: votes, comments,
revisions, flags and search then point at one kind of thing.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify

from knowhow.spaces.models import Space

# A tag name: letters and digits of any script (Latin, Cyrillic, CJK, accented, ...), then also
# + # . - ; at most 35 characters. Names are stored lowercased and in Unicode NFC.
TAG_NAME_PATTERN = r"^[^\W_](?:[^\W_]|[+#.\-]){0,34}$"


class Tag(models.Model):
    name = models.CharField(max_length=35, unique=True)
    excerpt = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True, editable=False)
    question_count = models.PositiveIntegerField(default=0, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=100, blank=True, default="")
    source_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("qa:tag_detail", args=[self.name])


class TagFollow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tag_follows"
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "tag"], name="follow_tag_once")]

    def __str__(self) -> str:
        return f"{self.user} follows {self.tag}"


class CloseReason(models.TextChoices):
    DUPLICATE = "duplicate", "Duplicate"
    OFF_TOPIC = "off_topic", "Off-topic"
    NEEDS_DETAILS = "needs_details", "Needs details or clarity"
    OPINION_BASED = "opinion_based", "Opinion-based"
    OTHER = "other", "Other"


class Post(models.Model):
    class PostType(models.TextChoices):
        QUESTION = "question", "Question"
        ANSWER = "answer", "Answer"
        # The discussion post of a how-to video (knowhow.videos): it carries the video's
        # votes, comments and flags, and never appears in question lists.
        VIDEO = "video", "Video"
        # The discussion post of a curated resource (knowhow.curation): it carries the
        # resource's flags (so they reach moderation's review queue and flagger standing) and
        # its search entry. Votes, comments and reviews stay in curation's own tables; the post
        # takes no answers, votes, comments or edits of its own, and never appears in question
        # lists.
        RESOURCE = "resource", "Curated resource"

    post_type = models.CharField(max_length=10, choices=PostType.choices)
    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="posts")
    question = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="answers",
        help_text="For an answer: the question it answers.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
    )
    title = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    body_html = models.TextField(editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="questions")
    accepted_answer = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="accepted_for"
    )

    score = models.IntegerField(default=0)
    up_votes = models.PositiveIntegerField(default=0)
    down_votes = models.PositiveIntegerField(default=0)
    answer_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    view_count = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    last_editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_activity_at = models.DateTimeField(db_index=True)
    is_deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Closed questions take no new answers; the reason is a CloseReason value.
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=30, blank=True, choices=CloseReason.choices)
    # Hidden by peer moderation (flags) pending review; not deleted.
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=200, blank=True)
    is_locked = models.BooleanField(default=False)

    # Where an imported post came from, e.g. source="stackexchange:ai.stackexchange.com".
    source = models.CharField(max_length=100, blank=True, default="")
    source_id = models.BigIntegerField(null=True, blank=True)
    # For attribution of imported posts: the licence they came under and the original author's
    # name as the source showed it (kept even when the author's profile was deleted there).
    source_license = models.CharField(max_length=40, blank=True, default="")
    source_author_name = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["post_type", "is_deleted", "-created_at"], name="post_list_newest"
            ),
            models.Index(
                fields=["post_type", "is_deleted", "-last_activity_at"], name="post_list_active"
            ),
            # Without is_deleted: SQLite writes `is_deleted = false` as `NOT is_deleted`, which is
            # no equality for an index, so a middle column would stop the ordered scan.
            models.Index(
                fields=["post_type", "-score", "-created_at"], name="post_list_top_created"
            ),
            # Covers the visibility filter of list totals (counted from the index alone).
            models.Index(
                fields=["post_type", "is_deleted", "is_hidden", "space", "author"],
                name="post_count_visible",
            ),
            models.Index(fields=["question", "is_deleted"], name="post_answers"),
            models.Index(fields=["source", "source_id"], name="post_source"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(post_type__in=["question", "video", "resource"], question__isnull=True)
                | Q(post_type="answer", question__isnull=False),
                name="answer_has_question",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer {self.pk} to {self.question_id}" if self.is_answer else self.title

    def get_absolute_url(self) -> str:
        if self.post_type == self.PostType.VIDEO:
            return reverse("videos:post", args=[self.pk])
        if self.post_type == self.PostType.RESOURCE:
            return reverse("curation:resource_for_post", args=[self.pk])
        if self.is_answer:
            return reverse("qa:question_detail", args=[self.question_id]) + f"#answer-{self.pk}"
        return reverse("qa:question_detail_slug", args=[self.pk, self.slug])

    @property
    def is_question(self) -> bool:
        return self.post_type == self.PostType.QUESTION

    @property
    def is_answer(self) -> bool:
        return self.post_type == self.PostType.ANSWER

    @property
    def slug(self) -> str:
        return slugify(self.title)[:80] or "question"


class PostRevision(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    tag_names = models.CharField(max_length=300, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    # An imported revision: its source and the Id of its first PostHistory row there.
    source = models.CharField(max_length=100, blank=True, default="")
    source_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["post", "number"]
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="revision_number_once")
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of post {self.post_id}"


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    body = models.TextField(max_length=5000)
    body_html = models.TextField(editable=False)
    score = models.IntegerField(default=0)
    created_at = models.DateTimeField(db_index=True)
    is_deleted = models.BooleanField(default=False)
    source = models.CharField(max_length=100, blank=True, default="")
    source_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["post", "is_deleted", "created_at"], name="comment_by_post")
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.post_id}"


class Vote(models.Model):
    class Value(models.IntegerChoices):
        UP = 1, "Up"
        DOWN = -1, "Down"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    value = models.SmallIntegerField(choices=Value.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="one_vote_per_post")]
        indexes = [models.Index(fields=["user", "post"], name="vote_by_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.value:+d} on {self.post_id}"


class QuestionView(models.Model):
    """One row per viewer per question per day, so reloads do not inflate view counts."""

    question = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    viewer_key = models.CharField(max_length=64)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["question", "viewer_key", "day"], name="one_view_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.viewer_key} viewed {self.question_id} on {self.day}"


class PostLink(models.Model):
    """A link between two questions: a duplicate (from a close vote or an import) or related."""

    class LinkType(models.TextChoices):
        RELATED = "related", "Related"
        DUPLICATE = "duplicate", "Duplicate of"

    from_post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="links_out")
    to_post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="links_in")
    link_type = models.CharField(max_length=20, choices=LinkType.choices)
    created_at = models.DateTimeField()
    source = models.CharField(max_length=100, blank=True, default="")
    source_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_post", "to_post", "link_type"], name="link_once")
        ]

    def __str__(self) -> str:
        return f"{self.from_post_id} {self.link_type} {self.to_post_id}"
