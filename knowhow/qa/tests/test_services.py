"""Q&A services: the happy paths and every refusal."""

import pytest

from knowhow.core.errors import NotFound, PermissionRefused, ValidationFailed
from knowhow.core.tests.factories import AnswerFactory, QuestionFactory, UserFactory
from knowhow.qa import services
from knowhow.qa.models import Post, Tag, Vote
from knowhow.qa.permissions import NotTheAsker, PostIsDeleted, VoteOnOwnPost

pytestmark = pytest.mark.django_db


def test_asking_creates_the_first_revision_and_counts_tags(user, default_space):
    q = services.question_ask(
        author=user,
        space=default_space,
        title="How do I reset my VPN token?",
        body="The token app says my seed expired; who resets it?",
        tags="vpn security",
    )
    assert q.revisions.count() == 1
    assert sorted(q.tags.values_list("name", flat=True)) == ["security", "vpn"]
    assert Tag.objects.get(name="vpn").question_count == 1


@pytest.mark.parametrize(
    ("title", "body", "tags", "field"),
    [
        ("", "A body that is long enough to pass.", "x", "title"),
        ("Short", "A body that is long enough to pass.", "x", "title"),
        ("A perfectly fine title here", "", "x", "body"),
        ("A perfectly fine title here", "x" * 50_001, "x", "body"),
        ("A perfectly fine title here", "A body that is long enough to pass.", "", "tags"),
        (
            "A perfectly fine title here",
            "A body that is long enough to pass.",
            "a b c d e f",
            "tags",
        ),
        ("A perfectly fine title here", "A body that is long enough to pass.", "<script>", "tags"),
    ],
)
def test_asking_refuses_bad_input(user, default_space, title, body, tags, field):
    with pytest.raises(ValidationFailed) as error:
        services.question_ask(author=user, space=default_space, title=title, body=body, tags=tags)
    assert error.value.field == field
    assert not Post.objects.exists()


def test_a_non_member_cannot_ask_in_a_private_space(user, private_space):
    with pytest.raises(PermissionRefused):
        services.question_ask(
            author=user,
            space=private_space,
            title="A secret pilot question",
            body="Nobody outside the pilot should see this.",
            tags="pilot",
        )


def test_answering_bumps_the_count_and_refuses_a_deleted_question(question, other_user):
    services.answer_post(
        author=other_user, question=question, body="Use the export button on the report page."
    )
    question.refresh_from_db()
    assert question.answer_count == 1
    services.post_delete(post=question, by=question.author)
    with pytest.raises(PostIsDeleted):
        services.answer_post(
            author=other_user, question=question, body="Another answer that comes too late."
        )


def test_votes_are_one_per_person_changeable_and_never_on_own_post(question, other_user):
    services.vote_cast(post=question, user=other_user, value=1)
    services.vote_cast(post=question, user=other_user, value=1)
    question.refresh_from_db()
    assert (question.score, question.up_votes) == (1, 1)
    services.vote_cast(post=question, user=other_user, value=-1)
    question.refresh_from_db()
    assert (question.score, question.up_votes, question.down_votes) == (-1, 0, 1)
    services.vote_cast(post=question, user=other_user, value=0)
    question.refresh_from_db()
    assert question.score == 0 and not Vote.objects.exists()
    with pytest.raises(VoteOnOwnPost):
        services.vote_cast(post=question, user=question.author, value=1)
    with pytest.raises(ValidationFailed):
        services.vote_cast(post=question, user=other_user, value=5)


def test_only_the_asker_accepts_and_can_change_the_accepted_answer(question, other_user):
    first = AnswerFactory(question=question)
    second = AnswerFactory(question=question)
    with pytest.raises(NotTheAsker):
        services.answer_accept(answer=first, by=other_user)
    services.answer_accept(answer=first, by=question.author)
    services.answer_accept(answer=second, by=question.author)
    question.refresh_from_db()
    assert question.accepted_answer_id == second.pk
    services.answer_unaccept(answer=second, by=question.author)
    question.refresh_from_db()
    assert question.accepted_answer_id is None


def test_edit_keeps_revisions_and_refuses_strangers(question, other_user):
    services.post_edit(
        post=question,
        by=question.author,
        title=question.title + " (edited)",
        body=question.body + " More detail.",
        tags="reporting csv",
    )
    assert question.revisions.count() == 2
    with pytest.raises(PermissionRefused):
        services.post_edit(
            post=question, by=other_user, body="Vandalism that is long enough to count."
        )
    with pytest.raises(ValidationFailed):
        services.post_edit(
            post=question,
            by=question.author,
            body=Post.objects.get(pk=question.pk).body,
            title=Post.objects.get(pk=question.pk).title,
            tags="reporting csv",
        )


def test_delete_and_undelete_own_post_only(question, other_user):
    with pytest.raises(PermissionRefused):
        services.post_delete(post=question, by=other_user)
    services.post_delete(post=question, by=question.author)
    assert Tag.objects.get(name="reporting").question_count == 0
    with pytest.raises(ValidationFailed):
        services.post_delete(post=question, by=question.author)
    with pytest.raises(NotFound):
        services.post_undelete(post=question, by=other_user)
    services.post_undelete(post=question, by=question.author)
    assert Tag.objects.get(name="reporting").question_count == 1


def test_views_count_once_per_viewer_per_day(question):
    assert services.question_record_view(question=question, viewer_key="u1")
    assert not services.question_record_view(question=question, viewer_key="u1")
    assert services.question_record_view(question=question, viewer_key="u2")
    question.refresh_from_db()
    assert question.view_count == 2


def test_factories_make_questions_in_private_spaces_for_members(private_space):
    q = QuestionFactory(space=private_space, author=UserFactory())
    assert q.space == private_space
