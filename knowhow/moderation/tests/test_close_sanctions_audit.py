"""Close and reopen votes, sanctions with appeal and expiry, serial voting, the audit log."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from knowhow.core.errors import Conflict, PermissionRefused, ValidationFailed
from knowhow.core.tests.factories import AnswerFactory, QuestionFactory, UserFactory, add_member
from knowhow.moderation import selectors, services
from knowhow.moderation.models import AuditEntry, ReviewQueue, ReviewTask, Sanction
from knowhow.qa import services as qa
from knowhow.qa.models import Post, PostLink, Vote
from knowhow.reputation.models import ReputationEvent
from knowhow.spaces.models import SpaceMembership

pytestmark = pytest.mark.django_db


def closers(n=3):
    return [UserFactory(reputation=500) for _ in range(n)]


def test_three_votes_close_as_duplicate_and_link_the_original(question):
    original = QuestionFactory(title="The original question about CSV")
    a, b, c = closers()
    services.close_vote_cast(post=question, user=a, reason="duplicate", duplicate_of=original)
    services.close_vote_cast(post=question, user=b, reason="duplicate", duplicate_of=original)
    assert Post.objects.get(pk=question.pk).closed_at is None
    assert ReviewTask.objects.get(queue=ReviewQueue.CLOSE, post=question).score == 2
    with pytest.raises(Conflict):
        services.close_vote_cast(post=question, user=a, reason="duplicate", duplicate_of=original)
    services.close_vote_cast(post=question, user=c, reason="duplicate", duplicate_of=original)
    question.refresh_from_db()
    assert question.closed_at is not None and question.close_reason == "duplicate"
    assert PostLink.objects.filter(
        from_post=question, to_post=original, link_type="duplicate"
    ).exists()
    assert AuditEntry.objects.get(action="close").details["duplicate_of"] == original.pk
    assert not ReviewTask.objects.filter(queue=ReviewQueue.CLOSE, status="open").exists()
    with pytest.raises(ValidationFailed, match="closed"):
        AnswerFactory(question=question)


def test_close_refusals(question):
    with pytest.raises(PermissionRefused, match="500"):
        services.close_vote_cast(post=question, user=UserFactory(), reason="off_topic")
    voter = UserFactory(reputation=500)
    with pytest.raises(ValidationFailed):
        services.close_vote_cast(post=question, user=voter, reason="duplicate")
    with pytest.raises(ValidationFailed):
        services.close_vote_cast(
            post=question, user=voter, reason="duplicate", duplicate_of=question
        )
    with pytest.raises(ValidationFailed):
        services.close_vote_cast(post=question, user=voter, reason="because")
    with pytest.raises(ValidationFailed):
        services.reopen_vote_cast(post=question, user=voter)


def test_reopen_by_votes_removes_the_duplicate_link(question):
    original = QuestionFactory(title="The original question about CSV")
    for voter in closers():
        services.close_vote_cast(
            post=question, user=voter, reason="duplicate", duplicate_of=original
        )
    for voter in closers():
        services.reopen_vote_cast(post=question, user=voter)
    question.refresh_from_db()
    assert question.closed_at is None and question.close_reason == ""
    assert not PostLink.objects.filter(from_post=question).exists()
    assert AuditEntry.objects.filter(action="reopen", post=question).exists()


def test_a_moderators_vote_is_binding(question, default_space):
    mod = UserFactory(reputation=1)
    add_member(default_space, mod, SpaceMembership.Role.MODERATOR)
    services.close_vote_cast(post=question, user=mod, reason="needs_details")
    assert Post.objects.get(pk=question.pk).close_reason == "needs_details"


def test_close_review_leave_open(question, reviewer):
    services.close_vote_cast(post=question, user=UserFactory(reputation=500), reason="off_topic")
    task = ReviewTask.objects.get(queue=ReviewQueue.CLOSE)
    for _ in range(3):
        services.review_decide(task=task, reviewer=UserFactory(reputation=400), decision="disagree")
    assert ReviewTask.objects.get(pk=task.pk).status == "done"
    assert Post.objects.get(pk=question.pk).closed_at is None


def test_a_sanction_silences_until_it_expires_and_can_be_appealed_once(question, staff):
    person = UserFactory()
    sanction = services.sanction_apply(
        user=person, by=staff, kind="silence", reason="Repeated rude comments.", days=3
    )
    with pytest.raises(PermissionRefused, match="Repeated rude comments"):
        QuestionFactory(author=person)
    with pytest.raises(PermissionRefused):
        qa.vote_cast(post=question, user=person, value=1)
    with pytest.raises(PermissionRefused):
        qa.comment_add(post=question, author=person, body="Let me speak!")
    services.sanction_appeal(
        sanction=sanction, by=person, text="I apologise, it won't happen again."
    )
    with pytest.raises(ValidationFailed, match="once"):
        services.sanction_appeal(sanction=sanction, by=person, text="Please, please, please.")
    services.sanction_decide_appeal(sanction=sanction, by=staff, grant=False)
    # It expires on its own.
    Sanction.objects.filter(pk=sanction.pk).update(
        ends_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert selectors.active_restriction(user=person) is None
    QuestionFactory(author=person)
    actions = set(AuditEntry.objects.filter(target_user=person).values_list("action", flat=True))
    assert {"sanction", "appeal"} <= actions


def test_granting_an_appeal_lifts_the_sanction(staff):
    person = UserFactory()
    sanction = services.sanction_apply(
        user=person, by=staff, kind="suspend", reason="Spamming links everywhere.", days=7
    )
    services.sanction_appeal(sanction=sanction, by=person, text="My account was hacked, sorry.")
    services.sanction_decide_appeal(sanction=sanction, by=staff, grant=True)
    assert selectors.active_restriction(user=person) is None


def test_sanction_refusals(staff):
    person = UserFactory()
    with pytest.raises(PermissionRefused):
        services.sanction_apply(
            user=person, by=UserFactory(reputation=100000), kind="warn", reason="You are rude here."
        )
    with pytest.raises(ValidationFailed):
        services.sanction_apply(user=person, by=staff, kind="silence", reason="You are rude here.")
    with pytest.raises(ValidationFailed):
        services.sanction_apply(
            user=person, by=staff, kind="ban", reason="You are rude here.", days=1
        )
    with pytest.raises(ValidationFailed):
        services.sanction_apply(user=person, by=staff, kind="warn", reason="rude")
    with pytest.raises(ValidationFailed):
        services.sanction_apply(user=staff, by=staff, kind="warn", reason="Testing on myself.")
    with pytest.raises(PermissionRefused):
        services.sanction_apply(
            user=UserFactory(is_staff=True),
            by=staff,
            kind="warn",
            reason="Staff are handled elsewhere.",
        )
    warning = services.sanction_apply(
        user=person, by=staff, kind="warn", reason="Please be kinder to newcomers."
    )
    assert selectors.active_restriction(user=person) is None
    with pytest.raises(PermissionRefused):
        services.sanction_appeal(sanction=warning, by=UserFactory(), text="Not my sanction at all.")


def test_a_voting_ring_is_detected_and_reversed():
    """Three accounts upvote each other's answers in bulk: the detector removes the votes, puts
    the scores back, reverses exactly what the votes moved and logs each pattern."""
    ring = [UserFactory(reputation=100) for _ in range(3)]
    answers = {
        m.pk: [AnswerFactory(question=QuestionFactory(), author=m) for _ in range(5)] for m in ring
    }
    honest = UserFactory(reputation=100)
    qa.vote_cast(post=answers[ring[0].pk][0], user=honest, value=1)
    for voter in ring:
        voter.refresh_from_db()
        for other in ring:
            if other.pk != voter.pk:
                for a in answers[other.pk]:
                    qa.vote_cast(post=a, user=voter, value=1)
    for m in ring:
        m.refresh_from_db()
    assert [m.reputation for m in ring] == [210, 200, 200]
    assert Post.objects.get(pk=answers[ring[0].pk][0].pk).score == 3
    out = io.StringIO()
    call_command("detect_serial_voting", stdout=out)
    assert "6 serial voting patterns reversed" in out.getvalue()
    for m in ring:
        m.refresh_from_db()
    # The honest vote stays; the ring's votes are gone.
    assert [m.reputation for m in ring] == [110, 100, 100]
    assert Vote.objects.filter(user__in=ring).count() == 0
    assert Vote.objects.filter(user=honest).count() == 1
    first = Post.objects.get(pk=answers[ring[0].pk][0].pk)
    assert (first.score, first.up_votes, first.down_votes) == (1, 1, 0)
    for m in ring[1:]:
        assert set(Post.objects.filter(author=m).values_list("score", "up_votes")) == {(0, 0)}
    entries = AuditEntry.objects.filter(action="reversal")
    assert entries.count() == 6
    entry = entries.get(target_user=ring[0], details__voter=ring[1].pk)
    assert entry.details["amount"] == -50 and len(entry.details["votes_removed"]) == 5
    assert ReputationEvent.objects.filter(cause="serial_voting").count() == 30
    # The ledger agrees: only the honest vote is left standing.
    totals = [
        sum(ReputationEvent.objects.filter(user=m).values_list("amount", flat=True)) for m in ring
    ]
    assert totals == [10, 0, 0]
    # Running again finds nothing new; withdrawing a removed vote changes nothing.
    assert services.serial_voting_reverse() == []
    qa.vote_cast(post=answers[ring[0].pk][0], user=ring[1], value=0)
    ring[0].refresh_from_db()
    assert ring[0].reputation == 110


def test_serial_downvoting_is_reversed_with_the_voters_own_cost(question):
    victim, voter = UserFactory(reputation=100), UserFactory(reputation=500)
    answers = [AnswerFactory(question=QuestionFactory(), author=victim) for _ in range(5)]
    for a in answers:
        qa.vote_cast(post=a, user=voter, value=-1)
    victim.refresh_from_db()
    voter.refresh_from_db()
    assert (victim.reputation, voter.reputation) == (90, 495)
    assert services.serial_voting_reverse() == [(voter.pk, victim.pk)]
    victim.refresh_from_db()
    voter.refresh_from_db()
    assert (victim.reputation, voter.reputation) == (100, 500)
    assert set(Post.objects.filter(author=victim).values_list("score", "down_votes")) == {(0, 0)}
    assert not Vote.objects.filter(user=voter).exists()


def test_a_few_votes_are_not_serial(question):
    voter = UserFactory()
    for _ in range(4):
        qa.vote_cast(
            post=AnswerFactory(question=QuestionFactory(), author=question.author),
            user=voter,
            value=1,
        )
    assert services.serial_voting_reverse() == []


def test_moderators_see_the_whole_audit_log_and_people_what_concerns_them(question, staff):
    person, bystander = UserFactory(), UserFactory()
    services.sanction_apply(user=person, by=staff, kind="warn", reason="Please stay on topic here.")
    services.post_lock(post=question, by=staff, locked=True, reason="Edit war")
    assert selectors.audit_log_for(viewer=staff).count() == 2
    assert [e.action for e in selectors.audit_log_for(viewer=person)] == ["sanction"]
    assert not selectors.audit_log_for(viewer=bystander).exists()
    with pytest.raises(PermissionRefused):
        services.post_lock(post=question, by=person, locked=False, reason="I want to edit")
