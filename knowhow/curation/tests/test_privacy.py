"""Curation's personal data: in the export, and gone or anonymised after erasure."""

import pytest

from knowhow.core.tests.factories import UserFactory
from knowhow.curation import services
from knowhow.curation.models import (
    Enrolment,
    ItemCompletion,
    Resource,
    ResourceComment,
    ResourceReview,
    ResourceVote,
)
from knowhow.feed import services as feed_services
from knowhow.feed.models import QuestionFollow
from knowhow.moderation.models import Flag
from knowhow.privacy import services as privacy


@pytest.fixture
def world(db, curator, default_space, question):
    person = UserFactory(reputation=500)
    resource = services.resource_add(
        by=curator, space=default_space, url="https://example.com/guide", fetch=False
    )
    own = services.resource_add(
        by=person, space=default_space, url="https://example.com/mine", note="My pick", fetch=False
    )
    services.resource_vote(resource=resource, user=person, value=1)
    services.resource_comment_add(resource=resource, author=person, body="A useful guide indeed.")
    services.resource_review(resource=resource, author=person, rating=4, line="Clear and short")
    services.resource_flag(resource=own, user=curator, reason="spam")
    services.resource_flag(resource=resource, user=person, reason="spam")
    path = services.collection_create(
        by=curator, space=default_space, title="Onboarding", is_path=True
    )
    item = services.collection_item_add(collection=path, by=curator, target=resource)
    services.path_enrol(collection=path, user=person)
    services.path_mark_done(item=item, user=person)
    feed_services.question_follow(user=person, question=question)
    return person, resource, own


def test_the_export_holds_their_curation_data(world):
    person, resource, own = world
    data, _ = privacy.personal_data(user=person)
    records = data["records"]
    assert records["curation.Resource.added_by"][0]["note"] == "My pick"
    assert records["curation.ResourceVote.user"][0]["value"] == 1
    assert records["curation.ResourceComment.author"][0]["body"] == "A useful guide indeed."
    assert records["curation.ResourceReview.author"][0]["line"] == "Clear and short"
    # Flags on resources are moderation's flags on the resource's discussion post.
    assert records["moderation.Flag.flagger"][0]["post_id"] == resource.post_id
    assert len(records["curation.Enrolment.user"]) == 1
    assert records["curation.ItemCompletion.enrolment"][0]["item_id"]
    assert records["feed.QuestionFollow.user"][0]["question_id"]


def test_the_export_leaves_out_a_private_space_they_left(db, curator, private_space):
    from knowhow.core.tests.factories import add_member
    from knowhow.spaces.models import SpaceMembership

    person = UserFactory()
    add_member(private_space, curator)
    add_member(private_space, person)
    secret = services.resource_add(
        by=curator, space=private_space, url="https://example.com/secret", fetch=False
    )
    services.resource_vote(resource=secret, user=person, value=1)
    path = services.collection_create(by=curator, space=private_space, title="Secret", is_path=True)
    item = services.collection_item_add(collection=path, by=curator, target=secret)
    services.path_enrol(collection=path, user=person)
    services.path_mark_done(item=item, user=person)
    SpaceMembership.objects.filter(space=private_space, user=person).delete()
    records = privacy.personal_data(user=person)[0]["records"]
    assert "curation.ResourceVote.user" not in records
    assert "curation.Enrolment.user" not in records
    assert "curation.ItemCompletion.enrolment" not in records


def test_erasure_removes_progress_and_keeps_contributions_and_flags_anonymised(world):
    person, resource, own = world
    privacy.person_erase(user=person, by=None)
    # Flags on resources are moderation's post flags now, kept as post flags are (they feed the
    # flag accuracy of the record), under the anonymised former member.
    assert Flag.objects.get(flagger=person).post_id == resource.post_id
    assert not Enrolment.objects.filter(user=person).exists()
    assert not ItemCompletion.objects.exists()
    assert not QuestionFollow.objects.filter(user=person).exists()
    # Contributions stay, attributed to the anonymised former member.
    assert ResourceComment.objects.get(author=person).body == "A useful guide indeed."
    assert ResourceReview.objects.filter(author=person).exists()
    assert ResourceVote.objects.filter(user=person).exists()
    assert Resource.objects.get(pk=own.pk).added_by.display_name == "Former member"


def test_erasure_under_the_delete_policy_removes_contributions_with_counters_right(world, settings):
    settings.KNOWHOW = {**settings.KNOWHOW, "ERASURE_POLICY": "delete"}
    person, resource, own = world
    privacy.person_erase(user=person, by=None)
    resource.refresh_from_db()
    assert (resource.comment_count, resource.review_count, resource.rating_sum) == (0, 0, 0)
    assert not ResourceReview.objects.filter(author=person).exists()
    comment = ResourceComment.objects.get(author=person)
    assert comment.is_deleted and comment.body == ""
    own.refresh_from_db()
    assert own.is_deleted and own.note == ""
    assert resource.score == 1  # votes stay, as on posts
