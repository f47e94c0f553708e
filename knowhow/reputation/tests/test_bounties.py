"""Bounties, as on Stack Overflow: offer, award, expiry with the half-to-the-best-answer rule,
refund on deletion; every refusal; pages and API."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from knowhow.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from knowhow.core.tests.factories import AnswerFactory, QuestionFactory, UserFactory
from knowhow.moderation import services as moderation
from knowhow.qa import services as qa
from knowhow.qa.models import Post
from knowhow.reputation.bounties import bounties_settle, bounty_award, bounty_offer
from knowhow.reputation.models import Bounty, ReputationEvent, UserTagScore
from knowhow.reputation.services import reputation_rebuild

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def rep(user) -> int:
    user.refresh_from_db(fields=["reputation"])
    return user.reputation


def aged(question, days: float = 3):
    Post.objects.filter(pk=question.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days)
    )
    question.refresh_from_db()
    return question


def shift(bounty, **delta):
    """Move a bounty back in time, as if it had been offered `delta` ago."""
    back = datetime.timedelta(**delta)
    Bounty.objects.filter(pk=bounty.pk).update(
        created_at=bounty.created_at - back,
        ends_at=bounty.ends_at - back,
        grace_ends_at=bounty.grace_ends_at - back,
    )
    bounty.refresh_from_db()
    return bounty


@pytest.fixture
def old_question(question):
    return aged(question)


def test_the_asker_offers_a_bounty_and_pays_at_once(old_question):
    asker = old_question.author
    before = rep(asker)
    bounty = bounty_offer(question=old_question, by=asker, amount=100, reason="Needs a reference")
    assert rep(asker) == before - 100
    assert bounty.status == "open" and bounty.amount == 100
    assert bounty.ends_at - bounty.created_at == 7 * DAY
    assert bounty.grace_ends_at - bounty.ends_at == DAY
    line = ReputationEvent.objects.get(kind="bounty", user=asker)
    assert (line.amount, line.post_id) == (-100, old_question.pk)
    # Spending is not earning: the asker's tag score does not drop.
    assert not UserTagScore.objects.filter(user=asker, score__lt=0).exists()


def test_anyone_with_the_privilege_may_offer_on_someone_elses_question(old_question):
    bounty_offer(question=old_question, by=UserFactory(reputation=200), amount=50)
    with pytest.raises(PermissionRefused, match="75"):
        bounty_offer(question=aged(QuestionFactory()), by=UserFactory(reputation=74), amount=50)


def test_offer_refusals(old_question, private_space):
    asker = old_question.author
    young = QuestionFactory(author=asker)
    with pytest.raises(ValidationFailed, match="2 days old"):
        bounty_offer(question=young, by=asker, amount=50)
    for amount in (0, 40, 75, 550, 1000):
        with pytest.raises(ValidationFailed) as error:
            bounty_offer(question=old_question, by=asker, amount=amount)
        assert error.value.field == "amount"
    with pytest.raises(PermissionRefused, match="more reputation than you can spend"):
        bounty_offer(question=old_question, by=asker, amount=500)
    with pytest.raises(PermissionRefused, match="Log in"):
        from django.contrib.auth.models import AnonymousUser

        bounty_offer(question=old_question, by=AnonymousUser(), amount=50)
    secret = aged(QuestionFactory(space=private_space))
    with pytest.raises(NotFound):
        bounty_offer(question=secret, by=UserFactory(reputation=1000), amount=50)
    bounty_offer(question=old_question, by=asker, amount=50)
    with pytest.raises(Conflict, match="already has an open bounty"):
        bounty_offer(question=old_question, by=UserFactory(reputation=1000), amount=100)
    # An answer is not a question; a closed or deleted question takes no bounty.
    answer = AnswerFactory(question=aged(QuestionFactory()))
    with pytest.raises(ValidationFailed, match="questions"):
        bounty_offer(question=answer, by=UserFactory(reputation=1000), amount=50)
    closed = aged(QuestionFactory())
    Post.objects.filter(pk=closed.pk).update(closed_at=timezone.now(), close_reason="off_topic")
    closed.refresh_from_db()
    with pytest.raises(ValidationFailed, match="closed"):
        bounty_offer(question=closed, by=closed.author, amount=50)
    gone = aged(QuestionFactory())
    qa.post_delete(post=gone, by=gone.author)
    gone.refresh_from_db()
    with pytest.raises(ValidationFailed, match="deleted"):
        bounty_offer(question=gone, by=gone.author, amount=50)


def test_a_further_bounty_by_the_same_person_at_least_doubles(old_question):
    asker = old_question.author
    User = type(asker)
    User.objects.filter(pk=asker.pk).update(reputation=1000)
    asker.refresh_from_db()
    first = bounty_offer(question=old_question, by=asker, amount=100)
    shift(first, days=9)
    bounties_settle()
    with pytest.raises(ValidationFailed, match="at least 200"):
        bounty_offer(question=old_question, by=asker, amount=150)
    bounty_offer(question=old_question, by=asker, amount=200)


@override_settings(KNOWHOW_REPUTATION={"BOUNTY_MIN_QUESTION_AGE_DAYS": 0})
def test_the_minimum_question_age_is_a_setting(question):
    bounty_offer(question=question, by=question.author, amount=50)


def test_the_offerer_awards_the_whole_bounty_to_an_answer(old_question):
    asker = old_question.author
    answer = AnswerFactory(question=old_question)
    bounty = bounty_offer(question=old_question, by=asker, amount=100)
    with pytest.raises(ValidationFailed, match="24 hours"):
        bounty_award(bounty=bounty, answer=answer, by=asker)
    shift(bounty, days=2)
    before = rep(answer.author)
    bounty_award(bounty=bounty, answer=answer, by=asker)
    assert rep(answer.author) == before + 100
    bounty.refresh_from_db()
    assert (bounty.status, bounty.awarded_answer_id, bounty.awarded_amount) == (
        "awarded",
        answer.pk,
        100,
    )
    with pytest.raises(Conflict, match="ended"):
        bounty_award(bounty=bounty, answer=answer, by=asker)
    # The bounty counts in the answerer's tag score, and a rebuild from the ledger agrees.
    scores_before = dict(UserTagScore.objects.values_list("user_id", "score"))
    reputation_rebuild()
    assert dict(UserTagScore.objects.values_list("user_id", "score")) == scores_before


def test_award_refusals(old_question):
    asker = old_question.author
    bounty = shift(bounty_offer(question=old_question, by=asker, amount=50), days=2)
    answer = AnswerFactory(question=old_question)
    with pytest.raises(PermissionRefused, match="Only the person who offered"):
        bounty_award(bounty=bounty, answer=answer, by=answer.author)
    own = AnswerFactory(question=old_question, author=asker)
    with pytest.raises(ValidationFailed, match="your own answer"):
        bounty_award(bounty=bounty, answer=own, by=asker)
    elsewhere = AnswerFactory(question=QuestionFactory())
    with pytest.raises(ValidationFailed, match="answer of this question"):
        bounty_award(bounty=bounty, answer=elsewhere, by=asker)
    deleted = AnswerFactory(question=old_question)
    qa.post_delete(post=deleted, by=deleted.author)
    with pytest.raises(ValidationFailed, match="deleted or hidden"):
        bounty_award(bounty=bounty, answer=deleted, by=asker)
    shift(bounty, days=7)
    with pytest.raises(Conflict, match="passed"):
        bounty_award(bounty=bounty, answer=answer, by=asker)


def _upvote(post, n: int) -> None:
    for _ in range(n):
        qa.vote_cast(post=post, user=UserFactory(), value=1)


def test_an_unawarded_bounty_gives_half_to_the_best_answer_since_the_offer(old_question):
    asker = old_question.author
    before_offer = AnswerFactory(question=old_question)
    _upvote(before_offer, 5)
    bounty = bounty_offer(question=old_question, by=asker, amount=150)
    Post.objects.filter(pk=before_offer.pk).update(
        created_at=bounty.created_at - datetime.timedelta(hours=1)
    )
    first, second, weak = (AnswerFactory(question=old_question) for _ in range(3))
    _upvote(first, 3)
    _upvote(second, 3)
    _upvote(weak, 1)
    # Not yet: the grace period is still running.
    assert bounties_settle() == 0
    before = rep(first.author)
    assert bounties_settle(now=bounty.grace_ends_at + datetime.timedelta(minutes=1)) == 1
    bounty.refresh_from_db()
    # The answer from before the offer does not qualify; of the tie, the older answer wins.
    assert (bounty.status, bounty.awarded_answer_id, bounty.awarded_amount) == (
        "expired",
        first.pk,
        75,
    )
    assert rep(first.author) == before + 75


def test_an_unawarded_bounty_without_a_qualifying_answer_goes_to_nobody(old_question):
    bounty = bounty_offer(question=old_question, by=old_question.author, amount=50)
    answer = AnswerFactory(question=old_question)
    _upvote(answer, 1)
    shift(bounty, days=9)
    out = io.StringIO()
    call_command("settle_bounties", stdout=out)
    assert "1 bounties settled" in out.getvalue()
    bounty.refresh_from_db()
    assert (bounty.status, bounty.awarded_answer_id, bounty.awarded_amount) == ("expired", None, 0)
    assert not ReputationEvent.objects.filter(kind="bounty", amount__gt=0).exists()


def test_deleting_the_question_refunds_an_open_bounty_only(old_question):
    asker = old_question.author
    before = rep(asker)
    bounty_offer(question=old_question, by=asker, amount=50)
    qa.post_delete(post=old_question, by=asker)
    assert rep(asker) == before
    assert Bounty.objects.get(question=old_question).status == "refunded"
    qa.post_undelete(post=old_question, by=asker)
    assert rep(asker) == before  # undeleting does not take the bounty again

    other = aged(QuestionFactory())
    bounty = shift(bounty_offer(question=other, by=other.author, amount=50), days=2)
    answer = AnswerFactory(question=other)
    bounty_award(bounty=bounty, answer=answer, by=other.author)
    paid = rep(other.author)
    qa.post_delete(post=other, by=other.author)
    assert rep(other.author) == paid


def test_a_question_with_an_open_bounty_cannot_be_closed(old_question):
    bounty_offer(question=old_question, by=old_question.author, amount=50)
    with pytest.raises(ValidationFailed, match="open bounty"):
        moderation.close_vote_cast(
            post=old_question, user=UserFactory(reputation=500), reason="off_topic"
        )


# --- pages ----------------------------------------------------------------------------------


def test_offer_page_shows_the_bounty_on_the_question_and_in_the_list(client, old_question):
    asker = old_question.author
    client.force_login(asker)
    page = client.get(old_question.get_absolute_url())
    assert reverse("reputation:bounty_offer", args=[old_question.pk]) in page.content.decode()
    url = reverse("reputation:bounty_offer", args=[old_question.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"amount": "100", "reason": "Needs a source"})
    assert response.status_code == 302
    page = client.get(old_question.get_absolute_url()).content.decode()
    assert "+100" in page and "Needs a source" in page
    listing = client.get(reverse("reputation:bounties")).content.decode()
    assert old_question.title in listing and "+100" in listing
    assert (
        old_question.title
        in client.get(reverse("reputation:bounties") + "?tag=reporting").content.decode()
    )
    assert (
        old_question.title
        not in client.get(reverse("reputation:bounties") + "?tag=nope").content.decode()
    )


def test_offer_page_refusals(client, old_question):
    url = reverse("reputation:bounty_offer", args=[old_question.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(UserFactory(reputation=20))
    assert client.post(url, {"amount": "50"}).status_code == 403
    client.force_login(old_question.author)
    response = client.post(url, {"amount": "75"})
    assert response.status_code == 400
    response = client.post(url, {"amount": "500"})
    assert response.status_code == 400 and "can spend" in response.content.decode()
    young = QuestionFactory(author=old_question.author)
    response = client.post(reverse("reputation:bounty_offer", args=[young.pk]), {"amount": "50"})
    assert response.status_code == 400 and "2 days old" in response.content.decode()


def test_award_page(client, old_question):
    asker = old_question.author
    answer = AnswerFactory(question=old_question)
    bounty = shift(bounty_offer(question=old_question, by=asker, amount=50), days=2)
    url = reverse("reputation:bounty_award", args=[bounty.pk])
    client.force_login(answer.author)
    assert client.post(url, {"answer": answer.pk}).status_code == 403
    client.force_login(asker)
    page = client.get(old_question.get_absolute_url()).content.decode()
    assert "Award bounty (+50)" in page
    assert client.post(url, {"answer": "x"}).status_code == 400
    assert (
        client.post(reverse("reputation:bounty_award", args=[999999]), {"answer": 1}).status_code
        == 404
    )
    assert client.post(url, {"answer": answer.pk}).status_code == 302
    assert Bounty.objects.get(pk=bounty.pk).status == "awarded"


# --- API ------------------------------------------------------------------------------------


@pytest.mark.urls("knowhow.moderation.tests.api_urls")
def test_bounties_through_the_api(client, old_question):
    asker = old_question.author
    url = f"/api/questions/{old_question.pk}/bounties"
    assert client.post(url, {"amount": 50}, content_type="application/json").status_code == 403
    client.force_login(asker)
    bad = client.post(url, {"amount": 60}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "amount"
    assert client.post(url, {}, content_type="application/json").status_code == 422
    made = client.post(url, {"amount": 100, "reason": "Docs"}, content_type="application/json")
    assert made.status_code == 201
    body = made.json()
    assert (body["amount"], body["status"], body["question_title"]) == (
        100,
        "open",
        old_question.title,
    )
    again = client.post(url, {"amount": 200}, content_type="application/json")
    assert again.status_code == 409
    assert [b["id"] for b in client.get("/api/bounties").json()] == [body["id"]]
    assert client.get("/api/bounties?tag=nope").json() == []
    assert client.get(url).json()[0]["id"] == body["id"]
    answer = AnswerFactory(question=old_question)
    shift(Bounty.objects.get(pk=body["id"]), days=2)
    award = f"/api/bounties/{body['id']}/award"
    assert (
        client.post(award, {"answer_id": 999999}, content_type="application/json").status_code
        == 404
    )
    client.force_login(answer.author)
    assert (
        client.post(award, {"answer_id": answer.pk}, content_type="application/json").status_code
        == 403
    )
    client.force_login(asker)
    done = client.post(award, {"answer_id": answer.pk}, content_type="application/json")
    assert done.status_code == 200 and done.json()["awarded_answer_id"] == answer.pk
    assert client.get("/api/bounties").json() == []
    assert client.get("/api/questions/999999/bounties").status_code == 404


def test_anonymous_readers_see_a_new_bounty_at_once_though_the_thread_is_cached(
    client, old_question
):
    """The rendered thread is cached under the thread's state (qa/page_cache.py): a bounty
    touches no post, so it must be part of that state."""
    assert "+100" not in client.get(old_question.get_absolute_url()).content.decode()
    bounty_offer(question=old_question, by=old_question.author, amount=100)
    assert "+100" in client.get(old_question.get_absolute_url()).content.decode()
