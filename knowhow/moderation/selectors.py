"""Reads for moderation: sanctions in force, review queues, flags, the audit log."""

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from knowhow.accounts.models import User
from knowhow.moderation.config import moderation_setting
from knowhow.moderation.models import AuditEntry, Flag, ReviewQueue, ReviewTask, Sanction
from knowhow.moderation.permissions import can_review, is_site_moderator
from knowhow.reputation.config import Privilege
from knowhow.reputation.privileges import has_privilege
from knowhow.spaces.selectors import Viewer, visible_space_q


def _may_be_sanctioned(user: object) -> bool:
    """The cheap test every page and write makes: nothing is in force unless the user row says
    a sanction may be (User.sanctioned_until in the future)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    until = getattr(user, "sanctioned_until", None)
    return until is not None and until > timezone.now()


def live_sanctions(*, user: User) -> list[Sanction]:
    """Sanctions in force now, the strongest first: suspensions and silences until they end,
    warnings during their notice period. Expired ones simply stop matching. Only a person
    whose row says a sanction may be in force costs a query."""
    if not _may_be_sanctioned(user):
        return []
    now = timezone.now()
    notice = datetime.timedelta(days=moderation_setting("WARNING_NOTICE_DAYS"))
    rows = (
        Sanction.objects.filter(user_id=user.pk, lifted_at__isnull=True)
        .filter(
            Q(kind__in=[Sanction.Kind.SILENCE, Sanction.Kind.SUSPEND], ends_at__gt=now)
            | Q(kind=Sanction.Kind.WARN, created_at__gt=now - notice)
        )
        .order_by("-ends_at", "-created_at")
    )
    strength = {Sanction.Kind.SUSPEND: 0, Sanction.Kind.SILENCE: 1, Sanction.Kind.WARN: 2}
    return sorted(rows, key=lambda s: strength[s.kind])  # type: ignore[index]


def active_restriction(*, user: User) -> Sanction | None:
    """The silence or suspension in force now, if any (a suspension before a silence)."""
    return next(
        (s for s in live_sanctions(user=user) if s.kind != Sanction.Kind.WARN),
        None,
    )


def active_suspension(*, user: User) -> Sanction | None:
    return next((s for s in live_sanctions(user=user) if s.kind == Sanction.Kind.SUSPEND), None)


def public_suspension(*, person: User) -> Sanction | None:
    """A suspension is shown on the person's profile (as on Stack Overflow); a silence or a
    warning is not."""
    return active_suspension(user=person)


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


def flags_raised_by(*, user: User) -> QuerySet[Flag]:
    """A person's own flags with their outcome (Stack Overflow's flag history)."""
    return Flag.objects.filter(flagger=user).select_related("post").order_by("-created_at", "-id")


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
