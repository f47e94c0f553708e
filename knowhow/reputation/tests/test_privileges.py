"""Privileges unlock at thresholds; presets and admin overrides; new-user rate limits."""

import pytest
from django.test import override_settings

from knowhow.core.errors import PermissionRefused
from knowhow.core.tests.factories import AnswerFactory, QuestionFactory, UserFactory, add_member
from knowhow.qa import services
from knowhow.qa.models import Tag
from knowhow.qa.permissions import PrivilegeMissing, RateLimited
from knowhow.reputation.config import Privilege
from knowhow.reputation.models import PrivilegeThreshold
from knowhow.reputation.privileges import has_privilege, next_privilege, privileges_for, thresholds
from knowhow.spaces.models import SpaceMembership
from knowhow.spaces.selectors import default_space

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_user(db):
    Tag.objects.get_or_create(name="reporting")
    return UserFactory(reputation=1)


def test_a_new_user_cannot_upvote_or_downvote(question, new_user):
    with pytest.raises(PrivilegeMissing, match="15 reputation"):
        services.vote_cast(post=question, user=new_user, value=1)
    with pytest.raises(PrivilegeMissing):
        services.vote_cast(post=question, user=new_user, value=-1)


def test_upvoting_at_15_but_downvoting_needs_125(question):
    voter = UserFactory(reputation=15)
    services.vote_cast(post=question, user=voter, value=1)
    with pytest.raises(PrivilegeMissing, match="125"):
        services.vote_cast(post=question, user=voter, value=-1)
    # Withdrawing is always allowed.
    services.vote_cast(post=question, user=voter, value=0)


def test_a_new_user_comments_only_on_own_posts_and_answers_to_own_questions(new_user):
    own_question = QuestionFactory(author=new_user)
    other_question = QuestionFactory(author=UserFactory())
    answer = AnswerFactory(question=own_question)
    services.comment_add(post=own_question, author=new_user, body="Some more detail here.")
    services.comment_add(post=answer, author=new_user, body="Thanks, that worked.")
    with pytest.raises(PrivilegeMissing, match="Comment everywhere"):
        services.comment_add(post=other_question, author=new_user, body="Me too!")


def test_creating_tags_needs_the_privilege_but_existing_tags_are_free(new_user):
    QuestionFactory(tags=("reporting",))
    QuestionFactory(author=new_user, tags=("reporting",))
    with pytest.raises(PrivilegeMissing) as error:
        services.question_ask(
            author=new_user,
            space=default_space(),
            title="A question with a brand new tag",
            body="Asking about something nobody tagged before.",
            tags="brand-new-tag",
        )
    assert error.value.field == "tags"


def test_editing_others_needs_the_privilege(question):
    with pytest.raises(PermissionRefused):
        services.post_edit(post=question, by=UserFactory(), body="A rewrite of the whole question.")
    editor = UserFactory(reputation=1000)
    services.post_edit(post=question, by=editor, body="A rewrite of the whole question body.")


def test_staff_and_space_moderators_hold_every_privilege_in_scope(question, staff, private_space):
    new_mod = UserFactory(reputation=1)
    add_member(private_space, new_mod, SpaceMembership.Role.MODERATOR)
    private_q = QuestionFactory(space=private_space)
    services.vote_cast(post=private_q, user=new_mod, value=-1)
    with pytest.raises(PrivilegeMissing):
        services.vote_cast(post=question, user=new_mod, value=-1)
    services.vote_cast(post=question, user=UserFactory(reputation=1, is_staff=True), value=-1)
    assert all(p.held for p in privileges_for(staff))


def test_presets_and_admin_overrides():
    assert thresholds()[Privilege.CLOSE_REOPEN] == 500
    with override_settings(KNOWHOW_REPUTATION={"PRIVILEGE_PRESET": "established"}):
        from knowhow.reputation.privileges import thresholds_changed

        thresholds_changed()
        assert thresholds()[Privilege.CLOSE_REOPEN] == 3000
        thresholds_changed()
    PrivilegeThreshold.objects.create(privilege=Privilege.VOTE_UP, reputation=1)
    assert has_privilege(UserFactory(reputation=1), Privilege.VOTE_UP)


def test_next_privilege_says_what_is_missing(new_user):
    nxt = next_privilege(new_user)
    assert nxt is not None and nxt.threshold == 15 and nxt.missing == 14


def test_a_spam_burst_by_a_new_account_is_stopped(new_user):
    QuestionFactory(author=new_user, title="Buy cheap watches here now")
    QuestionFactory(author=new_user, title="Buy cheap watches here again")
    with pytest.raises(RateLimited):
        QuestionFactory(author=new_user, title="Buy cheap watches here thrice")


def test_new_users_may_post_few_links(new_user):
    body = "See https://a.example and https://b.example and https://c.example now."
    with pytest.raises(RateLimited) as error:
        QuestionFactory(author=new_user, body=body)
    assert error.value.field == "body" and error.value.status_code == 429
    QuestionFactory(author=UserFactory(), body=body)


@override_settings(
    KNOWHOW_REPUTATION={"NEW_USER_POSTS_PER_MINUTE": 100, "NEW_USER_POSTS_PER_DAY": 3}
)
def test_new_users_have_a_daily_limit(new_user):
    for i in range(3):
        QuestionFactory(author=new_user, title=f"A question number {i} today")
    with pytest.raises(RateLimited, match="today"):
        QuestionFactory(author=new_user, title="One question too many today")
