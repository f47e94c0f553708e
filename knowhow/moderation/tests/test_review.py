"""Review queues and their decisions; legal takedowns."""

import datetime

import pytest

from knowhow.core.errors import Conflict, PermissionRefused, ValidationFailed
from knowhow.core.tests.factories import AnswerFactory, QuestionFactory, UserFactory
from knowhow.moderation import services
from knowhow.moderation.models import (
    AuditEntry,
    Decision,
    Flag,
    ReviewQueue,
    ReviewTask,
    UserStanding,
)
from knowhow.qa import services as qa
from knowhow.qa.models import Post
from knowhow.reputation.models import ReputationEvent

pytestmark = pytest.mark.django_db


def flagged_hidden(post, reason="spam"):
    flaggers = [UserFactory(reputation=400), UserFactory(reputation=400)]
    for f in flaggers:
        services.flag_create(flagger=f, post=post, reason=reason)
    return ReviewTask.objects.get(queue=ReviewQueue.FLAGGED, post=post), flaggers


def test_agreeing_keeps_it_hidden_credits_flaggers_and_penalises_the_author(question, reviewer):
    task, flaggers = flagged_hidden(question)
    before = question.author.reputation
    services.review_decide(task=task, reviewer=reviewer, decision=Decision.AGREE)
    question.refresh_from_db()
    question.author.refresh_from_db()
    assert question.is_hidden
    assert question.author.reputation == before - 100
    assert all(UserStanding.objects.get(user=f).flags_agreed == 1 for f in flaggers)
    assert UserStanding.objects.get(user=question.author).posts_removed == 1
    assert ReputationEvent.objects.filter(kind="flag_penalty", post=question).count() == 1


def test_disagreeing_restores_the_post_and_counts_against_flaggers(question, reviewer):
    task, flaggers = flagged_hidden(question, reason="rude")
    services.review_decide(
        task=task, reviewer=reviewer, decision=Decision.DISAGREE, note="Fine post"
    )
    question.refresh_from_db()
    assert not question.is_hidden
    assert set(Flag.objects.values_list("status", flat=True)) == {"disagreed"}
    assert all(UserStanding.objects.get(user=f).flags_disagreed == 1 for f in flaggers)
    assert AuditEntry.objects.filter(action="unhide", post=question, actor=reviewer).exists()


def test_deleting_from_review_deletes_through_qa_and_undoes_reputation(question, reviewer):
    answer = AnswerFactory(question=question)
    qa.vote_cast(post=answer, user=UserFactory(), value=1)
    task, _ = flagged_hidden(answer)
    services.review_decide(task=task, reviewer=reviewer, decision=Decision.DELETE)
    answer.refresh_from_db()
    question.refresh_from_db()
    assert answer.is_deleted and question.answer_count == 0
    answer.author.refresh_from_db()
    assert answer.author.reputation == 200 - 100


def test_edit_and_dismiss_decisions(question, reviewer):
    task, _ = flagged_hidden(question, reason="off_topic")
    with pytest.raises(ValidationFailed):
        services.review_decide(task=task, reviewer=reviewer, decision=Decision.EDIT)
    services.review_decide(
        task=task,
        reviewer=reviewer,
        decision=Decision.EDIT,
        edit={"body": "A cleaned-up body that is on topic now."},
    )
    question.refresh_from_db()
    assert not question.is_hidden and question.body.startswith("A cleaned-up")
    other = QuestionFactory(title="Another question to dismiss")
    task, flaggers = flagged_hidden(other, reason="off_topic")
    services.review_decide(task=task, reviewer=reviewer, decision=Decision.DISMISS)
    assert not Post.objects.get(pk=other.pk).is_hidden
    assert not UserStanding.objects.filter(user=flaggers[0], flags_disagreed__gt=0).exists()


def test_review_refusals(question, reviewer):
    task, flaggers = flagged_hidden(question)
    with pytest.raises(PermissionRefused, match="flagged"):
        services.review_decide(task=task, reviewer=flaggers[0], decision=Decision.AGREE)
    question.author.reputation = 400
    with pytest.raises(PermissionRefused, match="own post"):
        services.review_decide(task=task, reviewer=question.author, decision=Decision.DISAGREE)
    with pytest.raises(PermissionRefused):
        services.review_decide(task=task, reviewer=UserFactory(), decision=Decision.AGREE)
    with pytest.raises(ValidationFailed):
        services.review_decide(task=task, reviewer=reviewer, decision="maybe")
    services.review_decide(task=task, reviewer=reviewer, decision=Decision.AGREE)
    with pytest.raises(Conflict):
        services.review_decide(task=task, reviewer=reviewer, decision=Decision.DISAGREE)


def test_a_new_users_first_post_and_late_answers_are_queued(new_user, question):
    first = QuestionFactory(author=new_user)
    assert ReviewTask.objects.filter(queue=ReviewQueue.FIRST_POST, post=first).exists()
    QuestionFactory(author=UserFactory())
    assert ReviewTask.objects.filter(queue=ReviewQueue.FIRST_POST).count() == 1
    Post.objects.filter(pk=question.pk).update(
        created_at=question.created_at - datetime.timedelta(days=60)
    )
    question.refresh_from_db()
    late = AnswerFactory(question=question, author=UserFactory(reputation=1))
    assert ReviewTask.objects.filter(queue=ReviewQueue.LATE_ANSWER, post=late).exists()
    task = ReviewTask.objects.get(post=first)
    with pytest.raises(ValidationFailed):
        services.review_decide(task=task, reviewer=UserFactory(reputation=400), decision="disagree")
    services.review_decide(task=task, reviewer=UserFactory(reputation=400), decision="agree")


def test_suggested_edits_go_to_review_and_approval_pays_two(question, reviewer):
    suggester = UserFactory(reputation=50)
    with pytest.raises(PermissionRefused):
        qa.post_edit(post=question, by=suggester, body="An improved body for this question.")
    task = qa.post_suggest_edit(
        post=question,
        by=suggester,
        body="An improved body for this question.",
        title=question.title,
    )
    with pytest.raises(Conflict):
        qa.post_suggest_edit(
            post=question, by=UserFactory(), body="Another improved body text here."
        )
    with pytest.raises(PermissionRefused):
        services.review_decide(task=task, reviewer=suggester, decision=Decision.AGREE)
    services.review_decide(task=task, reviewer=reviewer, decision=Decision.AGREE)
    question.refresh_from_db()
    suggester.refresh_from_db()
    assert question.body == "An improved body for this question."
    assert question.revisions.order_by("-number").first().author_id == suggester.pk
    assert suggester.reputation == 52


def test_rejected_suggestions_change_nothing(question, reviewer):
    task = qa.post_suggest_edit(post=question, by=UserFactory(), body="Spammy rewrite of the body.")
    services.review_decide(task=task, reviewer=reviewer, decision=Decision.DISAGREE)
    assert Post.objects.get(pk=question.pk).body == question.body


def test_legal_flags_go_to_staff_only_and_a_takedown_keeps_the_record(
    question, member, reviewer, staff
):
    services.flag_create(flagger=member, post=question, reason="personal_data", text="Phone number")
    task = ReviewTask.objects.get(queue=ReviewQueue.LEGAL, post=question)
    assert not ReviewTask.objects.filter(queue=ReviewQueue.FLAGGED, post=question).exists()
    assert not Post.objects.get(pk=question.pk).is_hidden
    with pytest.raises(PermissionRefused, match="staff"):
        services.review_decide(task=task, reviewer=reviewer, decision=Decision.AGREE)
    services.review_decide(task=task, reviewer=staff, decision=Decision.AGREE, note="GDPR request")
    question.refresh_from_db()
    assert question.is_hidden and question.is_locked
    assert question.revisions.count() == 1
    entry = AuditEntry.objects.get(action="takedown")
    assert entry.reason == "GDPR request" and entry.details["revisions_kept"] == [1]
    with pytest.raises(PermissionRefused):
        services.takedown(post=question, by=reviewer, reason="no")
    # A locked post cannot be edited by its author any more.
    with pytest.raises(PermissionRefused, match="locked"):
        qa.post_edit(post=question, by=question.author, body="Putting the phone number back in.")


def test_reviewer_badge_after_enough_reviews(reviewer, settings):
    settings.KNOWHOW_REPUTATION = {"REVIEWER_BADGE_REVIEWS": 2}
    for i in range(2):
        task, _ = flagged_hidden(QuestionFactory(title=f"Question to review {i}"))
        services.review_decide(task=task, reviewer=reviewer, decision=Decision.DISMISS)
    assert reviewer.badges.filter(badge__slug="reviewer").exists()
