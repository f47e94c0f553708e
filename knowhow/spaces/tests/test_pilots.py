"""Pilot spaces: creation, invitations, moderators, settings, roll-out and archive."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from knowhow.accounts.services import user_sign_up
from knowhow.core.errors import Conflict, PermissionRefused, ValidationFailed
from knowhow.core.tests.factories import AnswerFactory, QuestionFactory, UserFactory
from knowhow.qa import services as qa_services
from knowhow.qa.models import Post, PostRevision, Vote
from knowhow.spaces import pilots
from knowhow.spaces.models import Space, SpaceInvitation, SpaceMembership
from knowhow.spaces.reports import pilot_report
from knowhow.spaces.selectors import can_view_space, is_space_moderator, space_feature_enabled

pytestmark = pytest.mark.django_db


@pytest.fixture
def pilot(staff):
    return pilots.pilot_create(name="Finance pilot", by=staff)


def test_an_admin_creates_a_private_pilot_with_settings(staff):
    space = pilots.pilot_create(
        name="Legal pilot",
        by=staff,
        privilege_preset=Space.PrivilegePreset.LOW,
        posting=Space.Posting.MODERATORS,
        videos_enabled=False,
        chat_webhooks_enabled=True,
    )
    assert space.is_private and space.is_pilot
    assert is_space_moderator(staff, space)
    assert not space_feature_enabled(space, "videos")
    assert space_feature_enabled(space, "chat_webhooks")
    assert space_feature_enabled(space, "curation")


def test_only_admins_create_pilots_and_names_are_checked(user, staff, pilot):
    with pytest.raises(PermissionRefused):
        pilots.pilot_create(name="Mine", by=user)
    with pytest.raises(ValidationFailed):
        pilots.pilot_create(name="finance PILOT", by=staff)
    with pytest.raises(ValidationFailed):
        pilots.pilot_create(name="  ", by=staff)
    with pytest.raises(ValidationFailed):
        pilots.pilot_create(name="Odd", by=staff, posting="everyone-and-their-dog")


def test_invite_by_email_department_and_group(staff, pilot, django_capture_on_commit_callbacks):
    known = UserFactory(email="known@example.com")
    finance = [UserFactory(department="Finance"), UserFactory(department="finance")]
    outsider = UserFactory(department="Sales")
    with django_capture_on_commit_callbacks(execute=True):
        result = pilots.space_invite(
            space=pilot,
            by=staff,
            emails=["Known@example.com", "new.hire@example.com"],
            department="Finance",
            group="pilot-finance",
        )
    assert result == {"added": 3, "invited": 1}
    for person in [known, *finance]:
        assert can_view_space(person, pilot)
    assert not can_view_space(outsider, pilot)
    assert pilot.group_links.get().group == "pilot-finance"
    assert len(mail.outbox) == 1 and "Finance pilot" in mail.outbox[0].subject

    # The invited address joins when its account is created.
    newcomer = user_sign_up(
        username="newhire", email="new.hire@example.com", password="a long passphrase 42"
    )
    assert can_view_space(newcomer, pilot)
    assert not SpaceInvitation.objects.exists()


def test_inviting_a_scim_group_adds_its_members_at_once(staff, pilot):
    from knowhow.provisioning.services import UserAttributes, scim_group_create, scim_user_create

    member = scim_user_create(attrs=UserAttributes(user_name="ada", email="ada@example.com"))
    scim_group_create(display_name="Pilot Finance", member_ids=[str(member.pk)])
    pilots.space_invite(space=pilot, by=staff, group="Pilot Finance")
    assert SpaceMembership.objects.get(space=pilot, user=member).via_group == "Pilot Finance"


def test_a_space_moderator_can_invite_but_not_change_settings(staff, pilot, user):
    pilots.space_moderator_appoint(space=pilot, user=user, by=staff)
    assert is_space_moderator(user, pilot)
    invitee = UserFactory()
    pilots.space_invite(space=pilot, by=user, emails=[invitee.email])
    assert can_view_space(invitee, pilot)
    with pytest.raises(PermissionRefused):
        pilots.pilot_roll_out(space=pilot, by=user)
    with pytest.raises(PermissionRefused):
        pilots.space_archive(space=pilot, by=user)
    with pytest.raises(PermissionRefused):
        pilots.space_moderator_appoint(space=pilot, user=invitee, by=user)


def test_a_plain_member_cannot_invite(staff, pilot, user):
    pilots.space_invite(space=pilot, by=staff, emails=[user.email])
    with pytest.raises(PermissionRefused):
        pilots.space_invite(space=pilot, by=user, emails=["x@example.com"])
    with pytest.raises(ValidationFailed):
        pilots.space_invite(space=pilot, by=staff, emails=["not-an-email"])


def test_posting_limited_to_moderators(staff, pilot, user):
    pilots.space_invite(space=pilot, by=staff, emails=[user.email])
    pilots.space_settings_update(
        space=pilot,
        by=staff,
        description="",
        privilege_preset="low",
        posting=Space.Posting.MODERATORS,
        videos_enabled=True,
        curation_enabled=True,
        chat_webhooks_enabled=False,
    )
    with pytest.raises(PermissionRefused, match="moderators"):
        QuestionFactory(author=user, space=pilot)
    question = QuestionFactory(author=staff, space=pilot)
    with pytest.raises(PermissionRefused, match="moderators"):
        AnswerFactory(question=question, author=user)
    qa_services.comment_add(post=question, author=user, body="Can I ask a follow-up?")


def test_roll_out_opens_the_space_keeping_content_history_and_reputation(staff, pilot):
    author = UserFactory()
    pilots.space_invite(space=pilot, by=staff, emails=[author.email])
    question = QuestionFactory(author=author, space=pilot)
    answer = AnswerFactory(question=question)
    qa_services.vote_cast(post=answer, user=author, value=1)
    qa_services.post_edit(post=question, by=author, body="An edited body, long enough to be valid.")
    outsider = UserFactory()
    assert not can_view_space(outsider, pilot)
    before = (
        Post.objects.filter(space=pilot).count(),
        PostRevision.objects.filter(post__space=pilot).count(),
        Vote.objects.filter(post__space=pilot).count(),
    )

    pilots.pilot_roll_out(space=pilot, by=staff)
    pilot.refresh_from_db()
    assert not pilot.is_private and not pilot.is_pilot and pilot.rolled_out_at
    assert can_view_space(outsider, pilot)
    assert before == (
        Post.objects.filter(space=pilot).count(),
        PostRevision.objects.filter(post__space=pilot).count(),
        Vote.objects.filter(post__space=pilot).count(),
    )
    with pytest.raises(Conflict):
        pilots.pilot_roll_out(space=pilot, by=staff)


def test_an_archived_space_is_read_only(staff, pilot, client):
    member = UserFactory()
    pilots.space_invite(space=pilot, by=staff, emails=[member.email])
    question = QuestionFactory(author=member, space=pilot)
    answer = AnswerFactory(question=question)
    pilots.space_archive(space=pilot, by=staff)
    pilot.refresh_from_db()
    question.refresh_from_db()

    with pytest.raises(PermissionRefused, match="archived"):
        QuestionFactory(author=member, space=pilot)
    with pytest.raises(PermissionRefused, match="archived"):
        AnswerFactory(question=question, author=member)
    with pytest.raises(PermissionRefused, match="archived"):
        qa_services.comment_add(post=question, author=member, body="Still there?")
    with pytest.raises(PermissionRefused, match="archived"):
        qa_services.vote_cast(post=answer, user=member, value=1)
    with pytest.raises(PermissionRefused, match="archived"):
        qa_services.post_edit(post=question, by=member, body="An edit that must not happen.")
    with pytest.raises(PermissionRefused, match="archived"):
        qa_services.post_delete(post=question, by=member)
    with pytest.raises(PermissionRefused, match="archived"):
        qa_services.answer_accept(answer=answer, by=member)
    # Still readable by its members, and still private.
    client.force_login(member)
    page = client.get(question.get_absolute_url())
    assert page.status_code == 200
    assert "archived" in client.get(pilot.get_absolute_url()).content.decode()
    assert not can_view_space(UserFactory(), pilot)

    pilots.space_archive(space=pilot, by=staff, archived=False)
    qa_services.comment_add(post=question, author=member, body="Back again.")


def test_an_archived_pilot_must_be_unarchived_before_roll_out(staff, pilot, default_space):
    pilots.space_archive(space=pilot, by=staff)
    with pytest.raises(Conflict):
        pilots.pilot_roll_out(space=pilot, by=staff)
    with pytest.raises(ValidationFailed):
        pilots.space_archive(space=default_space, by=staff)


def test_the_report_compares_the_pilot_with_the_rest_from_the_analytics_rollups(
    staff, pilot, default_space, django_capture_on_commit_callbacks
):
    """Real activity (asking, answering, commenting, voting, reading pages) becomes analytics
    events; the rollups built from them are what the report reads, pilot against the rest."""
    from django.test import Client

    from knowhow.analytics.rollups import refresh_question_outcomes, rollup_range
    from knowhow.qa import services as qa_services

    member = UserFactory()
    pilots.space_invite(space=pilot, by=staff, emails=[member.email])
    outsider, helper = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        question = QuestionFactory(author=member, space=pilot)
        answer = AnswerFactory(question=question, author=staff)
        qa_services.comment_add(post=answer, author=member, body="Thanks, that did it.")
        qa_services.vote_cast(post=answer, user=member, value=1)
        qa_services.answer_accept(answer=answer, by=member)
        first = QuestionFactory(author=outsider, space=default_space)
        QuestionFactory(author=outsider, space=default_space, title="Where is the style guide?")
        AnswerFactory(question=first, author=helper)
    for person, seen in ((member, question), (helper, first)):
        reader = Client()
        reader.force_login(person)
        with django_capture_on_commit_callbacks(execute=True):
            assert reader.get(seen.get_absolute_url(), follow=True).status_code == 200

    report = pilot_report(space=pilot)
    assert report["available"] and report["rolled_up_through"] is None
    assert all(row.pilot in (0, 0.0, None) for row in report["rows"] if row.group != "Reach")

    today = timezone.localdate()
    rollup_range(today, today)
    refresh_question_outcomes()
    report = pilot_report(space=pilot)
    rows = {row.label: (row.pilot, row.rest) for row in report["rows"]}
    assert report["rolled_up_through"] == today
    assert report["people"]["pilot"] == 2  # the admin who created it and the invited member
    assert rows["Questions"] == (1, 2)
    assert rows["Answers"] == (1, 1)
    assert rows["Comments"] == (1, 0)
    assert rows["Upvotes"] == (1, 0)
    assert rows["Accepted answers"] == (1, 0)
    assert rows["Question views"] == (1, 1)
    assert rows["People who posted"] == (2, 2)
    assert rows["Questions asked"] == (1, 2)
    assert rows["Questions answered (share)"] == (1.0, 0.5)
    assert rows["Median hours to first answer"][0] is not None
    assert rows["Median hours to accepted answer"] == (
        rows["Median hours to accepted answer"][0],
        None,
    )
    assert rows["Active person-days"][0] == 2 and rows["Active person-days"][1] >= 2
    assert rows["Posts per active person-day"][0] == 1.5


# --- Pages ------------------------------------------------------------------------------------


def test_the_pages_create_and_manage_a_pilot(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("spaces:pilot_new"),
        {
            "name": "Ops pilot",
            "privilege_preset": "low",
            "posting": "members",
            "videos_enabled": "on",
        },
    )
    space = Space.objects.get(name="Ops pilot")
    assert response["Location"] == reverse("spaces:manage", args=[space.slug])
    assert not space.curation_enabled and space.videos_enabled
    page = client.get(reverse("spaces:manage", args=[space.slug]))
    assert page.status_code == 200 and "compared with the rest" in page.content.decode()

    person = UserFactory(email="ops@example.com")
    client.post(
        reverse("spaces:manage", args=[space.slug]),
        {"action": "invite", "emails": "ops@example.com"},
    )
    assert can_view_space(person, space)
    client.post(
        reverse("spaces:manage", args=[space.slug]),
        {"action": "appoint", "username": person.username},
    )
    assert is_space_moderator(person, space)
    client.post(reverse("spaces:manage", args=[space.slug]), {"action": "archive"})
    space.refresh_from_db()
    assert space.is_archived
    client.post(reverse("spaces:manage", args=[space.slug]), {"action": "unarchive"})
    client.post(reverse("spaces:manage", args=[space.slug]), {"action": "roll_out"})
    space.refresh_from_db()
    assert not space.is_private


def test_the_manage_pages_refuse_others(client, user, pilot):
    client.force_login(user)
    assert client.get(reverse("spaces:pilot_new")).status_code == 403
    assert client.get(reverse("spaces:manage", args=[pilot.slug])).status_code == 404
    pilot.visibility = Space.Visibility.ORGANISATION
    pilot.save()
    assert client.get(reverse("spaces:manage", args=[pilot.slug])).status_code == 403


def test_bad_input_on_the_manage_page(client, staff, pilot):
    client.force_login(staff)
    url = reverse("spaces:manage", args=[pilot.slug])
    assert client.post(url, {"action": "invite"}).status_code == 400
    unknown = client.post(url, {"action": "appoint", "username": "nobody-here"})
    assert unknown.status_code == 400 and "No such person" in unknown.content.decode()
    assert client.post(url, {"action": "settings", "privilege_preset": "x"}).status_code == 400
    assert client.post(reverse("spaces:pilot_new"), {"name": ""}).status_code == 400


def test_admin_actions_on_pilots_are_in_the_audit_log(staff, pilot, client):
    from knowhow.accounts.models import AuditLogEntry

    pilots.space_archive(space=pilot, by=staff)
    pilots.space_archive(space=pilot, by=staff, archived=False)
    pilots.pilot_roll_out(space=pilot, by=staff)
    messages = [e.get_change_message() for e in AuditLogEntry.objects.order_by("pk")]
    assert messages == [
        "Created pilot space.",
        "Archived.",
        "Unarchived.",
        "Rolled out to the organisation.",
    ]
    assert {e.user_id for e in AuditLogEntry.objects.all()} == {staff.pk}

    client.force_login(staff)
    page = client.get(reverse("admin:accounts_auditlogentry_changelist"))
    assert page.status_code == 200 and "Rolled out" in page.content.decode()
    entry = AuditLogEntry.objects.first()
    assert (
        client.post(reverse("admin:accounts_auditlogentry_delete", args=[entry.pk])).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("preset", "standard", "expected"),
    [
        ("low", 3000, 600),
        ("low", 15, 3),
        ("standard", 125, 125),
        ("high", 500, 1000),
        ("low", 1, 1),
    ],
)
def test_privilege_presets_scale_thresholds(preset, standard, expected):
    from knowhow.spaces.selectors import space_privilege_threshold

    assert space_privilege_threshold(Space(privilege_preset=preset), standard) == expected
