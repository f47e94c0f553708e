"""Reads for moderation: sanctions in force, review queues, flags, the audit log."""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from knowhow.accounts.models import User
from knowhow.moderation.models import AuditEntry, Flag, ReviewQueue, ReviewTask, Sanction
from knowhow.moderation.permissions import can_review, is_site_moderator
from knowhow.reputation.config import Privilege
from knowhow.reputation.privileges import has_privilege
from knowhow.spaces.selectors import Viewer, visible_space_q


def active_restriction(*, user: User) -> Sanction | None:
    """The silence or suspension in force now, if any. Expired ones simply stop matching."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        Sanction.objects.filter(
            user_id=user.pk,
            kind__in=[Sanction.Kind.SILENCE, Sanction.Kind.SUSPEND],
            lifted_at__isnull=True,
            ends_at__gt=timezone.now(),
        )
        .order_by("-ends_at")
        .first()
    )


def sanctions_for(*, user: User) -> QuerySet[Sanction]:
    return Sanction.objects.filter(user=user).select_related("created_by")


def queue_counts(*, viewer: Viewer) -> dict[str, int]:
    rows = dict(
        ReviewTask.objects.filter(status=ReviewTask.Status.OPEN)
        .filter(visible_space_q(viewer, prefix="post__space"))
        .values("queue")
        .annotate(n=Count("id"))
        .values_list("queue", "n")
    )
    return {q: rows.get(q, 0) for q in ReviewQueue.values if can_review(viewer, q)}


def review_tasks(*, viewer: Viewer, queue: str) -> QuerySet[ReviewTask]:
    return (
        ReviewTask.objects.filter(queue=queue, status=ReviewTask.Status.OPEN)
        .filter(visible_space_q(viewer, prefix="post__space"))
        .exclude(suggested_by_id=getattr(viewer, "pk", None))
        .exclude(post__author_id=getattr(viewer, "pk", None))
        .exclude(
            pk__in=ReviewTask.objects.filter(
                queue=queue,
                status=ReviewTask.Status.OPEN,
                post__flags__flagger_id=getattr(viewer, "pk", None),
                post__flags__status=Flag.Status.PENDING,
            ).values("pk")
        )
        .exclude(
            post__close_votes__user_id=getattr(viewer, "pk", None),
            post__close_votes__is_active=True,
            queue__in=[ReviewQueue.CLOSE, ReviewQueue.REOPEN],
        )
        .select_related("post", "post__author", "post__question", "comment", "suggested_by")
        .order_by("-score", "created_at")
    )


def pending_flags(*, post_ids: list[int]) -> dict[int, list[Flag]]:
    out: dict[int, list[Flag]] = {}
    for flag in (
        Flag.objects.filter(post_id__in=post_ids, status=Flag.Status.PENDING)
        .select_related("flagger")
        .order_by("created_at")
    ):
        out.setdefault(flag.post_id, []).append(flag)
    return out


def audit_log_for(*, viewer: User) -> QuerySet[AuditEntry]:
    """Moderators (and holders of the moderator-tools privilege) see every entry; everyone
    else sees what concerns them."""
    qs = AuditEntry.objects.select_related("actor", "target_user", "post")
    if is_site_moderator(viewer) or has_privilege(viewer, Privilege.MODERATOR_TOOLS):
        return qs
    return qs.filter(Q(target_user=viewer) | Q(actor=viewer))
