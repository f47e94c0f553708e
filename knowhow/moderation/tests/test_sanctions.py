"""Warn, silence and suspend differ (Stack Overflow's suspension, Discourse's silence): what each
refuses on the pages and in the API, the banner on every page, the one appeal, and expiry."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from knowhow.accounts.models import User
from knowhow.accounts.services import api_token_create
from knowhow.core.errors import PermissionRefused, ValidationFailed
from knowhow.core.tests.factories import AnswerFactory, QuestionFactory, UserFactory
from knowhow.moderation import selectors, services
from knowhow.moderation.models import ReviewQueue, ReviewTask, Sanction
from knowhow.qa import services as qa
from knowhow.qa.models import Tag

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
REASON = "Repeated personal attacks in comments."


def sanctioned(staff, kind: str, days: int | None = 3, person=None):
    person = person or UserFactory(reputation=1000)
    sanction = services.sanction_apply(user=person, by=staff, kind=kind, reason=REASON, days=days)
    return person, sanction


def expire(sanction) -> None:
    Sanction.objects.filter(pk=sanction.pk).update(
        ends_at=timezone.now() - datetime.timedelta(seconds=1),
        created_at=timezone.now() - datetime.timedelta(days=30),
    )


def refused_everything_silence_refuses(person, question) -> None:
    answer = AnswerFactory(question=question)
    own = QuestionFactory(author=UserFactory(reputation=1000))
    Tag.objects.get_or_create(name="reporting")
    for attempt in (
        lambda: QuestionFactory(author=person),
        lambda: AnswerFactory(question=question, author=person),
        lambda: qa.comment_add(post=question, author=person, body="Let me speak!"),
        lambda: qa.vote_cast(post=answer, user=person, value=1),
        lambda: services.flag_create(flagger=person, post=answer, reason="spam"),
        lambda: qa.post_edit(post=own, by=person, body=own.body + " more"),
        lambda: services.close_vote_cast(post=own, user=person, reason="off_topic"),
    ):
        with pytest.raises(PermissionRefused, match=REASON):
            attempt()


def test_a_silenced_person_reads_and_uses_their_account_but_does_not_post(client, question, staff):
    person, _ = sanctioned(staff, "silence")
    refused_everything_silence_refuses(person, question)
    client.force_login(person)
    assert client.get(question.get_absolute_url()).status_code == 200
    # Account and reading features stay: following a tag, editing the profile.
    response = client.post(reverse("qa:tag_follow", args=["reporting"]))
    assert response.status_code == 302
    response = client.post(reverse("accounts:profile"), {"display_name": "Quiet now"})
    assert response.status_code in (200, 302)
    # Not shown publicly as a suspension.
    page = client.get(reverse("qa:user_detail", args=[person.pk])).content.decode()
    assert "data-suspended" not in page


def test_a_suspended_person_may_write_nothing_anywhere_but_may_read_and_appeal(
    client, question, staff
):
    person, sanction = sanctioned(staff, "suspend", days=7)
    refused_everything_silence_refuses(person, question)
    client.force_login(person)
    assert client.get(question.get_absolute_url()).status_code == 200
    for url, data in [
        (reverse("qa:tag_follow", args=["reporting"]), {}),
        (reverse("accounts:profile"), {"display_name": "Still here"}),
        (reverse("accounts:tokens"), {"name": "script"}),
        (reverse("reputation:bounty_offer", args=[question.pk]), {"amount": "50"}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert "suspended" in response.content.decode()
    # What a suspended person still needs: the appeal (once), and logging out.
    response = client.post(
        reverse("moderation:appeal", args=[sanction.pk]), {"text": "I was hacked, truly sorry."}
    )
    assert response.status_code == 302
    assert Sanction.objects.get(pk=sanction.pk).appeal_status == "pending"
    response = client.post(
        reverse("moderation:appeal", args=[sanction.pk]), {"text": "Please, once more, please."}
    )
    assert response.status_code == 400
    # Reading stays reading: marking notifications read is not refused.
    assert client.post(reverse("feed:notifications_read")).status_code != 403
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_the_profile_shows_a_suspension_to_everyone(client, staff):
    person, sanction = sanctioned(staff, "suspend", days=7)
    page = client.get(reverse("qa:user_detail", args=[person.pk])).content.decode()
    assert "Suspended until" in page and f"{sanction.ends_at:%Y-%m-%d %H:%M}" in page
    expire(sanction)
    page = client.get(reverse("qa:user_detail", args=[person.pk])).content.decode()
    assert "Suspended until" not in page


def test_logging_in_shows_the_suspension_with_its_reason_end_and_appeal(client, staff):
    person, sanction = sanctioned(staff, "suspend", days=7)
    response = client.post(
        reverse("accounts:login"),
        {"username": person.username, "password": PASSWORD},
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200 and "data-sanction-banner" in page
    assert "Your account is suspended" in page and REASON in page
    assert f"{sanction.ends_at:%Y-%m-%d %H:%M}" in page
    assert f"{reverse('moderation:my_record')}#sanction-{sanction.pk}" in page


@pytest.mark.parametrize("kind", ["warn", "silence", "suspend"])
def test_every_page_carries_the_banner_until_the_sanction_ends(client, question, staff, kind):
    person, sanction = sanctioned(staff, kind, days=None if kind == "warn" else 2)
    client.force_login(person)
    for url in [
        reverse("qa:question_list"),
        question.get_absolute_url(),
        reverse("qa:tag_list"),
        reverse("reputation:privileges"),
        reverse("moderation:my_record"),
    ]:
        page = client.get(url).content.decode()
        assert "data-sanction-banner" in page and REASON in page, url
        assert "Appeal (you can appeal once)" in page
    services.sanction_appeal(sanction=sanction, by=person, text="Please look at it again.")
    page = client.get(reverse("qa:question_list")).content.decode()
    assert "Your appeal is with the moderators." in page and "Appeal (you can" not in page
    services.sanction_decide_appeal(sanction=sanction, by=staff, grant=False)
    page = client.get(reverse("qa:question_list")).content.decode()
    assert "Appeal refused." in page
    expire(sanction)
    page = client.get(reverse("qa:question_list")).content.decode()
    assert "data-sanction-banner" not in page


def test_a_warning_restricts_nothing(question, staff):
    person, _ = sanctioned(staff, "warn", days=None)
    assert selectors.active_restriction(user=person) is None
    QuestionFactory(author=person)
    qa.vote_cast(post=question, user=person, value=1)


def test_no_banner_query_for_people_without_a_sanction(client, question, django_assert_num_queries):
    """The banner costs nothing unless the person's row says a sanction may be in force."""
    person = UserFactory()
    client.force_login(person)
    client.get(reverse("reputation:privileges"))
    with django_assert_num_queries(1):  # the user
        client.get(reverse("reputation:privileges"))


def test_lifting_and_granting_an_appeal_end_a_sanction_at_once(client, question, staff):
    person, sanction = sanctioned(staff, "suspend", days=30)
    client.force_login(staff)
    assert client.post(reverse("moderation:sanction_lift", args=[sanction.pk])).status_code == 302
    person.refresh_from_db()
    assert person.sanctioned_until is None
    QuestionFactory(author=person)
    with pytest.raises(ValidationFailed, match="already been lifted"):
        services.sanction_lift(sanction=sanction, by=staff)
    with pytest.raises(PermissionRefused):
        services.sanction_lift(sanction=sanction, by=UserFactory(reputation=100000))
    other, silence = sanctioned(staff, "silence", days=30)
    services.sanction_appeal(sanction=silence, by=other, text="I did not write that comment.")
    services.sanction_decide_appeal(sanction=silence, by=staff, grant=True)
    other.refresh_from_db()
    assert other.sanctioned_until is None
    QuestionFactory(author=other)


def test_a_longer_silence_outlasts_a_shorter_suspension(staff):
    person, suspension = sanctioned(staff, "suspend", days=2)
    sanctioned(staff, "silence", days=10, person=person)
    assert selectors.active_restriction(user=person).kind == "suspend"
    expire(suspension)
    person = User.objects.get(pk=person.pk)
    assert selectors.active_restriction(user=person).kind == "silence"
    assert selectors.active_suspension(user=person) is None


def test_a_silenced_reviewer_cannot_review(question, staff):
    for _ in range(2):
        services.flag_create(flagger=UserFactory(reputation=400), post=question, reason="spam")
    reviewer, _ = sanctioned(staff, "silence", person=UserFactory(reputation=400))
    task = ReviewTask.objects.get(queue=ReviewQueue.FLAGGED, post=question)
    with pytest.raises(PermissionRefused, match=REASON):
        services.review_decide(task=task, reviewer=reviewer, decision="disagree")


# --- API ------------------------------------------------------------------------------------


def test_the_api_refuses_a_suspended_persons_writes_but_serves_reads(client, question, staff):
    person, sanction = sanctioned(staff, "suspend", days=7)
    _, raw = api_token_create(user=person, name="script")
    auth = {"Authorization": f"Bearer {raw}"}
    assert client.get(f"/api/v1/questions/{question.pk}", headers=auth).status_code == 200
    response = client.post(
        f"/api/v1/questions/{question.pk}/answers",
        {"body": "An answer written while suspended, long enough."},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 403
    assert response.json()["code"] == "account_suspended"
    assert REASON in response.json()["detail"]
    # The session too (with its CSRF token).
    client.force_login(person)
    response = client.post(
        f"/api/v1/posts/{question.pk}/flags", {"reason": "spam"}, content_type="application/json"
    )
    assert response.status_code == 403
    # Moderators and the person see the sanctions; others do not; the suspension is public.
    assert client.get(f"/api/v1/users/{person.pk}/sanctions").json()[0]["kind"] == "suspend"
    public = client.get(f"/api/v1/users/{person.pk}/suspension").json()
    assert public["suspended"] is True and public["until"]
    client.force_login(UserFactory())
    assert client.get(f"/api/v1/users/{person.pk}/sanctions").status_code == 403
    assert client.get("/api/v1/users/999999/sanctions").status_code == 404
    client.force_login(staff)
    assert len(client.get(f"/api/v1/users/{person.pk}/sanctions").json()) == 1
    lifted = client.post(f"/api/v1/sanctions/{sanction.pk}/lift")
    assert lifted.status_code == 200 and lifted.json()["lifted_at"]
    assert client.get(f"/api/v1/users/{person.pk}/suspension").json()["suspended"] is False
