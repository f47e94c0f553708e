"""Notifications: who hears about answers and comments, email at once and in digests,
preferences, one-click unsubscribe, and private-space content never leaking."""

import pytest
from django.core import mail
from django.urls import reverse

from knowhow.core.errors import NotFound, ValidationFailed
from knowhow.core.tests.factories import QuestionFactory, SpaceFactory, UserFactory, add_member
from knowhow.feed import selectors, services
from knowhow.feed.models import Notification, NotificationKind
from knowhow.qa.services import answer_post, comment_add


@pytest.fixture
def asker(db):
    return UserFactory(username="asker")


@pytest.fixture
def q(asker, default_space):
    return QuestionFactory(author=asker, space=default_space)


def test_an_answer_notifies_the_asker_as_a_direct_reply_and_emails_at_once(run_on_commit, q, asker):
    answerer = UserFactory()
    run_on_commit(
        answer_post, author=answerer, question=q, body="Use the export button, top right."
    )
    note = Notification.objects.get(recipient=asker)
    assert note.kind == NotificationKind.REPLY
    assert note.actor == answerer
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [asker.email]
    assert "New answer to" in message.subject
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/feed/unsubscribe/" in message.extra_headers["List-Unsubscribe"]


def test_followers_get_an_answer_notification_for_the_digest(run_on_commit, q, asker):
    follower = UserFactory()
    services.question_follow(user=follower, question=q)
    run_on_commit(answer_post, author=UserFactory(), question=q, body="Another answer right here.")
    note = Notification.objects.get(recipient=follower)
    assert note.kind == NotificationKind.ANSWER
    assert [m.to for m in mail.outbox] == [[asker.email]]  # the follower waits for the digest


def test_the_author_of_an_event_is_not_notified(run_on_commit, q, asker):
    run_on_commit(comment_add, post=q, author=asker, body="Adding some detail here")
    assert not Notification.objects.filter(recipient=asker).exists()


def test_a_comment_notifies_the_post_author_and_mentions(run_on_commit, q, asker):
    mentioned = UserFactory(username="carol")
    commenter = UserFactory()
    run_on_commit(comment_add, post=q, author=commenter, body="@carol knows this, see also @nobody")
    assert Notification.objects.get(recipient=asker).kind == NotificationKind.REPLY
    assert Notification.objects.get(recipient=mentioned).kind == NotificationKind.MENTION
    assert sorted(m.to[0] for m in mail.outbox) == sorted([asker.email, mentioned.email])


def test_mentioning_someone_outside_a_private_space_tells_them_nothing(
    run_on_commit, private_space
):
    outsider = UserFactory(username="outsider")
    member = UserFactory()
    add_member(private_space, member)
    question = QuestionFactory(
        author=member, space=private_space, body="Ask @outsider about the secret budget"
    )
    run_on_commit(comment_add, post=question, author=member, body="ping @outsider please")
    assert not Notification.objects.filter(recipient=outsider).exists()
    assert all(outsider.email not in m.to for m in mail.outbox)


def test_a_person_removed_from_a_space_stops_seeing_its_notifications(run_on_commit, private_space):
    asker, answerer = UserFactory(), UserFactory()
    add_member(private_space, asker)
    add_member(private_space, answerer)
    question = QuestionFactory(author=asker, space=private_space)
    services.preference_set(user=asker, kind=NotificationKind.REPLY, email="daily")
    run_on_commit(answer_post, author=answerer, question=question, body="The private answer text.")
    assert selectors.unread_count(user=asker) == 1
    private_space.memberships.filter(user=asker).delete()
    assert selectors.unread_count(user=asker) == 0
    assert list(selectors.notifications_for(user=asker)) == []
    assert services.digest_send(user=asker, period="daily") == 0
    assert mail.outbox == []


def test_mark_read_one_or_all(run_on_commit, q, asker):
    run_on_commit(answer_post, author=UserFactory(), question=q, body="First answer body text.")
    run_on_commit(comment_add, post=q, author=UserFactory(), body="A comment on it")
    first, second = Notification.objects.filter(recipient=asker)
    services.notifications_mark_read(user=asker, ids=[first.pk])
    assert selectors.unread_count(user=asker) == 1
    services.notifications_mark_read(user=UserFactory(), ids=[second.pk])  # not theirs: no effect
    assert selectors.unread_count(user=asker) == 1
    services.notifications_mark_read(user=asker)
    assert selectors.unread_count(user=asker) == 0


def test_daily_digest_collects_the_rest_once(run_on_commit, q, asker):
    follower, answerer = UserFactory(), UserFactory()
    services.question_follow(user=follower, question=q)
    run_on_commit(answer_post, author=answerer, question=q, body="An answer for the digest.")
    run_on_commit(comment_add, post=q, author=UserFactory(), body="And a comment too")
    mail.outbox.clear()
    # The follower has the answer and the comment; the answerer now follows and has the comment.
    assert services.digests_send(period="daily") == 2
    digest = next(m for m in mail.outbox if m.to == [follower.email])
    assert "daily" in digest.subject and "2 updates" in digest.subject
    html = digest.alternatives[0][0]
    assert "New answer to" in html and "New comment on" in html
    assert services.digests_send(period="daily") == 0  # never twice


def test_weekly_preference_moves_items_to_the_weekly_digest(run_on_commit, q):
    follower = UserFactory()
    services.question_follow(user=follower, question=q)
    services.preference_set(user=follower, kind=NotificationKind.ANSWER, email="weekly")
    run_on_commit(answer_post, author=UserFactory(), question=q, body="An answer for the week.")
    mail.outbox.clear()
    assert services.digests_send(period="daily") == 0
    assert services.digests_send(period="weekly") == 1


def test_the_send_digests_command(run_on_commit, q):
    from django.core.management import call_command

    follower = UserFactory()
    services.question_follow(user=follower, question=q)
    run_on_commit(answer_post, author=UserFactory(), question=q, body="An answer for the command.")
    mail.outbox.clear()
    call_command("send_digests", "--period", "daily")
    assert [m.to for m in mail.outbox] == [[follower.email]]


def test_preferences_refuse_unknown_values(user):
    with pytest.raises(ValidationFailed):
        services.preference_set(user=user, kind="answer", email="hourly")
    with pytest.raises(ValidationFailed):
        services.preference_set(user=user, kind="gossip", email="daily")


def test_one_click_unsubscribe_turns_email_off(client, run_on_commit, q, asker):
    token = services.unsubscribe_token(user=asker, kind=NotificationKind.REPLY)
    page = client.get(reverse("feed:unsubscribe", args=[token]))
    assert page.status_code == 200 and b"Stop these emails" in page.content
    response = client.post(reverse("feed:unsubscribe", args=[token]))  # no CSRF, no login
    assert response.status_code == 200
    assert services.email_choice(asker, NotificationKind.REPLY) == "none"
    run_on_commit(answer_post, author=UserFactory(), question=q, body="You will not be emailed.")
    assert mail.outbox == []
    assert selectors.unread_count(user=asker) == 1  # still in the app


def test_a_forged_unsubscribe_token_is_refused(client, user):
    token = services.unsubscribe_token(user=user)
    assert client.post(reverse("feed:unsubscribe", args=[token[:-3] + "abc"])).status_code == 404
    with pytest.raises(NotFound):
        services.unsubscribe_read("garbage")


def test_notification_pages(client, run_on_commit, q, asker):
    run_on_commit(answer_post, author=UserFactory(), question=q, body="Answer shown on the page.")
    client.force_login(asker)
    page = client.get(reverse("feed:notifications"))
    assert b"New answer to" in page.content
    count = client.get(reverse("feed:notification_count"))
    assert b"1 unread" in count.content
    response = client.post(reverse("feed:notifications_read"), HTTP_HX_REQUEST="true")
    assert b"0 unread" in response.content
    assert client.post(reverse("feed:notifications_read"), {"id": "x"}).status_code == 400
    settings_page = client.post(
        reverse("feed:preferences"), {k: "weekly" for k in NotificationKind.values}
    )
    assert settings_page.status_code == 302
    bad = client.post(reverse("feed:preferences"), {"answer": "hourly"})
    assert bad.status_code == 400


def test_following_a_private_question_needs_membership(client, private_space, user):
    question = QuestionFactory(space=private_space)
    with pytest.raises(NotFound):
        services.question_follow(user=user, question=question)
    client.force_login(user)
    assert client.post(reverse("feed:question_follow", args=[question.pk])).status_code == 404


def test_the_notification_list_is_a_fixed_number_of_queries(
    run_on_commit, q, asker, django_assert_num_queries
):
    for i in range(5):
        run_on_commit(
            answer_post, author=UserFactory(), question=q, body=f"Answer number {i} here."
        )
    with django_assert_num_queries(1):
        rows = list(selectors.notifications_for(user=asker))
        assert all(r.actor.name for r in rows)
    assert SpaceFactory  # factories import kept for readers
