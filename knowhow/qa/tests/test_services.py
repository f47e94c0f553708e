"""Q&A services: the happy paths and every refusal."""

import pytest

from knowhow.core.errors import NotFound, PermissionRefused, ValidationFailed
from knowhow.core.tests.factories import AnswerFactory, QuestionFactory, UserFactory
from knowhow.qa import services
from knowhow.qa.models import Comment, Post, Tag, Vote
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


# --- asking and answering -------------------------------------------------------------------


def test_tags_are_normalised_deduplicated_and_accept_a_list(user, default_space):
    q = services.question_ask(
        author=user,
        space=default_space,
        title="  How   do I   reset my VPN token?  ",
        body="The token app says my seed expired; who resets it?",
        tags=["VPN", "vpn", "c++", "c#"],
    )
    assert q.title == "How do I reset my VPN token?"
    assert sorted(q.tags.values_list("name", flat=True)) == ["c#", "c++", "vpn"]


def test_anonymous_cannot_ask_answer_comment_or_vote(question):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    with pytest.raises(PermissionRefused):
        services.question_ask(
            author=anonymous,
            space=question.space,
            title="A question from nobody at all",
            body="Anonymous people cannot ask anything here.",
            tags="x",
        )
    with pytest.raises(PermissionRefused):
        services.answer_post(author=anonymous, question=question, body="x" * 30)
    with pytest.raises(PermissionRefused):
        services.comment_add(post=question, author=anonymous, body="hello there")
    with pytest.raises(PermissionRefused):
        services.vote_cast(post=question, user=anonymous, value=1)


def test_an_inactive_user_is_refused(question):
    inactive = UserFactory(is_active=False)
    with pytest.raises(PermissionRefused):
        services.answer_post(author=inactive, question=question, body="x" * 30)


def test_answering_records_a_revision_and_bumps_activity(question, other_user):
    before = Post.objects.get(pk=question.pk).last_activity_at
    answer = services.answer_post(
        author=other_user, question=question, body="Use the export button on the report page."
    )
    assert answer.space_id == question.space_id and answer.question_id == question.pk
    assert answer.revisions.get().summary == "Answered"
    question.refresh_from_db()
    assert question.last_activity_at >= before


def test_an_answer_cannot_be_answered(question, other_user):
    answer = AnswerFactory(question=question)
    with pytest.raises(ValidationFailed, match="only be posted to questions"):
        services.answer_post(author=other_user, question=answer, body="x" * 30)


def test_a_closed_question_takes_no_answers(question, other_user):
    from django.utils import timezone

    Post.objects.filter(pk=question.pk).update(closed_at=timezone.now(), close_reason="other")
    with pytest.raises(ValidationFailed, match="closed"):
        services.answer_post(author=other_user, question=question, body="x" * 30)
    assert question.answers.count() == 0


def test_an_answer_body_is_validated(question, other_user):
    with pytest.raises(ValidationFailed) as error:
        services.answer_post(author=other_user, question=question, body="   too short   ")
    assert error.value.field == "body"


def test_a_non_member_cannot_answer_in_a_private_space(private_space, other_user):
    q = QuestionFactory(space=private_space)
    with pytest.raises(NotFound):
        services.answer_post(author=other_user, question=q, body="x" * 30)


# --- comments -------------------------------------------------------------------------------


def test_comments_are_added_counted_and_deleted_by_their_author_or_a_moderator(
    question, other_user, staff
):
    comment = services.comment_add(post=question, author=other_user, body="  Which   version? ")
    assert comment.body == "Which version?"
    question.refresh_from_db()
    assert question.comment_count == 1
    with pytest.raises(PermissionRefused):
        services.comment_delete(comment=comment, by=question.author)
    services.comment_delete(comment=comment, by=other_user)
    question.refresh_from_db()
    assert question.comment_count == 0
    with pytest.raises(ValidationFailed, match="already deleted"):
        services.comment_delete(comment=comment, by=other_user)
    second = services.comment_add(post=question, author=other_user, body="Another one")
    services.comment_delete(comment=second, by=staff)
    assert Comment.objects.get(pk=second.pk).is_deleted


@pytest.mark.parametrize("body", ["", " ", "x", "y" * 1001])
def test_comments_refuse_empty_or_long_text(question, other_user, body):
    with pytest.raises(ValidationFailed):
        services.comment_add(post=question, author=other_user, body=body)


def test_comments_on_an_answer_bump_the_question_activity(question, other_user):
    answer = AnswerFactory(question=question)
    before = Post.objects.get(pk=question.pk).last_activity_at
    services.comment_add(post=answer, author=other_user, body="Works for me too")
    assert Post.objects.get(pk=answer.pk).comment_count == 1
    assert Post.objects.get(pk=question.pk).last_activity_at >= before


def test_a_deleted_post_takes_no_comments(question, other_user):
    services.post_delete(post=question, by=question.author)
    with pytest.raises(PostIsDeleted):
        services.comment_add(post=question, author=question.author, body="Hello again")


# --- editing --------------------------------------------------------------------------------


def test_each_edit_adds_a_numbered_revision_with_the_full_text(question, other_user, staff):
    services.post_edit(
        post=question,
        by=question.author,
        title="How do I export a report to CSV quickly?",
        body=question.body,
        tags="reporting csv",
        summary="clearer title",
    )
    services.post_edit(post=question, by=staff, body=question.body + " Thanks!")
    revisions = list(question.revisions.order_by("number"))
    assert [r.number for r in revisions] == [1, 2, 3]
    assert revisions[1].summary == "clearer title"
    assert revisions[1].tag_names == "csv reporting"
    assert revisions[2].author == staff and revisions[2].summary == "Edited"
    question.refresh_from_db()
    assert question.last_editor == staff and question.edited_at is not None
    assert Tag.objects.get(name="csv").question_count == 1


def test_editing_tags_moves_the_counts(question):
    services.post_edit(post=question, by=question.author, body=question.body, tags="csv excel")
    assert Tag.objects.get(name="reporting").question_count == 0
    assert Tag.objects.get(name="excel").question_count == 1


def test_editing_an_answer_keeps_its_title_empty(question, other_user):
    answer = AnswerFactory(question=question, author=other_user)
    services.post_edit(
        post=answer, by=other_user, title="Ignored", body="A better answer than before."
    )
    answer.refresh_from_db()
    assert answer.title == "" and answer.revisions.count() == 2


def test_a_deleted_post_cannot_be_edited(question):
    services.post_delete(post=question, by=question.author)
    with pytest.raises(PostIsDeleted):
        services.post_edit(post=question, by=question.author, body="x" * 40)


def test_edit_validates_title_body_and_tags(question):
    with pytest.raises(ValidationFailed):
        services.post_edit(post=question, by=question.author, body="short")
    with pytest.raises(ValidationFailed):
        services.post_edit(post=question, by=question.author, body=question.body, title="Short")
    with pytest.raises(ValidationFailed):
        services.post_edit(
            post=question, by=question.author, body=question.body, tags="a b c d e f"
        )


# --- votes ----------------------------------------------------------------------------------


def test_a_down_vote_then_withdrawal_restores_the_score(question, other_user):
    services.vote_cast(post=question, user=other_user, value=-1)
    post = services.vote_cast(post=question, user=other_user, value=0)
    assert (post.score, post.up_votes, post.down_votes) == (0, 0, 0)
    # Withdrawing a vote that does not exist is a no-op.
    services.vote_cast(post=question, user=other_user, value=0)
    assert not Vote.objects.exists()


def test_votes_from_several_people_add_up(question):
    for _ in range(3):
        services.vote_cast(post=question, user=UserFactory(), value=1)
    services.vote_cast(post=question, user=UserFactory(), value=-1)
    question.refresh_from_db()
    assert (question.score, question.up_votes, question.down_votes) == (2, 3, 1)


def test_no_votes_on_a_deleted_post(question, other_user, staff):
    answer = AnswerFactory(question=question)
    services.post_delete(post=answer, by=answer.author)
    # A moderator still sees it, but cannot vote; others do not see it at all.
    with pytest.raises(PostIsDeleted):
        services.vote_cast(post=answer, user=staff, value=1)
    with pytest.raises(NotFound):
        services.vote_cast(post=answer, user=other_user, value=1)


def test_no_votes_comments_or_accepting_on_answers_of_a_deleted_question(question, other_user):
    answer = AnswerFactory(question=question)
    services.post_delete(post=question, by=question.author)
    # The asker (and moderators) still see the deleted question, but it is frozen.
    with pytest.raises(PostIsDeleted):
        services.vote_cast(post=answer, user=question.author, value=1)
    with pytest.raises(PostIsDeleted):
        services.comment_add(post=answer, author=question.author, body="Still here")
    with pytest.raises(PostIsDeleted):
        services.answer_accept(answer=answer, by=question.author)
    # Everyone else no longer sees the answer at all.
    with pytest.raises(NotFound):
        services.vote_cast(post=answer, user=other_user, value=1)


def test_own_post_votes_are_refused_for_answers_too(question):
    answer = AnswerFactory(question=question)
    with pytest.raises(VoteOnOwnPost, match="your own post"):
        services.vote_cast(post=answer, user=answer.author, value=-1)


# --- accepting ------------------------------------------------------------------------------


def test_accepting_twice_is_a_no_op_and_unaccepting_another_answer_changes_nothing(question):
    first = AnswerFactory(question=question)
    second = AnswerFactory(question=question)
    services.answer_accept(answer=first, by=question.author)
    services.answer_accept(answer=first, by=question.author)
    services.answer_unaccept(answer=second, by=question.author)
    question.refresh_from_db()
    assert question.accepted_answer_id == first.pk


def test_a_question_cannot_be_accepted(question):
    with pytest.raises(ValidationFailed, match="Only answers"):
        services.answer_accept(answer=question, by=question.author)


def test_a_deleted_answer_cannot_be_accepted_and_deleting_unaccepts(question):
    answer = AnswerFactory(question=question)
    services.answer_accept(answer=answer, by=question.author)
    services.post_delete(post=answer, by=answer.author)
    question.refresh_from_db()
    assert question.accepted_answer_id is None and question.answer_count == 0
    with pytest.raises(NotFound):
        services.answer_accept(answer=answer, by=question.author)


def test_anonymous_cannot_accept(question):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionRefused):
        services.answer_accept(answer=AnswerFactory(question=question), by=AnonymousUser())


# --- deleting -------------------------------------------------------------------------------


def test_deleting_an_answer_updates_the_count_and_a_moderator_may_undelete(question, staff):
    answer = AnswerFactory(question=question)
    services.post_delete(post=answer, by=staff)
    question.refresh_from_db()
    assert question.answer_count == 0
    deleted = Post.objects.get(pk=answer.pk)
    assert deleted.is_deleted and deleted.deleted_by == staff
    with pytest.raises(ValidationFailed, match="not deleted"):
        services.post_undelete(post=question, by=question.author)
    services.post_undelete(post=answer, by=staff)
    question.refresh_from_db()
    assert question.answer_count == 1


def test_a_space_moderator_may_delete_others_posts(question):
    from knowhow.spaces.models import SpaceMembership
    from knowhow.spaces.services import space_add_member

    moderator = UserFactory()
    space_add_member(space=question.space, user=moderator, role=SpaceMembership.Role.MODERATOR)
    services.post_delete(post=question, by=moderator)
    assert Post.objects.get(pk=question.pk).is_deleted


def test_deleted_questions_leave_the_lists(question, other_user):
    from knowhow.qa import selectors

    services.post_delete(post=question, by=question.author)
    assert question not in selectors.question_list(viewer=other_user)


# --- tags and views -------------------------------------------------------------------------


def test_following_a_tag_is_idempotent_and_unfollowing_removes_it(question, other_user):
    from knowhow.qa.models import TagFollow
    from knowhow.qa.selectors import followed_tag_ids

    tag = Tag.objects.get(name="reporting")
    services.tag_follow(user=other_user, tag=tag)
    services.tag_follow(user=other_user, tag=tag)
    assert TagFollow.objects.filter(user=other_user).count() == 1
    assert followed_tag_ids(user=other_user) == {tag.pk}
    services.tag_unfollow(user=other_user, tag=tag)
    services.tag_unfollow(user=other_user, tag=tag)
    assert followed_tag_ids(user=other_user) == set()


def test_only_staff_edit_tag_descriptions(question, other_user, staff):
    tag = Tag.objects.get(name="reporting")
    with pytest.raises(PermissionRefused):
        services.tag_update_description(
            tag=tag, by=other_user, excerpt="x", description="**Reports**"
        )
    services.tag_update_description(tag=tag, by=staff, excerpt=" Reports ", description="**R**")
    tag.refresh_from_db()
    assert tag.excerpt == "Reports" and "<strong>R</strong>" in tag.description_html


def test_views_count_again_the_next_day(question):
    import datetime
    from unittest import mock

    from django.utils import timezone

    assert services.question_record_view(question=question, viewer_key="u1")
    assert not services.question_record_view(question=question, viewer_key="u1")
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    with mock.patch.object(timezone, "now", return_value=tomorrow):
        assert services.question_record_view(question=question, viewer_key="u1")
    question.refresh_from_db()
    assert question.view_count == 2


def test_a_view_the_cache_forgot_is_still_counted_once(question):
    """The database decides: a repeat view in another process (or after the cache dropped its
    entry) updates nothing."""
    from django.core.cache import cache

    assert services.question_record_view(question=question, viewer_key="u1")
    cache.clear()
    assert not services.question_record_view(question=question, viewer_key="u1")
    question.refresh_from_db()
    assert question.view_count == 1


def test_the_post_changed_signal_is_sent_after_commit(
    question, other_user, django_capture_on_commit_callbacks
):
    from knowhow.qa.signals import post_changed

    seen = []

    def receiver(sender, post_id, **kwargs):
        seen.append(post_id)

    post_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.vote_cast(post=question, user=other_user, value=1)
    finally:
        post_changed.disconnect(receiver)
    assert seen == [question.pk]


def test_null_characters_are_dropped_before_storing(user, default_space, other_user):
    q = services.question_ask(
        author=user,
        space=default_space,
        title="A title with a\x00 null character",
        body="A body with a\x00 null character in the middle.",
        tags=["nu\x00ll"],
    )
    assert "\x00" not in q.title + q.body and q.tags.get().name == "null"
    comment = services.comment_add(post=q, author=other_user, body="a\x00b comment")
    assert comment.body == "ab comment"
