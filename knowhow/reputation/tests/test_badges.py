"""Badges awarded on events and by the scheduled check."""

import datetime
import io

import pytest
from django.core.management import call_command

from knowhow.core.errors import ValidationFailed
from knowhow.core.tests.factories import AnswerFactory, QuestionFactory, UserFactory
from knowhow.qa import services
from knowhow.qa.models import Post
from knowhow.reputation.badges import badge_award, badges_on_reviews
from knowhow.reputation.models import UserBadge, UserTagScore
from knowhow.reputation.selectors import badge_counts_for

pytestmark = pytest.mark.django_db


def slugs(user) -> set[str]:
    return set(UserBadge.objects.filter(user=user).values_list("badge__slug", flat=True))


def test_first_question_and_first_answer_badges_once(question):
    QuestionFactory(author=question.author)
    answer = AnswerFactory(question=question)
    assert slugs(question.author) == {"first-question"}
    assert slugs(answer.author) == {"first-answer"}
    assert UserBadge.objects.filter(user=question.author).count() == 1


def test_accepted_fast_answer_and_teacher(question):
    answer = AnswerFactory(question=question)
    services.vote_cast(post=answer, user=UserFactory(), value=1)
    services.answer_accept(answer=answer, by=question.author)
    assert {"first-accepted", "fast-answer", "teacher"} <= slugs(answer.author)


def test_a_slow_answer_is_not_fast(question):
    Post.objects.filter(pk=question.pk).update(
        created_at=question.created_at - datetime.timedelta(hours=2)
    )
    question.refresh_from_db()
    answer = AnswerFactory(question=question)
    services.answer_accept(answer=answer, by=question.author)
    assert "fast-answer" not in slugs(answer.author)


def test_enlightened_needs_first_answer_accepted_with_score_ten(question):
    answer = AnswerFactory(question=question)
    services.answer_accept(answer=answer, by=question.author)
    for _ in range(10):
        services.vote_cast(post=answer, user=UserFactory(), value=1)
    assert "enlightened" in slugs(answer.author)


def test_editor_badge_for_editing_someone_else(question):
    editor = UserFactory(reputation=1000)
    services.post_edit(post=question, by=editor, body="A clearer body for this question, please.")
    assert "editor" in slugs(editor)


def test_tag_badges_come_from_the_scheduled_check(question):
    person = UserFactory()
    UserTagScore.objects.create(user=person, tag=question.tags.get(), score=450)
    call_command("check_badges", stdout=io.StringIO())
    assert {"tag-bronze-reporting", "tag-silver-reporting"} <= slugs(person)
    assert "tag-gold-reporting" not in slugs(person)


def test_other_apps_award_their_badges_through_the_service():
    person = UserFactory()
    assert badge_award(user=person, slug="video-maker") is not None
    assert badge_award(user=person, slug="video-maker") is None
    badges_on_reviews(reviewer=person, completed=20)
    assert slugs(person) == {"video-maker", "reviewer"}
    with pytest.raises(ValidationFailed):
        badge_award(user=person, slug="no-such-badge")
    assert badge_counts_for(user_ids=[person.pk]) == {person.pk: {3: 1, 2: 1}}
