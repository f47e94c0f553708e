"""Fixtures for analytics: a database with realistic activity spread over two months."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from knowhow.analytics.models import Event, EventKind
from knowhow.core.tests.factories import AnswerFactory, QuestionFactory, UserFactory
from knowhow.qa.models import Comment, Post


@pytest.fixture
def activity_world(db, default_space):
    """30 people in 3 departments, 40 questions over 60 days with answers, votes, views,
    searches and comments, each event dated when it happened."""
    rng = random.Random(7)
    now = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    departments = ["Sales", "Finance", "IT"]
    people = [UserFactory(department=departments[i % 3]) for i in range(30)]
    tags = ["excel", "sql", "onboarding", "security"]
    events = []
    questions = []
    for i in range(40):
        asked_at = now - timedelta(days=rng.randint(0, 59), hours=rng.randint(0, 8))
        asker = people[i % 30]
        tag = tags[i % 4]
        q = QuestionFactory(author=asker, title=f"Question number {i} about {tag} work", tags=[tag])
        Post.objects.filter(pk=q.pk).update(created_at=asked_at, view_count=rng.randint(5, 200))
        questions.append(q)
        events.append(
            Event(
                kind=EventKind.QUESTION_ASKED,
                actor=asker,
                department=asker.department,
                space_id=default_space.pk,
                post_id=q.pk,
                question_id=q.pk,
                tag_names=tag,
                occurred_at=asked_at,
            )
        )
        if tag != "security":  # security questions stay unanswered: a knowledge gap
            answerer = people[(i + 7) % 30]
            answered_at = asked_at + timedelta(hours=rng.randint(1, 30))
            a = AnswerFactory(question=q, author=answerer)
            Post.objects.filter(pk=a.pk).update(created_at=answered_at, score=rng.randint(0, 3))
            events.append(
                Event(
                    kind=EventKind.ANSWER_POSTED,
                    actor=answerer,
                    department=answerer.department,
                    space_id=default_space.pk,
                    post_id=a.pk,
                    question_id=q.pk,
                    tag_names=tag,
                    occurred_at=answered_at,
                )
            )
            if i % 2 == 0:
                Post.objects.filter(pk=q.pk).update(accepted_answer=a)
        for reader in rng.sample(people, 5):
            events.append(
                Event(
                    kind=EventKind.QUESTION_VIEWED,
                    actor=reader,
                    department=reader.department,
                    space_id=default_space.pk,
                    post_id=q.pk,
                    question_id=q.pk,
                    tag_names=tag,
                    occurred_at=asked_at + timedelta(hours=rng.randint(1, 48)),
                )
            )
    for term, results in [
        ("vpn token", 0),
        ("vpn token", 0),
        ("expense policy", 0),
        ("excel pivot", 3),
    ]:
        events.append(
            Event(
                kind=EventKind.SEARCH,
                actor=people[0],
                department="Sales",
                value=results,
                meta={"q": term},
                occurred_at=now - timedelta(days=1),
            )
        )
    Event.objects.bulk_create(events)
    Comment.objects.bulk_create(
        [
            Comment(
                post=questions[0],
                author=people[1],
                body="This is great, thank you so much!",
                body_html="",
                created_at=now - timedelta(days=1),
            ),
            Comment(
                post=questions[1],
                author=people[2],
                body="This is useless and wrong.",
                body_html="",
                created_at=now - timedelta(days=1),
            ),
        ]
    )
    return {"people": people, "questions": questions, "now": now}
