"""Writes for notifications: who hears about a new answer or comment or a new item in a collection,
email (immediate and digest), preferences and unsubscribe, question and collection follows,
outgoing webhooks and expert routing.

Every recipient is checked with `spaces.selectors.can_view_space` when the notification is made,
and again when it is shown or emailed, so private-space content never reaches a non-member.
"""

import datetime
import json
import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from knowhow.accounts.models import User
from knowhow.core.errors import NotFound, PermissionRefused, ValidationFailed
from knowhow.feed.models import (
    DEFAULT_EMAIL,
    CollectionFollow,
    EmailChoice,
    ExpertRequest,
    Notification,
    NotificationKind,
    NotificationPreference,
    QuestionFollow,
    Webhook,
)
from knowhow.qa.models import Comment, Post
from knowhow.spaces.models import Space
from knowhow.spaces.selectors import can_view_space, is_space_moderator, space_feature_enabled

if TYPE_CHECKING:
    from knowhow.curation.models import Collection, CollectionItem

logger = logging.getLogger(__name__)

MENTION_RE = re.compile(r"(?<![\w@/])@([A-Za-z0-9_.+-]{2,150})")
UNSUBSCRIBE_SALT = "knowhow.feed.unsubscribe"
# Priority when one event concerns a person in several ways: they get the strongest one only.
PRIORITY = [
    NotificationKind.MENTION,
    NotificationKind.REPLY,
    NotificationKind.ANSWER,
    NotificationKind.COMMENT,
]


def site_url() -> str:
    return str(getattr(settings, "SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


# --- preferences ----------------------------------------------------------------------------


def email_choice(user: User, kind: str) -> str:
    pref = NotificationPreference.objects.filter(user=user, kind=kind).first()
    if pref is not None:
        return pref.email
    return DEFAULT_EMAIL.get(kind, EmailChoice.DAILY)


def preference_set(*, user: User, kind: str, email: str) -> NotificationPreference:
    if kind not in NotificationKind.values:
        raise ValidationFailed("Unknown kind of notification.", field="kind")
    if email not in EmailChoice.values:
        raise ValidationFailed("Choose at once, daily, weekly or in the app only.", field="email")
    pref, _ = NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"email": email}
    )
    return pref


def unsubscribe_token(*, user: User, kind: str = "all") -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[User, str]:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=int(data["u"]))
        kind = str(data["k"])
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError, ValueError) as exc:
        raise NotFound("That unsubscribe link is not valid.") from exc
    if kind != "all" and kind not in NotificationKind.values:
        raise NotFound("That unsubscribe link is not valid.")
    return user, kind


@transaction.atomic
def unsubscribe(*, token: str) -> tuple[User, str]:
    user, kind = unsubscribe_read(token)
    kinds = NotificationKind.values if kind == "all" else [kind]
    for k in kinds:
        preference_set(user=user, kind=k, email=EmailChoice.NONE)
    return user, kind


# --- follows --------------------------------------------------------------------------------


def question_follow(*, user: User, question: Post, follow: bool = True) -> None:
    if not question.is_question:
        raise ValidationFailed("Only questions can be followed.")
    if not can_view_space(user, question.space):
        raise NotFound("That question does not exist or is not visible to you.")
    if follow:
        QuestionFollow.objects.get_or_create(user=user, question=question)
    else:
        QuestionFollow.objects.filter(user=user, question=question).delete()


def collection_follow(*, user: User, collection: "Collection", follow: bool = True) -> None:
    """Follow (or stop following) any collection or learning path the person can see."""
    if not user.is_authenticated:
        raise PermissionRefused("Log in to follow collections.")
    if not can_view_space(user, collection.space):
        raise NotFound("That collection does not exist or is not visible to you.")
    if follow:
        CollectionFollow.objects.get_or_create(user=user, collection=collection)
    else:
        CollectionFollow.objects.filter(user=user, collection=collection).delete()


def on_collection_created(*, collection: "Collection") -> None:
    """The curator follows what they made (as Discourse watches the topics you start): they
    hear of items others add to it, never of their own; they can unfollow."""
    if collection.curator_id is None:
        return
    CollectionFollow.objects.get_or_create(user_id=collection.curator_id, collection=collection)


def followers_of_collection(collection: "Collection") -> set[int]:
    return set(
        CollectionFollow.objects.filter(collection=collection).values_list("user_id", flat=True)
    )


@transaction.atomic
def on_collection_item_added(
    *, item: "CollectionItem", by: User | None = None
) -> list[Notification]:
    """Tell the collection's followers (not whoever added the item) that it has something new.

    Followers who may not see the item (it keeps the visibility of its own space) are not told.
    A follower who has not yet read the last such notification for this collection gets that
    one brought up to date instead of a second one, so a curator adding ten items makes one
    notification, not ten; it names the collection, not the items."""
    from knowhow.curation.item_kinds import item_visible_to

    collection = item.collection
    followers = followers_of_collection(collection) - ({by.pk} if by is not None else set())
    # Only those who may see the new item itself (it can come from another, private space).
    by_kind = {
        user.pk: NotificationKind.COLLECTION
        for user in User.objects.filter(pk__in=followers, is_active=True)
        if can_view_space(user, collection.space)
        and item_visible_to(user, item.content_type_id, item.object_id)
    }
    if not by_kind:
        return []
    url = collection.get_absolute_url()
    kind_name = "learning path" if collection.is_path else "collection"
    title = f"New in the {kind_name} “{collection.title}”"
    pending = Notification.objects.filter(
        kind=NotificationKind.COLLECTION,
        recipient_id__in=list(by_kind),
        url=url,
        read_at=None,
        emailed_at=None,
    )
    already = set(pending.values_list("recipient_id", flat=True))
    if already:
        pending.update(
            title=title[:300], text="Several new items.", actor=by, created_at=timezone.now()
        )
    for uid in already:
        by_kind.pop(uid, None)
    return _notify(
        by_kind=by_kind,
        actor=by,
        space=collection.space,
        post=None,
        title=title,
        text="A new item was added.",
        url=url,
    )


def followers_of(question: Post) -> set[int]:
    """The asker, everyone who answered, and everyone who follows the question."""
    ids = set(QuestionFollow.objects.filter(question=question).values_list("user_id", flat=True))
    ids.update(
        Post.objects.filter(question=question, is_deleted=False)
        .exclude(author=None)
        .values_list("author_id", flat=True)
    )
    if question.author_id:
        ids.add(question.author_id)
    return ids


def mentioned_users(text: str) -> set[int]:
    names = {m.group(1).rstrip(".") for m in MENTION_RE.finditer(text or "")}
    if not names:
        return set()
    return set(User.objects.filter(username__in=list(names)[:20]).values_list("pk", flat=True))


# --- making notifications -------------------------------------------------------------------


def _notify(
    *,
    by_kind: dict[int, str],
    actor: User | None,
    post: Post | None,
    title: str,
    text: str,
    url: str,
    space: Space | None = None,
) -> list[Notification]:
    if actor is not None:
        by_kind.pop(actor.pk, None)
    if not by_kind:
        return []
    where = space if space is not None else post.space  # type: ignore[union-attr]
    recipients = User.objects.filter(pk__in=by_kind, is_active=True)
    now = timezone.now()
    made = []
    for recipient in recipients:
        if not can_view_space(recipient, where):
            continue
        made.append(
            Notification(
                recipient=recipient,
                kind=by_kind[recipient.pk],
                actor=actor,
                space=where,
                post=post,
                title=title[:300],
                text=text[:500],
                url=url[:500],
                created_at=now,
            )
        )
    Notification.objects.bulk_create(made)
    from knowhow.feed.tasks import notification_email

    for notification in made:
        if email_choice(notification.recipient, notification.kind) == EmailChoice.IMMEDIATE:
            pk = notification.pk
            transaction.on_commit(lambda pk=pk: notification_email.enqueue(notification_id=pk))
    return made


def _assign(by_kind: dict[int, str], ids: Iterable[int], kind: str) -> None:
    for uid in ids:
        current = by_kind.get(uid)
        if current is None or PRIORITY.index(kind) < PRIORITY.index(current):
            by_kind[uid] = kind


def _excerpt(markdown_text: str) -> str:
    return " ".join((markdown_text or "").split())[:300]


@transaction.atomic
def on_post_created(*, post: Post) -> list[Notification]:
    """Notify about a new answer (asker: direct reply; followers: answer; @mentions)."""
    if post.is_deleted:
        return []
    by_kind: dict[int, str] = {}
    if post.is_answer:
        question = post.question
        assert question is not None
        _assign(by_kind, followers_of(question) - {question.author_id}, NotificationKind.ANSWER)
        if question.author_id:
            _assign(by_kind, [question.author_id], NotificationKind.REPLY)
        if post.author_id:
            QuestionFollow.objects.get_or_create(user_id=post.author_id, question=question)
        title = f"New answer to “{question.title}”"
    else:
        question = post
        if post.author_id:
            QuestionFollow.objects.get_or_create(user_id=post.author_id, question=post)
        title = f"You were mentioned in “{post.title}”"
    _assign(by_kind, mentioned_users(post.body), NotificationKind.MENTION)
    return _notify(
        by_kind=by_kind,
        actor=post.author,
        post=post,
        title=title,
        text=_excerpt(post.body),
        url=post.get_absolute_url(),
    )


@transaction.atomic
def on_comment_added(*, comment: Comment) -> list[Notification]:
    post = comment.post
    if comment.is_deleted or post.is_deleted:
        return []
    question = post if post.is_question else post.question
    assert question is not None
    by_kind: dict[int, str] = {}
    _assign(by_kind, followers_of(question), NotificationKind.COMMENT)
    if post.author_id:
        _assign(by_kind, [post.author_id], NotificationKind.REPLY)
    _assign(by_kind, mentioned_users(comment.body), NotificationKind.MENTION)
    return _notify(
        by_kind=by_kind,
        actor=comment.author,
        post=post,
        title=f"New comment on “{question.title}”",
        text=_excerpt(comment.body),
        url=post.get_absolute_url(),
    )


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at=None)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


# --- email ----------------------------------------------------------------------------------


def _still_visible(notification: Notification) -> bool:
    return can_view_space(notification.recipient, notification.space)


def _send(*, user: User, subject: str, template: str, context: dict, kind: str = "all") -> None:
    token = unsubscribe_token(user=user, kind=kind)
    unsubscribe_url = site_url() + reverse("feed:unsubscribe", args=[token])
    context = {**context, "user": user, "site_url": site_url(), "unsubscribe_url": unsubscribe_url}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"feed/email/{template}.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        render_to_string(f"feed/email/{template}.html", context), "text/html"
    )
    message.send()


def notification_email_send(*, notification: Notification) -> bool:
    """Send one notification at once. Re-checks visibility, preference and address first."""
    user = notification.recipient
    if notification.emailed_at or not user.email or not user.is_active:
        return False
    if email_choice(user, notification.kind) != EmailChoice.IMMEDIATE:
        return False
    if not _still_visible(notification):
        return False
    _send(
        user=user,
        subject=notification.title,
        template="notification",
        context={"n": notification},
        kind=notification.kind,
    )
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True


DIGEST_WINDOW = {
    EmailChoice.DAILY: datetime.timedelta(days=1),
    EmailChoice.WEEKLY: datetime.timedelta(days=7),
}


def digest_send(*, user: User, period: str) -> int:
    """Email the user's not-yet-emailed notifications whose kind they get in this digest."""
    if period not in DIGEST_WINDOW:
        raise ValidationFailed("A digest is daily or weekly.")
    if not user.email or not user.is_active:
        return 0
    kinds = [k for k in NotificationKind.values if email_choice(user, k) == period]
    if not kinds:
        return 0
    since = timezone.now() - DIGEST_WINDOW[period]
    pending = list(
        Notification.objects.filter(
            recipient=user, emailed_at=None, read_at=None, kind__in=kinds, created_at__gte=since
        ).select_related("space", "recipient")
    )
    shown = [n for n in pending if _still_visible(n)]
    if not shown:
        return 0
    label = "daily" if period == EmailChoice.DAILY else "weekly"
    _send(
        user=user,
        subject=f"Your {label} {getattr(settings, 'SITE_NAME', 'Knowhow')} digest: {len(shown)} update{'s' if len(shown) != 1 else ''}",
        template="digest",
        context={"notifications": shown, "period": label},
    )
    Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
    return len(shown)


def digests_send(*, period: str) -> int:
    """Send every user's digest for the period; returns how many emails went out."""
    if period not in DIGEST_WINDOW:
        raise ValidationFailed("A digest is daily or weekly.")
    since = timezone.now() - DIGEST_WINDOW[period]
    user_ids = (
        Notification.objects.filter(emailed_at=None, read_at=None, created_at__gte=since)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    sent = 0
    for user in User.objects.filter(pk__in=list(user_ids)):
        sent += 1 if digest_send(user=user, period=period) else 0
    return sent


# --- webhooks -------------------------------------------------------------------------------


def webhook_create(*, by: User, space: Space, url: str, format: str) -> Webhook:
    from knowhow.curation.canonical import canonical_url

    if not is_space_moderator(by, space):
        raise PermissionRefused("Only the space's moderators can add webhooks.")
    if not space_feature_enabled(space, "chat_webhooks"):
        raise PermissionRefused("Chat webhooks are switched off in this space.")
    if format not in Webhook.Format.values:
        raise ValidationFailed("Choose Slack or Microsoft Teams.", field="format")
    canonical_url(url)  # refuses anything that is not an http(s) URL
    # Plain http only in development or against the allow-listed local test server.
    insecure_ok = settings.DEBUG or bool(
        getattr(settings, "CURATION_FETCH_ALLOWED_ADDRESSES", None)
    )
    if not url.strip().startswith("https://") and not insecure_ok:
        raise ValidationFailed("Webhook addresses must use https.", field="url")
    return Webhook.objects.create(
        space=space, url=url.strip(), format=format, created_by=by, created_at=timezone.now()
    )


def webhook_payload(*, webhook: Webhook, title: str, text: str, url: str) -> dict:
    if webhook.format == Webhook.Format.SLACK:
        return {
            "text": f"{title}: {url}",
            "blocks": [
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": f"*<{url}|{title}>*\n{text}"},
                }
            ],
        }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        {"type": "TextBlock", "text": title, "weight": "Bolder", "wrap": True},
                        {"type": "TextBlock", "text": text, "wrap": True},
                    ],
                    "actions": [{"type": "Action.OpenUrl", "title": "Open", "url": url}],
                },
            }
        ],
    }


def webhook_deliver(*, webhook: Webhook, title: str, text: str, url: str) -> bool:
    """POST through the safe fetcher (no internal addresses, bounded time). Records the outcome."""
    from knowhow.core.errors import ApplicationError
    from knowhow.curation.fetching import FetchLimits, safe_fetch

    body = json.dumps(webhook_payload(webhook=webhook, title=title, text=text, url=url)).encode()
    try:
        result = safe_fetch(
            webhook.url,
            method="POST",
            data=body,
            headers={"Content-Type": "application/json"},
            limits=FetchLimits(max_bytes=64 * 1024, total_seconds=10, accept_types=("*/*",)),
        )
    except ApplicationError as error:
        webhook.last_status = error.message[:300]
        webhook.save(update_fields=["last_status"])
        return False
    webhook.last_status = f"HTTP {result.status} at {timezone.now():%Y-%m-%d %H:%M}"
    webhook.save(update_fields=["last_status"])
    return True


def webhooks_for_post(*, post: Post) -> list[tuple[int, str, str, str]]:
    """(webhook id, title, text, url) to send for a new question or answer in its own space only."""
    if post.is_deleted:
        return []
    question = post if post.is_question else post.question
    assert question is not None
    title = (
        f"New question: {question.title}"
        if post.is_question
        else f"New answer to: {question.title}"
    )
    if not space_feature_enabled(post.space, "chat_webhooks"):
        return []
    url = site_url() + post.get_absolute_url()
    return [
        (hook.pk, title, _excerpt(post.body), url)
        for hook in Webhook.objects.filter(space_id=post.space_id, is_active=True)
    ]


# --- expert routing -------------------------------------------------------------------------

ROUTE_TO = 3
WEEKLY_CAP = 3
ACTIVE_DAYS = 30


def experts_for(*, question: Post, limit: int = ROUTE_TO) -> list[User]:
    """People with the most answer score in the question's tags, active in the last 30 days,
    asked fewer than WEEKLY_CAP times this week, who can see the question, not the asker."""
    tag_ids = list(question.tags.values_list("pk", flat=True))
    if not tag_ids:
        return []
    now = timezone.now()
    week_ago = now - datetime.timedelta(days=7)
    busy = (
        ExpertRequest.objects.filter(created_at__gte=week_ago)
        .values("user_id")
        .annotate(n=Count("id"))
        .filter(n__gte=int(getattr(settings, "FEED_EXPERT_WEEKLY_CAP", WEEKLY_CAP)))
        .values("user_id")
    )
    active = Post.objects.filter(created_at__gte=now - datetime.timedelta(days=ACTIVE_DAYS)).values(
        "author_id"
    )
    ranked = (
        Post.objects.filter(
            post_type=Post.PostType.ANSWER,
            is_deleted=False,
            question__tags__in=tag_ids,
            author__is_active=True,
        )
        .exclude(author=None)
        .exclude(author_id=question.author_id)
        .exclude(author_id__in=busy)
        .filter(author_id__in=active)
        .values("author_id")
        .annotate(
            tag_score=Sum("score"), answers=Count("id", distinct=True), last=Max("created_at")
        )
        .order_by("-tag_score", "-answers", "-last")[: limit * 5]
    )
    chosen: list[User] = []
    users = User.objects.in_bulk([row["author_id"] for row in ranked])
    for row in ranked:
        user = users.get(row["author_id"])
        if user is None or not can_view_space(user, question.space):
            continue
        if ExpertRequest.objects.filter(user=user, question=question).exists():
            continue
        chosen.append(user)
        if len(chosen) >= limit:
            break
    return chosen


@transaction.atomic
def route_question(*, question: Post) -> list[ExpertRequest]:
    if not question.is_question or question.is_deleted:
        return []
    experts = experts_for(question=question)
    now = timezone.now()
    requests = [ExpertRequest(user=u, question=question, created_at=now) for u in experts]
    ExpertRequest.objects.bulk_create(requests, ignore_conflicts=True)
    _notify(
        by_kind={u.pk: NotificationKind.EXPERT for u in experts},
        actor=None,
        post=question,
        title=f"You could answer: “{question.title}”",
        text=_excerpt(question.body),
        url=question.get_absolute_url(),
    )
    return requests


def questions_you_can_answer_q(user: User) -> Q:
    """Open questions routed to the user, or in tags they answer in or follow."""
    answered_tags = Post.objects.filter(
        author=user, post_type=Post.PostType.ANSWER, is_deleted=False
    ).values("question__tags")
    followed = user.tag_follows.values("tag_id")
    routed = ExpertRequest.objects.filter(user=user).values("question_id")
    return Q(pk__in=routed) | Q(tags__in=answered_tags) | Q(tags__in=followed)
