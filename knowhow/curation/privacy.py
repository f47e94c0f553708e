"""What data protection needs from curation: the export's path progress, and erasure's steps.

Registered with the privacy app in `CurationConfig.ready()`. Enrolments (with their completions)
are personal and deleted at erasure (flags on resources are moderation's `Flag` rows, handled as
post flags are); resources, comments, reviews, votes,
collections and feed subscriptions are contributions, kept as a former member's under the
"anonymise" policy. Under "delete", comments, reviews and added resources go, with counters
kept right; votes stay (as Q&A votes do) so that scores do not move.
"""

from typing import Any

from django.db import transaction
from django.db.models import F

from knowhow.accounts.models import User
from knowhow.curation.models import ItemCompletion, Resource, ResourceComment, ResourceReview
from knowhow.curation.signals import resource_changed
from knowhow.qa.models import Post
from knowhow.spaces.selectors import visible_space_q

PERSONAL_MODELS = ("curation.Enrolment",)


def export_records(user: User) -> dict[str, list[dict[str, Any]]]:
    """Items the person marked done (they point at an enrolment, not at the person)."""
    rows = (
        ItemCompletion.objects.filter(enrolment__user=user)
        .filter(visible_space_q(user, prefix="enrolment__collection__space"))
        .order_by("pk")
        .values("id", "enrolment_id", "enrolment__collection_id", "item_id", "done_at")
    )
    return {
        "curation.ItemCompletion.enrolment": [
            {
                "id": r["id"],
                "enrolment_id": r["enrolment_id"],
                "collection_id": r["enrolment__collection_id"],
                "item_id": r["item_id"],
                "done_at": r["done_at"],
            }
            for r in rows
        ]
    }


def erase(user: User, policy: str) -> None:
    if policy != "delete":
        return
    for review in ResourceReview.objects.filter(author=user):
        Resource.objects.filter(pk=review.resource_id).update(
            rating_sum=F("rating_sum") - review.rating, review_count=F("review_count") - 1
        )
        review.delete()
    for comment in ResourceComment.objects.filter(author=user, is_deleted=False):
        Resource.objects.filter(pk=comment.resource_id, comment_count__gt=0).update(
            comment_count=F("comment_count") - 1
        )
    ResourceComment.objects.filter(author=user).update(is_deleted=True, body="", body_html="")
    removed = list(Resource.objects.filter(added_by=user).values_list("pk", "post_id"))
    Resource.objects.filter(added_by=user).update(is_deleted=True, note="", note_html="")
    Post.objects.filter(pk__in=[post_id for _, post_id in removed if post_id]).update(
        is_deleted=True, body="", body_html=""
    )
    for resource_id, _ in removed:
        transaction.on_commit(
            lambda pk=resource_id: resource_changed.send(sender=Resource, resource_id=pk)
        )
