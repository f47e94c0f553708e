"""The permission matrix: a private space's content never reaches a non-member by any channel.

One world holds a private pilot with a question, an answer, a comment, a video, a curated
resource and a collection, each carrying its own marker word, made through the real services
with every after-commit effect run (notifications, immediate emails, webhooks, search indexing,
analytics events). Each channel (pages, API, search, the review queue, feed, followed
collections, similar questions, notifications, immediate and digest emails, webhooks, the
personal-data export, analytics datasets) is then read as an anonymous visitor, a signed-in
person who was never a member, and a person who was a member when everything was posted and has
since been removed. A member reads every channel too, as the positive control: each channel must
show them the markers it can carry, so that no test here passes because the channel shows
nothing to anyone.

Knowhow has no sitemap and no RSS/Atom output; `test_there_is_no_sitemap_or_rss` keeps it so.
"""

import io
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from knowhow.accounts.services import api_token_create
from knowhow.analytics.rollups import refresh_question_outcomes, rollup_range
from knowhow.core.tests.factories import AnswerFactory, QuestionFactory, UserFactory, add_member
from knowhow.curation import services as curation_services
from knowhow.feed import services as feed_services
from knowhow.feed.models import EmailChoice, Notification, NotificationKind, Webhook
from knowhow.qa import services as qa_services
from knowhow.search.services import question_index_rebuild
from knowhow.spaces.models import SpaceMembership
from knowhow.videos import services as video_services
from knowhow.videos.models import Video

pytestmark = pytest.mark.django_db

# One marker per kind of content in the private space; none appears anywhere else.
MARKERS = {
    "question": "Zanzibar",
    "answer": "Quokka",
    "comment": "Narwhal",
    "video": "Xylograph",
    "resource": "Okapi",
    "collection": "Tapirpath",
}

OUTSIDERS = ["anonymous", "outsider", "leaver"]
CHANNELS: dict[str, set[str]] = {}  # channel name -> the markers a member must see there


def channel(*kinds: str):  # type: ignore[no-untyped-def]
    """Register a channel with the kinds of content it carries (its positive control)."""

    def register(fn):  # type: ignore[no-untyped-def]
        CHANNELS[fn.__name__] = {MARKERS[k] for k in kinds}
        READERS[fn.__name__] = fn
        return fn

    return register


READERS: dict = {}


@pytest.fixture
def world(
    default_space,
    private_space,
    settings,
    tmp_path,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VIDEOS = {**settings.VIDEOS, "UPLOAD_DIR": tmp_path / "uploads"}
    delivered: list[tuple[str, str]] = []

    def fake_fetch(url, *, method="GET", data=b"", **kwargs):  # the chat service is outside
        delivered.append((url, (data or b"").decode()))
        from types import SimpleNamespace

        return SimpleNamespace(status=200)

    monkeypatch.setattr("knowhow.curation.fetching.safe_fetch", fake_fetch)

    space = private_space
    space.chat_webhooks_enabled = True
    space.save()
    member = UserFactory(username="member", email="member@example.org")
    add_member(space, member, role=SpaceMembership.Role.MODERATOR)
    leaver = UserFactory(username="leaver", email="leaver@example.org")
    add_member(space, leaver)
    outsider = UserFactory(username="outsider", email="outsider@example.org")
    dashboard = Permission.objects.get(codename="view_dashboard")
    for person in (member, leaver, outsider):
        person.user_permissions.add(dashboard)
        # Digest people: everything waits for the daily digest except mentions (immediate).
        for kind in (NotificationKind.ANSWER, NotificationKind.COMMENT, NotificationKind.EXPERT):
            feed_services.preference_set(user=person, kind=kind, email=EmailChoice.DAILY)
    Webhook.objects.create(
        space=space,
        url="https://chat.example/private-room",
        format=Webhook.Format.SLACK,
        created_by=member,
        created_at=timezone.now(),
    )
    Webhook.objects.create(
        space=default_space,
        url="https://chat.example/everyone-room",
        format=Webhook.Format.SLACK,
        created_by=member,
        created_at=timezone.now(),
    )
    colleague = UserFactory(username="colleague")
    add_member(space, colleague)
    feed_services.preference_set(user=member, kind=NotificationKind.REPLY, email=EmailChoice.DAILY)
    # The outsider answers a lot in a shared tag, which makes them an "expert" to route to.
    public_q = QuestionFactory(
        author=member, space=default_space, title="How do pilots share launch checklists?"
    )
    AnswerFactory(question=public_q, author=outsider, body="Use a shared launch checklist page.")
    # While the leaver is still a member: they are mentioned (and emailed at once), follow the
    # question and get a comment notification that waits for their daily digest.
    with django_capture_on_commit_callbacks(execute=True):
        secret_q = QuestionFactory(
            author=member,
            space=space,
            title="Zanzibar launch checklist for the pilot",
            body="What must the Zanzibar launch checklist cover? @outsider @leaver",
            tags=["reporting"],
        )
        feed_services.question_follow(user=leaver, question=secret_q)
        qa_services.vote_cast(post=secret_q, user=leaver, value=1)
        qa_services.comment_add(
            post=secret_q, author=colleague, body="Narwhal note on the checklist @outsider"
        )
    mail_before_removal = len(mail.outbox)
    # The rest is posted now, but the worker only runs after the leaver has been removed.
    with django_capture_on_commit_callbacks(execute=False) as deferred:
        secret_a = AnswerFactory(
            question=secret_q,
            author=colleague,
            body="Quokka: prepare the data room first. @outsider @member @leaver",
        )
        source = tmp_path / "clip.mp4"
        source.write_bytes(b"not really a video" * 10)
        video = video_services.video_create_from_file(
            user=member, space=space, title="Xylograph walkthrough", path=source
        )
        Video.objects.filter(pk=video.pk).update(
            status=Video.Status.READY, is_playable=True, published_at=timezone.now()
        )
        resource = curation_services.resource_add(
            by=member,
            space=space,
            url="https://docs.example/okapi-guide",
            note="The Okapi guide to launches",
            fetch=False,
        )
        collection = curation_services.collection_create(
            by=member, space=space, title="Tapirpath onboarding", is_path=True
        )
        # The leaver follows the path while still a member; its new item comes after they left.
        feed_services.collection_follow(user=leaver, collection=collection)
        curation_services.collection_item_add(collection=collection, by=member, target=secret_q)
    SpaceMembership.objects.filter(space=space, user=leaver).delete()
    with django_capture_on_commit_callbacks(execute=True):
        for callback in deferred:
            callback()
        # A member flags the resource: it waits in the flagged-posts review queue.
        flagger = UserFactory(username="flagger")
        add_member(space, flagger)
        curation_services.resource_flag(
            resource=resource, user=flagger, reason="broken", note="The link moved"
        )
    question_index_rebuild()
    today = timezone.localdate()
    rollup_range(today, today)
    refresh_question_outcomes()
    return {
        "space": space,
        "default_space": default_space,
        "member": member,
        "leaver": leaver,
        "outsider": outsider,
        "secret_q": secret_q,
        "secret_a": secret_a,
        "video": video,
        "resource": resource,
        "collection": collection,
        "delivered": delivered,
        "mail_before_removal": mail_before_removal,
        "public_q": public_q,
        "colleague": colleague,
    }


def _client(world, who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(world[who])
    return client


def _get_all(client: Client, urls: list[str], **extra) -> str:
    return "\n".join(client.get(url, **extra).content.decode() for url in urls)


@channel("question", "answer", "comment", "video", "resource", "collection")
def pages(world, who: str) -> str:
    q, a = world["secret_q"], world["secret_a"]
    urls = [
        reverse("qa:home"),
        reverse("qa:question_list"),
        reverse("qa:question_detail", args=[q.pk]),
        reverse("qa:question_detail", args=[a.pk]),
        reverse("qa:revisions", args=[q.pk]),
        reverse("qa:tag_detail", args=["reporting"]),
        reverse("qa:user_detail", args=[world["member"].pk]),
        reverse("qa:user_detail", args=[world["leaver"].pk]),
        reverse("spaces:list"),
        reverse("spaces:detail", args=[world["space"].slug]),
        reverse("videos:list"),
        reverse("videos:detail", args=[world["video"].pk]),
        reverse("videos:maker", args=[world["member"].pk]),
        reverse("curation:resource_list"),
        reverse("curation:resource_detail", args=[world["resource"].pk]),
        reverse("curation:collection_list"),
        reverse("curation:collection_detail", args=[world["collection"].pk]),
        reverse("reputation:detail", args=[world["leaver"].pk]),
        reverse("reputation:detail", args=[world["member"].pk]),
        reverse("reputation:badges"),
        reverse("moderation:audit_log"),
        reverse("moderation:review_index"),
        reverse("feed:related", args=[world["public_q"].pk]),
    ]
    return _get_all(_client(world, who), urls, follow=True)


@channel("question", "answer", "comment", "resource")
def api(world, who: str) -> str:
    q, a = world["secret_q"], world["secret_a"]
    headers = {}
    if who != "anonymous":
        _, raw = api_token_create(user=world[who], name="matrix")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    urls = [
        "/api/v1/questions",
        f"/api/v1/questions/{q.pk}",
        f"/api/v1/questions/{q.pk}/answers",
        f"/api/v1/answers/{a.pk}",
        f"/api/v1/posts/{q.pk}/comments",
        f"/api/v1/posts/{q.pk}/revisions",
        "/api/v1/tags",
        "/api/v1/spaces",
        f"/api/v1/users/{world['leaver'].pk}",
        f"/api/v1/users/{world['member'].pk}/reputation",
        "/api/v1/audit",
        "/api/v1/search?q=checklist",
        "/api/v1/search?q=room",
        "/api/v1/search?q=launches",
    ]
    return _get_all(Client(), urls, **headers)


@channel("question", "answer", "resource")
def search(world, who: str) -> str:
    client = _client(world, who)
    words = ("checklist", "room", "cover", "launches")
    return _get_all(
        client,
        # The words searched for are not markers: a page that echoes the query leaks nothing.
        [f"{reverse('search:search')}?q={word}" for word in words],
    )


@channel("resource")
def review_queue(world, who: str) -> str:
    """The flagged resource waits for review. Everyone here is given the review privilege, so
    that only space visibility stands between an outsider and the task; the member's view is
    a fellow member's (the member added the resource, and nobody reviews their own)."""
    if who == "anonymous":
        client = _client(world, who)
    else:
        person = world["colleague"] if who == "member" else world[who]
        type(person).objects.filter(pk=person.pk).update(reputation=5000)
        client = Client()
        client.force_login(person)
    urls = [
        reverse("moderation:review_index"),
        reverse("moderation:review_queue", args=["flagged"]),
        "/api/v1/review/queues",
        "/api/v1/review/queues/flagged",
        "/api/v1/flags/mine",
    ]
    return _get_all(client, urls, follow=True)


@channel("question")
def feed(world, who: str) -> str:
    if who == "anonymous":
        return _get_all(_client(world, who), [reverse("feed:home")])
    return _get_all(_client(world, who), [reverse("feed:home"), reverse("feed:answerable")])


@channel("collection")
def followed_collections(world, who: str) -> str:
    """What a person follows: the page, the button and the API (the curator follows their own)."""
    pk = world["collection"].pk
    pages = _get_all(
        _client(world, who),
        [reverse("feed:following"), reverse("feed:collection_follow", args=[pk])],
        follow=True,
    )
    headers = {}
    if who != "anonymous":
        _, raw = api_token_create(user=world[who], name="matrix")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    urls = ["/api/v1/users/me/followed-collections", f"/api/v1/collections/{pk}/follow"]
    return pages + _get_all(Client(), urls, **headers)


@channel("question")
def similar_questions(world, who: str) -> str:
    title = "What should a pilot launch checklist cover?"
    return _get_all(
        _client(world, who),
        [
            f"{reverse('feed:similar')}?title={title}",
            f"/api/v1/questions/similar?title={title}",
        ],
    )


@channel("question", "answer", "comment")
def notifications(world, who: str) -> str:
    if who == "anonymous":
        return ""
    person = world[who]
    stored = " ".join(
        f"{n.title} {n.text}"
        for n in Notification.objects.filter(recipient=person, space=world["space"])
    )
    page = _get_all(_client(world, who), [reverse("feed:notifications")])
    # A leaver's rows may remain (they were a member then) but are never shown or sent.
    return page if who == "leaver" else stored + page


@channel("question", "answer")
def immediate_email(world, who: str) -> str:
    if who == "anonymous":
        return ""
    address = world[who].email
    # The leaver was emailed about the question while still a member; only later mail counts.
    sent = mail.outbox[world["mail_before_removal"] :] if who == "leaver" else mail.outbox
    return "\n".join(
        f"{m.subject}\n{m.body}\n{m.alternatives[0][0] if m.alternatives else ''}"
        for m in sent
        if address in m.to
    )


@channel("question", "comment")
def digest_email(world, who: str) -> str:
    if who == "anonymous":
        return ""
    mail.outbox.clear()
    feed_services.digests_send(period=EmailChoice.DAILY)
    address = world[who].email
    return "\n".join(
        f"{m.subject}\n{m.body}\n{m.alternatives[0][0] if m.alternatives else ''}"
        for m in mail.outbox
        if address in m.to
    )


@channel("question", "answer")
def webhooks(world, who: str) -> str:
    """A space's chat room is its members' channel; the organisation's room is everyone's."""
    room = "private-room" if who == "member" else "everyone-room"
    return "\n".join(body for url, body in world["delivered"] if room in url)


@channel("question", "video", "resource", "collection")
def export(world, who: str) -> str:
    if who == "anonymous":
        return ""
    response = _client(world, who).post(reverse("privacy:my_data_export"))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return "\n".join(archive.read(name).decode(errors="replace") for name in archive.namelist())


@channel("question")
def analytics_datasets(world, who: str) -> str:
    if who == "anonymous":
        return ""
    client = _client(world, who)
    names = ["gap_questions", "knowledge_gaps", "unanswered_by_tag", "zero_result_searches"]
    urls = [reverse("analytics:dataset", args=[n, "json"]) for n in names]
    urls += [reverse("analytics:dataset", args=[n, "csv"]) for n in names]
    urls += [f"/api/v1/analytics/{n}" for n in names]
    urls.append(reverse("analytics:dashboard"))
    return _get_all(client, urls)


def _found(text: str) -> set[str]:
    return {marker for marker in MARKERS.values() if marker in text}


@pytest.mark.parametrize("name", sorted(CHANNELS))
def test_a_member_sees_the_private_content_in_each_channel(world, name):
    """The positive control: without it, a channel that shows nothing would pass below."""
    seen = _found(READERS[name](world, "member"))
    assert CHANNELS[name] <= seen, f"{name} did not show a member {CHANNELS[name] - seen}"


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("name", sorted(CHANNELS))
def test_no_channel_carries_private_content_to_a_non_member(world, name, who):
    leaked = _found(READERS[name](world, who))
    assert not leaked, f"{name} showed {who} {leaked}"


def test_private_detail_pages_and_endpoints_are_not_found_for_non_members(world):
    q = world["secret_q"]
    urls = [
        reverse("qa:question_detail_slug", args=[q.pk, q.slug]),
        reverse("videos:detail", args=[world["video"].pk]),
        reverse("curation:resource_detail", args=[world["resource"].pk]),
        reverse("curation:collection_detail", args=[world["collection"].pk]),
        reverse("spaces:detail", args=[world["space"].slug]),
        reverse("feed:collection_follow", args=[world["collection"].pk]),
        f"/api/v1/questions/{q.pk}",
    ]
    for who in ("outsider", "leaver"):
        client = _client(world, who)
        for url in urls:
            assert client.get(url).status_code == 404, (who, url)
    member = _client(world, "member")
    for url in urls:
        assert member.get(url).status_code == 200, url


def test_there_is_no_sitemap_or_rss(client, db):
    for url in ("/sitemap.xml", "/feed.xml", "/rss/", "/questions/feed/"):
        assert client.get(url).status_code == 404
