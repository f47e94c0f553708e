"""Home feed ranking and reasons, webhooks in Slack and Teams formats, expert routing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from knowhow.core.errors import PermissionRefused, ValidationFailed
from knowhow.core.tests.factories import AnswerFactory, QuestionFactory, UserFactory, add_member
from knowhow.feed import selectors, services
from knowhow.feed.models import ExpertRequest, Notification, NotificationKind, Webhook
from knowhow.qa.models import Post, Tag
from knowhow.qa.services import answer_post, question_ask, tag_follow


def _age(post, days):
    Post.objects.filter(pk=post.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days),
        last_activity_at=timezone.now() - datetime.timedelta(days=days),
    )


def test_followed_tags_rank_first_and_say_why(user, default_space):
    plain = QuestionFactory(title="A question about nothing special", tags=["misc"])
    followed = QuestionFactory(title="How do I pivot a table in Excel?", tags=["excel"])
    _age(followed, 2)  # older, but relevant
    tag_follow(user=user, tag=Tag.objects.get(name="excel"))
    page = selectors.home_feed(viewer=user)
    assert [e.obj for e in page.entries][:2] == [followed, plain]
    assert page.entries[0].reasons == ["You follow #excel"]
    assert page.entries[1].reasons == ["Recent activity"]


def test_department_and_expertise_are_reasons(default_space):
    viewer = UserFactory(department="Finance")
    colleague = UserFactory(department="finance")
    mine = QuestionFactory(
        author=colleague, title="Month-end closing checklist please", tags=["closing"]
    )
    AnswerFactory(question=QuestionFactory(tags=["vat"]), author=viewer)
    vat = QuestionFactory(title="Which VAT rate applies to training?", tags=["vat"])
    reasons = {e.obj.pk: e.reasons for e in selectors.home_feed(viewer=viewer).entries}
    assert "From your department (finance)" in reasons[mine.pk]
    assert "You answer questions in #vat" in reasons[vat.pk]


def test_private_questions_never_reach_non_members(user, private_space):
    member = UserFactory()
    add_member(private_space, member)
    secret = QuestionFactory(author=member, space=private_space, title="Secret reorganisation plan")
    assert secret not in [e.obj for e in selectors.home_feed(viewer=user).entries]
    assert secret in [e.obj for e in selectors.home_feed(viewer=member).entries]


def test_curated_resources_appear_as_picks(user, default_space):
    from knowhow.curation.services import resource_add

    curator = UserFactory(reputation=1000)
    resource = resource_add(
        by=curator, space=default_space, url="https://example.com/x", fetch=False
    )
    entries = selectors.home_feed(viewer=user).entries
    assert [e.reasons for e in entries if e.obj == resource] == [["Curated pick"]]


def test_the_feed_pages_with_htmx(client, user, default_space):
    author = UserFactory()
    for i in range(25):
        question_ask(
            author=author,
            space=default_space,
            title=f"Question number {i:02d} on reports",
            body="Body text long enough here.",
            tags=["reports"],
        )
    client.force_login(user)
    first = client.get(reverse("feed:home"))
    assert first.content.count(b"feed-entry") == 20
    assert b'hx-get="/feed/?page=2"' in first.content
    second = client.get(reverse("feed:home") + "?page=2", HTTP_HX_REQUEST="true")
    assert second.content.count(b"feed-entry") == 5
    assert b"<html" not in second.content
    assert client.get(reverse("feed:home") + "?page=abc").status_code == 200


def test_the_feed_is_a_fixed_number_of_queries(user, default_space, django_assert_num_queries):
    for i in range(10):
        QuestionFactory(title=f"Question number {i} about budgets", tags=["a", "b"])
    # questions, their tags, resources, videos, collection updates, followed tags, answered
    # tags, follows, routed (no resources or videos here, so no tag queries for them)
    with django_assert_num_queries(9):
        entries = selectors.home_feed(viewer=user).entries
        assert len(entries) == 10


# --- webhooks -------------------------------------------------------------------------------


@pytest.fixture
def moderator(private_space):
    user = UserFactory()
    add_member(private_space, user, role="moderator")
    return user


@pytest.mark.parametrize("fmt", ["slack", "teams"])
def test_new_questions_are_posted_to_the_space_webhook(
    hooks, moderator, private_space, fmt, run_on_commit
):
    services.webhook_create(by=moderator, space=private_space, url=f"{hooks.base}/hook", format=fmt)
    run_on_commit(
        question_ask,
        author=moderator,
        space=private_space,
        title="Where is the travel policy?",
        body="I cannot find the current travel policy document.",
        tags=["travel"],
    )
    ((path, content_type, payload),) = hooks.received
    assert (path, content_type) == ("/hook", "application/json")
    if fmt == "slack":
        assert payload["text"].startswith("New question: Where is the travel policy?")
        assert payload["blocks"][0]["text"]["type"] == "mrkdwn"
    else:
        card = payload["attachments"][0]
        assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
        assert card["content"]["body"][0]["text"] == "New question: Where is the travel policy?"
        assert card["content"]["actions"][0]["url"].startswith("http")
    assert Webhook.objects.get().last_status.startswith("HTTP 200")


def test_content_goes_only_to_its_own_space_webhooks(
    hooks, moderator, private_space, default_space, run_on_commit, staff
):
    services.webhook_create(
        by=moderator, space=private_space, url=f"{hooks.base}/private", format="slack"
    )
    services.webhook_create(
        by=staff, space=default_space, url=f"{hooks.base}/public", format="slack"
    )
    run_on_commit(
        question_ask,
        author=moderator,
        space=private_space,
        title="Secret question for members",
        body="Only members may read this text.",
        tags=["secret"],
    )
    assert [path for path, _, _ in hooks.received] == ["/private"]


def test_a_failing_webhook_records_the_error(hooks, moderator, private_space):
    hook = services.webhook_create(
        by=moderator, space=private_space, url=f"{hooks.base}/fail", format="slack"
    )
    assert not services.webhook_deliver(webhook=hook, title="t", text="x", url="http://x/")
    hook.refresh_from_db()
    assert "500" in hook.last_status


def test_a_webhook_to_an_internal_address_is_never_called(moderator, private_space, settings):
    settings.DEBUG = True  # allow http for this check
    hook = services.webhook_create(
        by=moderator, space=private_space, url="http://169.254.169.254/x", format="teams"
    )
    assert not services.webhook_deliver(webhook=hook, title="t", text="x", url="http://x/")
    hook.refresh_from_db()
    assert "private or reserved" in hook.last_status


def test_only_moderators_add_webhooks(private_space, user):
    add_member(private_space, user)
    with pytest.raises(PermissionRefused):
        services.webhook_create(
            by=user, space=private_space, url="https://hooks.example.com/x", format="slack"
        )


def test_webhooks_need_a_known_format_and_https(moderator, private_space):
    with pytest.raises(ValidationFailed):
        services.webhook_create(
            by=moderator, space=private_space, url="https://h.example.com/", format="irc"
        )
    with pytest.raises(ValidationFailed):
        services.webhook_create(
            by=moderator, space=private_space, url="http://h.example.com/", format="slack"
        )


def test_the_webhook_page(client, moderator, private_space, user):
    client.force_login(moderator)
    url = reverse("feed:webhooks", args=[private_space.slug])
    assert client.get(url).status_code == 200
    assert (
        client.post(url, {"url": "https://hooks.example.com/a", "format": "teams"}).status_code
        == 302
    )
    assert client.post(url, {"url": "nope", "format": "teams"}).status_code == 400
    client.force_login(user)
    assert client.get(url).status_code == 404  # not a member: the space is invisible


# --- expert routing -------------------------------------------------------------------------


def _expert(tag, score, *, days_ago=1):
    expert = UserFactory()
    question = QuestionFactory(tags=[tag], title=f"Earlier question on {tag} number {score}")
    answer = AnswerFactory(question=question, author=expert)
    Post.objects.filter(pk=answer.pk).update(
        score=score, created_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return expert


def test_a_new_question_is_routed_to_the_top_recent_experts(run_on_commit, default_space, settings):
    best, good, third, fourth = (_expert("sql", s) for s in (50, 20, 10, 5))
    stale = _expert("sql", 100, days_ago=90)
    Post.objects.filter(author=stale).update(
        created_at=timezone.now() - datetime.timedelta(days=90)
    )
    asker = UserFactory()
    question = run_on_commit(
        question_ask,
        author=asker,
        space=default_space,
        title="Why is my SQL join so slow?",
        body="The join on two big tables takes minutes.",
        tags=["sql"],
    )
    routed = set(ExpertRequest.objects.filter(question=question).values_list("user_id", flat=True))
    assert routed == {best.pk, good.pk, third.pk}
    assert Notification.objects.filter(kind=NotificationKind.EXPERT, recipient=best).exists()
    assert question in selectors.questions_you_can_answer(user=best)


def test_routing_respects_the_weekly_cap(default_space, settings):
    settings.FEED_EXPERT_WEEKLY_CAP = 2
    expert = _expert("python", 30)
    for i in range(3):
        q = QuestionFactory(tags=["python"], title=f"Python question number {i} here")
        services.route_question(question=q)
    assert ExpertRequest.objects.filter(user=expert).count() == 2


def test_routing_never_leaks_private_questions(private_space):
    expert = _expert("hr", 40)
    member = UserFactory()
    add_member(private_space, member)
    secret = QuestionFactory(
        author=member, space=private_space, tags=["hr"], title="A private HR question"
    )
    assert services.route_question(question=secret) == []
    assert not Notification.objects.filter(recipient=expert).exists()


def test_questions_you_can_answer_page(client, default_space):
    expert = _expert("excel", 10)
    open_q = QuestionFactory(tags=["excel"], title="Open question about Excel charts")
    answered = QuestionFactory(tags=["excel"], title="Answered question about Excel")
    answer_post(author=UserFactory(), question=answered, body="Here is the answer text.")
    client.force_login(expert)
    page = client.get(reverse("feed:answerable"))
    assert open_q.title.encode() in page.content
    assert answered.title.encode() not in page.content


# --- videos and collection updates -----------------------------------------------------------


def _video(space, title, tags=(), uploader=None, days=0):
    from knowhow.videos.models import Video

    when = timezone.now() - datetime.timedelta(days=days)
    video = Video.objects.create(
        space=space, title=title, uploader=uploader, status=Video.Status.READY, published_at=when
    )
    for name in tags:
        video.tags.add(Tag.objects.get_or_create(name=name)[0])
    return video


def test_new_videos_are_in_the_feed_with_their_reasons(user, default_space, private_space):
    tag_follow(user=user, tag=Tag.objects.get_or_create(name="excel")[0])
    shown = _video(default_space, "Pivot tables in five minutes", tags=["excel"])
    _video(default_space, "An old video", days=90)
    _video(private_space, "Secret roadmap walkthrough")
    from knowhow.videos.models import Video

    Video.objects.create(space=default_space, title="Still processing", status="processing")
    entries = [e for e in selectors.home_feed(viewer=user).entries if e.kind == "video"]
    assert [e.obj for e in entries] == [shown]
    assert entries[0].reasons == ["You follow #excel", "New video"]


def test_new_items_in_an_enrolled_path_are_a_collection_update(user, default_space, question):
    from knowhow.curation import services as curation

    curator = UserFactory(reputation=500)
    path = curation.collection_create(
        by=curator, space=default_space, title="Analyst onboarding", is_path=True
    )
    curation.path_enrol(collection=path, user=user)
    curation.collection_item_add(collection=path, by=curator, target=question)
    curation.collection_item_add(
        collection=path, by=curator, target=QuestionFactory(title="Second item for the path")
    )
    entries = [e for e in selectors.home_feed(viewer=user).entries if e.kind == "collection"]
    assert [e.obj for e in entries] == [path]
    assert entries[0].reasons == ["2 new items in Analyst onboarding, a path you are enrolled in"]
    outsider = UserFactory()
    assert not [e for e in selectors.home_feed(viewer=outsider).entries if e.kind == "collection"]


def test_collection_updates_from_a_space_you_left_are_not_shown(user, private_space):
    from knowhow.curation import services as curation
    from knowhow.spaces.models import SpaceMembership

    curator = UserFactory(reputation=500)
    add_member(private_space, curator)
    add_member(private_space, user)
    path = curation.collection_create(by=curator, space=private_space, title="Secret", is_path=True)
    curation.path_enrol(collection=path, user=user)
    curation.collection_item_add(
        collection=path, by=curator, target=QuestionFactory(author=curator, space=private_space)
    )
    assert [e.kind for e in selectors.home_feed(viewer=user).entries].count("collection") == 1
    SpaceMembership.objects.filter(space=private_space, user=user).delete()
    assert "collection" not in [e.kind for e in selectors.home_feed(viewer=user).entries]


def test_the_home_page_shows_videos_and_collection_updates(client, user, default_space):
    from knowhow.curation import services as curation

    _video(default_space, "Pivot tables in five minutes")
    curator = UserFactory(reputation=500)
    path = curation.collection_create(
        by=curator, space=default_space, title="Onboarding", is_path=True
    )
    curation.path_enrol(collection=path, user=user)
    curation.collection_item_add(collection=path, by=curator, target=QuestionFactory())
    client.force_login(user)
    page = client.get(reverse("feed:home"))
    assert b"Pivot tables in five minutes" in page.content
    assert b"path update" in page.content and b"a path you are enrolled in" in page.content
