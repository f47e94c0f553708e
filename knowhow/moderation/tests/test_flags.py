"""Flags, weights and hiding, including the hostile-flagger and flag-war scenarios."""

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
from knowhow.qa import selectors
from knowhow.qa import services as qa
from knowhow.qa.models import Post

pytestmark = pytest.mark.django_db


def hidden(post) -> bool:
    return Post.objects.get(pk=post.pk).is_hidden


def test_a_single_low_trust_flag_never_hides(question):
    services.flag_create(flagger=UserFactory(reputation=15), post=question, reason="spam")
    assert not hidden(question)
    # Even a regular (trust level 3) alone cannot hide an established member's post.
    services.flag_create(
        flagger=UserFactory(reputation=3999), post=QuestionFactory(), reason="rude"
    )
    assert not Post.objects.filter(is_hidden=True).exists()


def test_two_members_spam_flags_hide_a_post_pending_review(question, member):
    services.flag_create(flagger=member, post=question, reason="spam")
    assert not hidden(question)
    services.flag_create(flagger=UserFactory(reputation=400), post=question, reason="spam")
    assert hidden(question)
    task = ReviewTask.objects.get(queue=ReviewQueue.FLAGGED, post=question)
    assert task.score == 8
    assert AuditEntry.objects.filter(action="hide", post=question, actor=None).exists()


def test_a_trusted_spam_flag_hides_a_new_users_post_at_once(new_user):
    spam = QuestionFactory(author=new_user, title="Cheap watches for sale here")
    established = QuestionFactory()
    trusted = UserFactory(reputation=600)
    services.flag_create(flagger=trusted, post=spam, reason="spam")
    services.flag_create(flagger=trusted, post=established, reason="spam")
    assert hidden(spam) and not hidden(established)


def test_flag_refusals(question, new_user, member):
    with pytest.raises(PermissionRefused, match="reputation"):
        services.flag_create(flagger=new_user, post=question, reason="spam")
    with pytest.raises(PermissionRefused):
        services.flag_create(flagger=question.author, post=question, reason="spam")
    with pytest.raises(ValidationFailed):
        services.flag_create(flagger=member, post=question, reason="nonsense")
    with pytest.raises(ValidationFailed) as error:
        services.flag_create(flagger=member, post=question, reason="other", text="bad")
    assert error.value.field == "text"
    services.flag_create(flagger=member, post=question, reason="other", text="Contains a password")
    with pytest.raises(Conflict):
        services.flag_create(flagger=member, post=question, reason="spam")


def test_hidden_posts_leave_lists_but_stay_visible_to_author_and_reviewers(
    question, member, reviewer
):
    for _ in range(2):
        services.flag_create(flagger=UserFactory(reputation=400), post=question, reason="rude")
    stranger = UserFactory()
    assert question not in selectors.question_list(viewer=stranger)
    assert question in selectors.question_list(viewer=question.author)
    with pytest.raises(Exception, match="hidden"):
        selectors.question_get_for_viewer(pk=question.pk, viewer=stranger)
    assert selectors.question_get_for_viewer(pk=question.pk, viewer=reviewer).question.is_hidden


def test_hidden_answers_disappear_from_the_question_page(question):
    answer = AnswerFactory(question=question)
    for _ in range(2):
        services.flag_create(flagger=UserFactory(reputation=400), post=answer, reason="spam")
    page = selectors.question_get_for_viewer(pk=question.pk, viewer=UserFactory())
    assert answer.pk not in [a.pk for a in page.answers]
    page = selectors.question_get_for_viewer(pk=question.pk, viewer=answer.author)
    assert answer.pk in [a.pk for a in page.answers]


def test_a_hostile_flagger_cannot_hide_good_posts_and_loses_weight(reviewer):
    hostile = UserFactory(reputation=3999)
    posts = [QuestionFactory(title=f"A good question number {i}") for i in range(5)]
    first_weight = services.flag_weight(flagger=hostile, reason="rude")
    for post in posts:
        services.flag_create(flagger=hostile, post=post, reason="rude")
    assert not Post.objects.filter(is_hidden=True).exists()
    for task in ReviewTask.objects.filter(queue=ReviewQueue.FLAGGED):
        services.review_decide(task=task, reviewer=reviewer, decision=Decision.DISAGREE)
    assert UserStanding.objects.get(user=hostile).flags_disagreed == 5
    assert services.flag_weight(flagger=hostile, reason="rude") < first_weight - 2


def test_a_flag_war_burns_out(reviewer):
    left, right = UserFactory(reputation=400), UserFactory(reputation=400)
    left_posts = [QuestionFactory(author=left, title=f"Left side question {i}") for i in range(4)]
    right_posts = [
        QuestionFactory(author=right, title=f"Right side question {i}") for i in range(4)
    ]
    for mine, theirs in zip(left_posts, right_posts, strict=True):
        services.flag_create(flagger=left, post=theirs, reason="rude")
        services.flag_create(flagger=right, post=mine, reason="rude")
    assert not Post.objects.filter(is_hidden=True).exists()
    for task in ReviewTask.objects.filter(queue=ReviewQueue.FLAGGED):
        services.review_decide(task=task, reviewer=reviewer, decision=Decision.DISAGREE)
    # Now even both of them together cannot hide a post of a third person.
    victim = QuestionFactory(title="An innocent bystander question")
    services.flag_create(flagger=left, post=victim, reason="rude")
    services.flag_create(flagger=right, post=victim, reason="rude")
    assert not hidden(victim)


def test_flagging_a_comment_and_hiding_it(question, other_user):
    comment = qa.comment_add(post=question, author=other_user, body="You are all idiots here.")
    services.flag_create(flagger=question.author, post=question, comment=comment, reason="rude")
    with pytest.raises(PermissionRefused):
        services.flag_create(flagger=other_user, post=question, comment=comment, reason="rude")
    for _ in range(2):
        services.flag_create(
            flagger=UserFactory(reputation=400), post=question, comment=comment, reason="rude"
        )
    comment.refresh_from_db()
    assert comment.is_deleted
    assert Flag.objects.filter(comment=comment).count() == 3
