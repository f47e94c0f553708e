"""A silence or suspension holds in every app that publishes, not only in Q&A: videos,
curated resources and collections, and bounties refuse a sanctioned person with the reason."""

import datetime

import pytest
from django.utils import timezone

from knowhow.core.errors import PermissionRefused
from knowhow.core.tests.factories import QuestionFactory, UserFactory
from knowhow.curation import services as curation
from knowhow.moderation import services
from knowhow.qa.models import Post
from knowhow.reputation.bounties import bounty_offer
from knowhow.spaces.selectors import default_space
from knowhow.videos import services as videos

pytestmark = pytest.mark.django_db

REASON = "Spamming links to a competitor."


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, reputation=1000)


@pytest.fixture(params=["silence", "suspend"])
def person(request, staff):
    person = UserFactory(reputation=2000)
    services.sanction_apply(user=person, by=staff, kind=request.param, reason=REASON, days=3)
    return person


def test_a_sanctioned_person_uploads_no_video(person):
    with pytest.raises(PermissionRefused, match=REASON):
        videos.upload_create(
            user=person, space=default_space(), title="How to fill a timesheet", length=1000
        )


def test_a_sanctioned_person_curates_nothing(person):
    space = default_space()
    curator = UserFactory(reputation=2000)
    resource = curation.resource_add(
        by=curator, space=space, url="https://example.com/guide", fetch=False
    )
    collection = curation.collection_create(
        by=curator, space=space, title="Onboarding", is_path=True
    )
    for attempt in (
        lambda: curation.resource_add(by=person, space=space, url="https://example.com/b"),
        lambda: curation.collection_create(by=person, space=space, title="My picks"),
        lambda: curation.resource_vote(resource=resource, user=person, value=1),
        lambda: curation.resource_comment_add(resource=resource, author=person, body="Great!"),
        lambda: curation.resource_review(resource=resource, author=person, rating=5, line="Yes"),
        lambda: curation.resource_flag(resource=resource, user=person, reason="spam"),
    ):
        with pytest.raises(PermissionRefused, match=REASON):
            attempt()
    # Reading and learning stay open: enrolling in a path is not publishing.
    assert curation.path_enrol(collection=collection, user=person).pk


def test_a_sanctioned_person_offers_no_bounty(person):
    question = QuestionFactory()
    Post.objects.filter(pk=question.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=5)
    )
    question.refresh_from_db()
    with pytest.raises(PermissionRefused, match=REASON):
        bounty_offer(question=question, by=person, amount=50)


def test_the_curator_badge_comes_when_someone_else_enrols(staff):
    curator = UserFactory(reputation=2000)
    path = curation.collection_create(
        by=curator, space=default_space(), title="Onboarding", is_path=True
    )
    curation.path_enrol(collection=path, user=curator)
    assert not curator.badges.filter(badge__slug="curator").exists()
    curation.path_enrol(collection=path, user=UserFactory())
    assert curator.badges.filter(badge__slug="curator").exists()
