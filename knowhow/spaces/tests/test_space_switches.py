"""A space's switches and privilege preset are enforced by the apps they concern."""

import pytest

from knowhow.core.errors import PermissionRefused
from knowhow.core.tests.factories import QuestionFactory, UserFactory, add_member
from knowhow.spaces.models import Space, SpaceMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def pilot(db):
    space = Space.objects.create(name="Pilot", slug="pilot", visibility=Space.Visibility.PRIVATE)
    return space


def test_videos_cannot_be_uploaded_where_they_are_switched_off(pilot):
    from knowhow.videos.permissions import check_upload

    member = UserFactory()
    add_member(pilot, member)
    check_upload(user=member, space=pilot)
    pilot.videos_enabled = False
    pilot.save()
    with pytest.raises(PermissionRefused, match="Videos are switched off"):
        check_upload(user=member, space=pilot)


def test_curation_stops_where_it_is_switched_off(pilot):
    from knowhow.curation.permissions import can_curate, check_curate

    moderator = UserFactory()
    add_member(pilot, moderator, SpaceMembership.Role.MODERATOR)
    check_curate(moderator, pilot)
    pilot.curation_enabled = False
    pilot.save()
    assert not can_curate(moderator, pilot)
    with pytest.raises(PermissionRefused, match="Curation is switched off"):
        check_curate(moderator, pilot)


def test_chat_webhooks_are_neither_added_nor_sent_where_switched_off(pilot, settings):
    from knowhow.feed import services as feed
    from knowhow.feed.models import Webhook

    settings.DEBUG = True  # allows a plain-http test address
    moderator = UserFactory()
    add_member(pilot, moderator, SpaceMembership.Role.MODERATOR)
    feed.webhook_create(
        by=moderator, space=pilot, url="http://127.0.0.1:9/hook", format=Webhook.Format.SLACK
    )
    question = QuestionFactory(space=pilot, author=moderator)
    assert len(feed.webhooks_for_post(post=question)) == 1
    pilot.chat_webhooks_enabled = False
    pilot.save()
    question.space.refresh_from_db()
    assert feed.webhooks_for_post(post=question) == []
    with pytest.raises(PermissionRefused, match="switched off"):
        feed.webhook_create(
            by=moderator, space=pilot, url="http://127.0.0.1:9/other", format=Webhook.Format.SLACK
        )


def test_a_pilots_low_preset_lets_newcomers_vote_sooner(pilot):
    from knowhow.qa import services
    from knowhow.reputation.privileges import threshold_in

    asker, newcomer = UserFactory(), UserFactory(reputation=5)
    for person in (asker, newcomer):
        add_member(pilot, person)
    question = QuestionFactory(space=pilot, author=asker)
    standard = threshold_in("vote_down")
    assert newcomer.reputation < standard
    with pytest.raises(PermissionRefused):
        services.vote_cast(post=question, user=newcomer, value=-1)
    pilot.privilege_preset = Space.PrivilegePreset.LOW
    pilot.save()
    assert threshold_in("vote_down", pilot) < standard
    newcomer.reputation = threshold_in("vote_down", pilot)
    newcomer.save()
    services.vote_cast(post=question, user=newcomer, value=-1)
    question.refresh_from_db()
    assert question.down_votes == 1


def test_an_archived_space_offers_no_actions_on_its_pages(client, pilot):
    asker, member = UserFactory(), UserFactory()
    for person in (asker, member):
        add_member(pilot, person)
    question = QuestionFactory(space=pilot, author=asker)
    pilot.status = Space.Status.ARCHIVED
    pilot.save()
    client.force_login(member)
    page = client.get(question.get_absolute_url())
    assert page.status_code == 200
    actions = page.context["question"].actions
    assert not any(v for k, v in actions.items() if k != "see_votes")  # reading stays
    assert b"Vote up" not in page.content and b"Your answer" not in page.content
