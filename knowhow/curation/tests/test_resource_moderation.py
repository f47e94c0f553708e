"""Flags on curated resources go through moderation as post flags do: the review queue, the
decisions, the flagger's standing, the audit log, the hide threshold, and every refusal."""

import pytest
from django.urls import reverse

from knowhow.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from knowhow.core.tests.factories import QuestionFactory, UserFactory, add_member
from knowhow.curation import selectors, services
from knowhow.curation.permissions import ActOnOwnResource
from knowhow.moderation import selectors as moderation_selectors
from knowhow.moderation import services as moderation
from knowhow.moderation.models import (
    AuditEntry,
    Decision,
    Flag,
    ReviewQueue,
    ReviewTask,
    Sanction,
    UserStanding,
)
from knowhow.moderation.permissions import AccountRestricted
from knowhow.qa import selectors as qa_selectors
from knowhow.qa import services as qa
from knowhow.qa.models import Post


@pytest.fixture
def resource(curator, default_space):
    return services.resource_add(
        by=curator,
        space=default_space,
        url="https://example.com/feedback-guide",
        note="The clearest **feedback** guide I know.",
        tags="feedback",
        fetch=False,
    )


@pytest.fixture
def reviewer(db):
    return UserFactory(reputation=400)  # has the review privilege under the pilot preset


def _hide(resource, settings, reason="spam", members_of=None):
    """Two flaggers whose flags weigh the threshold exactly; returns them and the task."""
    flaggers = [UserFactory(reputation=400), UserFactory(reputation=400)]
    for flagger in flaggers:
        if members_of is not None:
            add_member(members_of, flagger)
    settings.KNOWHOW_MODERATION = {
        "HIDE_SCORE": sum(moderation.flag_weight(flagger=f, reason=reason) for f in flaggers)
    }
    for flagger in flaggers:
        services.resource_flag(resource=resource, user=flagger, reason=reason, note="Advert")
    resource.refresh_from_db()
    return flaggers, ReviewTask.objects.get(queue=ReviewQueue.FLAGGED, post=resource.post)


def test_every_resource_has_a_discussion_post_that_lists_nowhere_as_a_question(
    resource, curator, default_space, user
):
    post = resource.post
    assert post.post_type == Post.PostType.RESOURCE
    assert (post.space_id, post.author_id) == (default_space.pk, curator.pk)
    assert post.title == resource.display_title
    assert "feedback-guide" in post.body_html and "<strong>feedback</strong>" in post.body_html
    assert not post.tags.exists()  # tags stay on the resource: tag counts stay about questions
    question = QuestionFactory(author=user, space=default_space, tags=("feedback",))
    listed = list(qa_selectors.question_list(viewer=user).values_list("pk", flat=True))
    assert listed == [question.pk]
    assert post.get_absolute_url() == reverse("curation:resource_for_post", args=[post.pk])


def test_a_flag_is_a_moderation_flag_on_the_discussion_post_with_a_review_task(resource):
    flagger = UserFactory(reputation=400)
    flag = services.resource_flag(resource=resource, user=flagger, reason="broken", note="404 now")
    assert isinstance(flag, Flag)
    assert (flag.post_id, flag.reason, flag.text, flag.status) == (
        resource.post_id,
        "broken",
        "404 now",
        Flag.Status.PENDING,
    )
    assert flag.weight == moderation.flag_weight(flagger=flagger, reason="broken")
    task = ReviewTask.objects.get(queue=ReviewQueue.FLAGGED, post=resource.post)
    assert task.score == flag.weight
    with pytest.raises(Conflict):
        services.resource_flag(resource=resource, user=flagger, reason="spam")


def test_flags_that_weigh_the_threshold_hide_the_resource_with_an_audit_entry(resource, settings):
    flaggers, task = _hide(resource, settings)
    assert resource.is_hidden and resource.post.is_hidden
    assert resource.hidden_reason == "Hidden after flags from the community, pending review."
    entry = AuditEntry.objects.get(post=resource.post, action=AuditEntry.Action.HIDE)
    assert entry.actor is None and entry.details == {"by": "flags"}
    assert not selectors.visible_resources(flaggers[0]).filter(pk=resource.pk).exists()
    with pytest.raises(NotFound):
        selectors.resource_get(pk=resource.pk, viewer=UserFactory(reputation=10))


def test_the_resource_is_in_the_review_queue_for_reviewers(resource, reviewer, settings):
    _, task = _hide(resource, settings)
    assert moderation_selectors.queue_counts(viewer=reviewer)[ReviewQueue.FLAGGED] == 1
    assert list(moderation_selectors.review_tasks(viewer=reviewer, queue="flagged")) == [task]
    # A reviewer sees the hidden resource's page, to judge it (like a hidden post).
    assert selectors.resource_get(pk=resource.pk, viewer=reviewer) == resource
    assert moderation.decisions_for(task) == ["agree", "delete", "disagree", "dismiss"]


def test_agreeing_keeps_it_hidden_and_credits_the_flaggers(resource, reviewer, curator, settings):
    flaggers, task = _hide(resource, settings)
    moderation.review_decide(task=task, reviewer=reviewer, decision=Decision.AGREE, note="Spam")
    resource.refresh_from_db()
    assert resource.is_hidden and not resource.is_deleted
    assert all(UserStanding.objects.get(user=f).flags_agreed == 1 for f in flaggers)
    assert UserStanding.objects.get(user=curator).posts_removed == 1
    assert set(Flag.objects.filter(post=resource.post).values_list("status", flat=True)) == {
        Flag.Status.AGREED
    }
    review = AuditEntry.objects.get(post=resource.post, action=AuditEntry.Action.REVIEW)
    assert review.actor == reviewer and review.details == {"queue": "flagged", "decision": "agree"}
    assert ReviewTask.objects.get(pk=task.pk).status == ReviewTask.Status.DONE


def test_disagreeing_restores_it_and_counts_against_the_flaggers(resource, reviewer, settings):
    flaggers, task = _hide(resource, settings)
    moderation.review_decide(task=task, reviewer=reviewer, decision=Decision.DISAGREE)
    resource.refresh_from_db()
    assert not resource.is_hidden and resource.hidden_reason == ""
    assert all(UserStanding.objects.get(user=f).flags_disagreed == 1 for f in flaggers)
    assert AuditEntry.objects.filter(post=resource.post, action=AuditEntry.Action.UNHIDE).exists()
    assert selectors.visible_resources(flaggers[0]).filter(pk=resource.pk).exists()


def test_dismissing_restores_it_and_leaves_the_flaggers_record_alone(resource, reviewer, settings):
    flaggers, task = _hide(resource, settings)
    moderation.review_decide(task=task, reviewer=reviewer, decision=Decision.DISMISS)
    resource.refresh_from_db()
    assert not resource.is_hidden
    assert not UserStanding.objects.filter(user__in=flaggers, flags_agreed__gt=0).exists()
    assert not UserStanding.objects.filter(user__in=flaggers, flags_disagreed__gt=0).exists()


def test_deleting_on_review_removes_the_resource(resource, reviewer, curator, settings):
    flaggers, task = _hide(resource, settings)
    moderation.review_decide(task=task, reviewer=reviewer, decision=Decision.DELETE)
    resource.refresh_from_db()
    assert resource.is_deleted and Post.objects.get(pk=resource.post_id).is_deleted
    assert all(UserStanding.objects.get(user=f).flags_agreed == 1 for f in flaggers)
    with pytest.raises(NotFound):
        selectors.resource_get(pk=resource.pk, viewer=flaggers[0])
    assert selectors.resource_get(pk=resource.pk, viewer=curator) == resource  # own, marked


def test_resource_flag_outcomes_feed_the_weight_of_later_post_flags(default_space, curator, user):
    """The same standing as post flags: three upheld resource flags raise the weight of the
    flagger's next flag on a question."""
    flagger, reviewer = UserFactory(reputation=400), UserFactory(reputation=400)
    before = moderation.flag_weight(flagger=flagger, reason="off_topic")
    for n in range(3):
        resource = services.resource_add(
            by=curator, space=default_space, url=f"https://example.com/ad{n}", fetch=False
        )
        services.resource_flag(resource=resource, user=flagger, reason="spam")
        task = ReviewTask.objects.get(post=resource.post, queue=ReviewQueue.FLAGGED)
        moderation.review_decide(task=task, reviewer=reviewer, decision=Decision.AGREE)
    assert UserStanding.objects.get(user=flagger).flags_agreed == 3
    question = QuestionFactory(author=user, space=default_space)
    flag = moderation.flag_create(flagger=flagger, post=question, reason="off_topic")
    assert flag.weight > before


def test_a_moderator_restoring_a_hidden_resource_dismisses_its_flags(resource, staff, settings):
    flaggers, task = _hide(resource, settings)
    with pytest.raises(PermissionRefused):
        services.resource_unhide(resource=resource, by=flaggers[0])
    services.resource_unhide(resource=resource, by=staff)
    resource.refresh_from_db()
    assert not resource.is_hidden
    assert ReviewTask.objects.get(pk=task.pk).decision == Decision.DISMISS
    assert set(Flag.objects.filter(post=resource.post).values_list("status", flat=True)) == {
        Flag.Status.DISMISSED
    }
    restored = AuditEntry.objects.get(post=resource.post, action=AuditEntry.Action.UNHIDE)
    assert restored.actor == staff


# --- refusals -------------------------------------------------------------------------------


def test_someone_without_the_review_privilege_cannot_decide(resource, settings):
    _, task = _hide(resource, settings)
    member = UserFactory(reputation=200)
    with pytest.raises(PermissionRefused):
        moderation.review_decide(task=task, reviewer=member, decision=Decision.DISAGREE)
    resource.refresh_from_db()
    assert resource.is_hidden


def test_the_curator_and_the_flaggers_cannot_decide_on_it(resource, curator, settings):
    flaggers, task = _hide(resource, settings)
    curator.reputation = 5000
    curator.save(update_fields=["reputation"])
    for person in (curator, flaggers[0]):
        with pytest.raises(PermissionRefused):
            moderation.review_decide(task=task, reviewer=person, decision=Decision.DISAGREE)


def test_a_resource_cannot_be_edited_on_review(resource, reviewer, settings):
    _, task = _hide(resource, settings)
    with pytest.raises(ValidationFailed):
        moderation.review_decide(
            task=task, reviewer=reviewer, decision=Decision.EDIT, edit={"body": "changed"}
        )


@pytest.mark.parametrize("kind", [Sanction.Kind.SILENCE, Sanction.Kind.SUSPEND])
def test_silenced_and_suspended_people_cannot_flag(resource, staff, kind):
    person = UserFactory(reputation=400)
    moderation.sanction_apply(user=person, by=staff, kind=kind, reason="Repeated spam", days=3)
    person.refresh_from_db()
    with pytest.raises(AccountRestricted):
        services.resource_flag(resource=resource, user=person, reason="spam")
    assert not Flag.objects.exists()


def test_a_new_member_without_the_flag_privilege_cannot_flag(resource):
    with pytest.raises(PermissionRefused):
        services.resource_flag(resource=resource, user=UserFactory(reputation=1), reason="spam")


def test_the_curator_cannot_flag_their_own_resource(resource, curator):
    with pytest.raises(ActOnOwnResource):
        services.resource_flag(resource=resource, user=curator, reason="spam")


def test_only_link_reasons_fit_a_resource_and_other_needs_words(resource, user):
    with pytest.raises(ValidationFailed):
        services.resource_flag(resource=resource, user=user, reason="rude")
    with pytest.raises(ValidationFailed):
        services.resource_flag(resource=resource, user=user, reason="other", note="meh")
    services.resource_flag(resource=resource, user=user, reason="other", note="Paywalled now")


def test_link_reasons_do_not_fit_a_question(question, other_user):
    with pytest.raises(ValidationFailed):
        moderation.flag_create(flagger=other_user, post=question, reason="broken")


def test_the_discussion_post_takes_no_votes_comments_edits_or_deletion_through_qa(
    resource, user, curator
):
    post = resource.post
    with pytest.raises(ValidationFailed):
        qa.vote_cast(post=post, user=user, value=1)
    with pytest.raises(ValidationFailed):
        qa.comment_add(post=post, author=user, body="A comment on the hidden post")
    with pytest.raises((ValidationFailed, PermissionRefused)):
        qa.post_edit(post=post, by=curator, body="Rewritten body of the post")
    with pytest.raises(ValidationFailed):
        qa.post_delete(post=post, by=curator)


def test_a_private_space_resource_never_reaches_an_outsider_reviewer(
    curator, private_space, settings
):
    add_member(private_space, curator)
    secret = services.resource_add(
        by=curator, space=private_space, url="https://example.com/secret-plan", fetch=False
    )
    insider = UserFactory(reputation=400)
    add_member(private_space, insider)
    _, task = _hide(secret, settings, members_of=private_space)
    outsider = UserFactory(reputation=5000)
    assert moderation_selectors.queue_counts(viewer=outsider)[ReviewQueue.FLAGGED] == 0
    assert not moderation_selectors.review_tasks(viewer=outsider, queue="flagged").exists()
    with pytest.raises(NotFound):
        moderation.review_decide(task=task, reviewer=outsider, decision=Decision.DISAGREE)
    with pytest.raises(NotFound):
        selectors.resource_for_post(post_pk=secret.post_id, viewer=outsider)
    assert list(moderation_selectors.review_tasks(viewer=insider, queue="flagged")) == [task]


def test_a_legal_flag_goes_to_staff_and_a_takedown_hides_the_resource(resource, staff, reviewer):
    flagger = UserFactory(reputation=400)
    services.resource_flag(
        resource=resource, user=flagger, reason="legal", note="Copies our paid course"
    )
    task = ReviewTask.objects.get(post=resource.post)
    assert task.queue == ReviewQueue.LEGAL
    resource.refresh_from_db()
    assert not resource.is_hidden  # legal flags never hide by weight
    with pytest.raises(PermissionRefused):
        moderation.review_decide(task=task, reviewer=reviewer, decision=Decision.AGREE)
    moderation.review_decide(task=task, reviewer=staff, decision=Decision.AGREE)
    resource.refresh_from_db()
    assert resource.is_hidden
    assert AuditEntry.objects.filter(
        post=resource.post, action=AuditEntry.Action.TAKEDOWN, actor=staff
    ).exists()
