"""The reputation ledger: values, undo, the daily cap, deletion and the rebuild command."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from knowhow.core.tests.factories import AnswerFactory, QuestionFactory, UserFactory
from knowhow.qa import services
from knowhow.reputation.models import ReputationEvent, UserTagScore
from knowhow.reputation.services import reputation_rebuild

pytestmark = pytest.mark.django_db


def rep(user) -> int:
    user.refresh_from_db(fields=["reputation"])
    return user.reputation


def test_an_answer_upvote_earns_ten_and_a_question_upvote_five(question, other_user):
    answer = AnswerFactory(question=question)
    before_q, before_a = rep(question.author), rep(answer.author)
    services.vote_cast(post=answer, user=other_user, value=1)
    services.vote_cast(post=question, user=other_user, value=1)
    assert rep(answer.author) == before_a + 10
    assert rep(question.author) == before_q + 5
    event = ReputationEvent.objects.get(user=answer.author)
    assert (event.kind, event.post_id, event.actor_id) == (
        "answer_upvoted",
        answer.pk,
        other_user.pk,
    )


@override_settings(KNOWHOW_REPUTATION={"QUESTION_UPVOTED": 10})
def test_values_come_from_settings(question, other_user):
    before = rep(question.author)
    services.vote_cast(post=question, user=other_user, value=1)
    assert rep(question.author) == before + 10


def test_a_withdrawn_or_changed_vote_is_undone_exactly(question, other_user):
    answer = AnswerFactory(question=question)
    author_before, voter_before = rep(answer.author), rep(other_user)
    services.vote_cast(post=answer, user=other_user, value=1)
    services.vote_cast(post=answer, user=other_user, value=-1)
    assert rep(answer.author) == author_before - 2
    assert rep(other_user) == voter_before - 1
    services.vote_cast(post=answer, user=other_user, value=0)
    assert rep(answer.author) == author_before
    assert rep(other_user) == voter_before
    # Append-only: every step is a line, reversals point at what they undo.
    reversals = ReputationEvent.objects.filter(kind="reversal")
    assert reversals.count() == 3
    assert all(r.reverses is not None and r.amount == -r.reverses.amount for r in reversals)


def test_downvoting_a_question_costs_the_voter_nothing(question, other_user):
    before = rep(other_user)
    services.vote_cast(post=question, user=other_user, value=-1)
    assert rep(other_user) == before
    assert rep(question.author) == 200 - 2


def test_accepting_pays_answerer_and_asker_and_moves_with_the_accept(question):
    first, second = AnswerFactory(question=question), AnswerFactory(question=question)
    asker = question.author
    services.answer_accept(answer=first, by=asker)
    assert (rep(first.author), rep(asker)) == (215, 202)
    services.answer_accept(answer=second, by=asker)
    assert (rep(first.author), rep(second.author), rep(asker)) == (200, 215, 202)
    services.answer_unaccept(answer=second, by=asker)
    assert (rep(second.author), rep(asker)) == (200, 200)


def test_accepting_your_own_answer_earns_nothing(question):
    own = AnswerFactory(question=question, author=question.author)
    services.answer_accept(answer=own, by=question.author)
    assert rep(question.author) == 200
    assert not ReputationEvent.objects.exists()


def test_vote_reputation_is_capped_at_200_a_day_but_accepts_are_not(question):
    answer = AnswerFactory(question=question, author=UserFactory(reputation=1))
    for _ in range(25):
        services.vote_cast(post=answer, user=UserFactory(), value=1)
    assert rep(answer.author) == 1 + 200
    assert ReputationEvent.objects.filter(capped=True).exists()
    services.answer_accept(answer=answer, by=question.author)
    assert rep(answer.author) == 1 + 200 + 15


def test_the_cap_resets_the_next_day(question):
    answer = AnswerFactory(question=question, author=UserFactory(reputation=1))
    for _ in range(21):
        services.vote_cast(post=answer, user=UserFactory(), value=1)
    ReputationEvent.objects.update(created_at=timezone.now() - datetime.timedelta(days=1))
    services.vote_cast(post=answer, user=UserFactory(), value=1)
    assert rep(answer.author) == 1 + 200 + 10


def test_deleting_a_post_undoes_its_reputation_and_undeleting_restores_it(question, other_user):
    answer = AnswerFactory(question=question)
    downvoter = UserFactory()
    services.vote_cast(post=answer, user=other_user, value=1)
    services.vote_cast(post=answer, user=downvoter, value=-1)
    services.answer_accept(answer=answer, by=question.author)
    assert (rep(answer.author), rep(downvoter), rep(question.author)) == (223, 199, 202)
    services.post_delete(post=answer, by=answer.author)
    assert (rep(answer.author), rep(downvoter), rep(question.author)) == (200, 200, 200)
    services.post_undelete(post=answer, by=answer.author)
    # The accept went with the deletion (the question no longer accepts it); the votes return.
    assert (rep(answer.author), rep(downvoter), rep(question.author)) == (208, 199, 200)
    services.post_delete(post=answer, by=answer.author)
    services.post_undelete(post=answer, by=answer.author)
    assert rep(answer.author) == 208
    services.vote_cast(post=answer, user=other_user, value=0)
    assert rep(answer.author) == 198


def test_tag_scores_follow_the_question_tags_and_the_rebuild_reproduces_everything(default_space):
    asker, answerer, voter = UserFactory(), UserFactory(reputation=1), UserFactory()
    q = QuestionFactory(author=asker, tags=("python", "csv"))
    a = AnswerFactory(question=q, author=answerer)
    services.vote_cast(post=a, user=voter, value=1)
    services.vote_cast(post=q, user=voter, value=1)
    services.answer_accept(answer=a, by=asker)
    scores = dict(UserTagScore.objects.filter(user=answerer).values_list("tag__name", "score"))
    assert scores == {"python": 25, "csv": 25}
    cached = {u.pk: rep(u) for u in (asker, answerer, voter)}
    # Spoil the caches, then rebuild from the ledger alone.
    type(asker).objects.update(reputation=999)
    UserTagScore.objects.all().delete()
    call_command("rebuild_reputation", stdout=io.StringIO())
    assert {u.pk: rep(u) for u in (asker, answerer, voter)} == {
        asker.pk: 1 + 5 + 2,
        answerer.pk: 1 + 25,
        voter.pk: 1,
    }
    assert cached[answerer.pk] == 26
    assert (
        dict(UserTagScore.objects.filter(user=answerer).values_list("tag__name", "score")) == scores
    )


def test_rebuild_leaves_correct_totals_alone(question, other_user):
    services.vote_cast(post=question, user=other_user, value=1)
    reputation_rebuild()
    assert rep(question.author) == 1 + 5
    assert reputation_rebuild() == 0


def test_granted_reputation_survives_a_rebuild_and_the_demo_loads():
    call_command("demo", stdout=io.StringIO())
    alice = type(UserFactory()).objects.get(username="alice")
    before = alice.reputation
    assert before >= 500
    reputation_rebuild()
    assert rep(alice) == before
