"""Flags, weights and hiding, including the hostile-flagger and flag-war scenarios."""

import pytest
from django.test import Client
from django.urls import reverse

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


def _hide_by_flags(post) -> None:
    for _ in range(2):
        services.flag_create(flagger=UserFactory(reputation=400), post=post, reason="spam")
    assert hidden(post)


def test_the_authors_edit_shows_a_post_hidden_by_flags_again_once(question):
    """Discourse's rule: the author's edit brings a flag-hidden post back, once, and it stays in
    the review queue; hidden a second time, it stays hidden until a reviewer decides."""
    _hide_by_flags(question)
    qa.post_edit(post=question, by=question.author, body=question.body + " Now with the details.")
    assert not hidden(question)
    task = ReviewTask.objects.get(queue=ReviewQueue.FLAGGED, post=question)
    assert task.status == "open" and task.payload["edited_by_author"] is True
    assert Flag.objects.filter(post=question, status="pending").count() == 2
    entry = AuditEntry.objects.get(action="unhide", post=question)
    assert entry.actor == question.author and entry.details == {"by": "author_edit"}
    client = Client()
    client.force_login(UserFactory(reputation=400))
    queue = client.get(reverse("moderation:review_queue", args=["flagged"])).content.decode()
    assert "edited by its author after flags hid it" in queue
    # A further flag hides it again (the pending flags still count); editing no longer helps.
    services.flag_create(flagger=UserFactory(reputation=400), post=question, reason="rude")
    assert hidden(question)
    qa.post_edit(post=question, by=question.author, body=question.body + " Edited once more.")
    assert hidden(question)
    # A reviewer still decides: disagreeing restores it.
    services.review_decide(task=task, reviewer=UserFactory(reputation=400), decision="disagree")
    assert not hidden(question)


def test_an_edit_does_not_undo_a_moderators_hide_a_takedown_or_an_upheld_review(question, staff):
    services.post_set_hidden(post=question, by=staff, hidden=True, reason="Off the rails.")
    qa.post_edit(post=question, by=question.author, body=question.body + " Please unhide.")
    assert hidden(question)

    taken = QuestionFactory()
    _hide_by_flags(taken)
    services.takedown(post=taken, by=staff, reason="Court order 12/2026.")
    with pytest.raises(PermissionRefused):  # a takedown also locks the post
        qa.post_edit(post=taken, by=taken.author, body=taken.body + " Please unhide.")
    assert hidden(taken)

    upheld = QuestionFactory()
    _hide_by_flags(upheld)
    task = ReviewTask.objects.get(queue=ReviewQueue.FLAGGED, post=upheld)
    services.review_decide(task=task, reviewer=UserFactory(reputation=400), decision="agree")
    qa.post_edit(post=upheld, by=upheld.author, body=upheld.body + " Please unhide.")
    assert hidden(upheld)


def test_someone_elses_edit_does_not_show_a_flag_hidden_post(question):
    _hide_by_flags(question)
    editor = UserFactory(reputation=5000)
    qa.post_edit(post=question, by=editor, body=question.body + " Tidied by an editor.")
    assert hidden(question)
