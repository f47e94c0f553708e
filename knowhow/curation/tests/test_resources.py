"""Curated resources: adding with a safe preview, votes, reviews, flags, counterpoints, visibility."""

import pytest
from django.core.files.storage import default_storage

from knowhow.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from knowhow.core.tests.factories import UserFactory, add_member
from knowhow.curation import selectors, services
from knowhow.curation.canonical import canonical_url
from knowhow.curation.models import PreviewStatus, Resource
from knowhow.curation.permissions import ActOnOwnResource
from knowhow.curation.previews import parse_preview


def _add(curator, space, url, **kwargs):
    return services.resource_add(by=curator, space=space, url=url, fetch=False, **kwargs)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://Example.COM", "http://example.com/"),
        ("https://example.com:443/a?b=2&a=1#frag", "https://example.com/a?a=1&b=2"),
        ("https://example.com/a?utm_source=x&fbclid=y&id=3", "https://example.com/a?id=3"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
    ],
)
def test_canonical_urls(raw, expected):
    assert canonical_url(raw) == expected


def test_parse_preview_prefers_opengraph_and_counts_reading_time():
    from knowhow.curation.tests.conftest import PAGE

    preview = parse_preview(PAGE, base_url="https://example.com/a/b")
    assert preview.title == "Giving feedback that lands"
    assert preview.description == "A short guide to useful feedback."
    assert preview.site_name == "Example Learning"
    assert preview.image_url == "https://example.com/img.png"
    assert preview.reading_minutes == 4  # 700 words of article; script and nav not counted


def test_parse_preview_falls_back_to_title_and_description():
    preview = parse_preview(
        "<title> A  page </title><meta name=description content='About it'>", base_url="http://x/"
    )
    assert (preview.title, preview.description, preview.reading_minutes) == (
        "A page",
        "About it",
        None,
    )


def test_parse_preview_survives_garbage():
    preview = parse_preview("<<<>>><meta property=og:title><html", base_url="http://x/")
    assert preview.title == ""


def test_adding_a_resource_fetches_its_preview_and_caches_the_image(
    web, curator, default_space, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        resource = services.resource_add(
            by=curator, space=default_space, url=f"{web.base}/page", tags="feedback"
        )
    resource.refresh_from_db()
    assert resource.preview_status == PreviewStatus.READY
    assert resource.title == "Giving feedback that lands"
    assert resource.reading_minutes == 4
    assert resource.image_content_type == "image/png"
    assert default_storage.exists(resource.image)
    assert [t.name for t in resource.tags.all()] == ["feedback"]


def test_oembed_fills_a_missing_title_and_image(web, curator, default_space):
    resource = _add(curator, default_space, f"{web.base}/plain")
    services.resource_fetch_preview(resource=resource)
    resource.refresh_from_db()
    assert resource.title == "Only a title"  # <title> wins over oEmbed when present
    assert resource.site_name == "Tube"
    assert resource.image  # the oEmbed thumbnail, cached
    assert resource.description == "Only a description"


def test_a_preview_image_that_is_not_an_image_is_not_stored(web, curator, default_space):
    from knowhow.curation.fetching import FetchRefused
    from knowhow.curation.images import image_cache

    with pytest.raises(FetchRefused):
        image_cache(f"{web.base}/fake.png")


def test_a_link_to_an_internal_address_is_saved_without_a_preview(curator, default_space, settings):
    settings.CURATION_FETCH_ALLOWED_ADDRESSES = []
    resource = _add(curator, default_space, "http://169.254.169.254/latest/meta-data/")
    services.resource_fetch_preview(resource=resource)
    resource.refresh_from_db()
    assert resource.preview_status == PreviewStatus.FAILED
    assert "private or reserved" in resource.preview_error


def test_a_redirect_to_metadata_is_not_previewed(web, curator, default_space):
    resource = _add(
        curator, default_space, f"{web.base}/redirect?to=http://169.254.169.254/latest/"
    )
    services.resource_fetch_preview(resource=resource)
    resource.refresh_from_db()
    assert resource.preview_status == PreviewStatus.FAILED


def test_the_same_url_cannot_be_added_twice_to_a_space(curator, default_space):
    _add(curator, default_space, "https://example.com/a?utm_source=x")
    with pytest.raises(Conflict):
        _add(curator, default_space, "HTTPS://EXAMPLE.com/a#top")


def test_the_same_url_may_live_in_another_space(curator, default_space, private_space):
    add_member(private_space, curator)
    _add(curator, default_space, "https://example.com/a")
    assert _add(curator, private_space, "https://example.com/a").pk


def test_low_reputation_members_cannot_add(default_space):
    with pytest.raises(PermissionRefused, match="reputation"):
        _add(UserFactory(reputation=1), default_space, "https://example.com/")


def test_space_moderators_can_add_whatever_their_reputation(private_space):
    moderator = UserFactory(reputation=1)
    add_member(private_space, moderator, role="moderator")
    assert _add(moderator, private_space, "https://example.com/").pk


def test_non_members_cannot_add_to_a_private_space(curator, private_space):
    with pytest.raises(PermissionRefused, match="member"):
        _add(curator, private_space, "https://example.com/")


@pytest.mark.parametrize("url", ["", "ftp://x/", "javascript:alert(1)", "http://[::1"])
def test_bad_urls_are_refused(curator, default_space, url):
    with pytest.raises(ValidationFailed):
        _add(curator, default_space, url)


def test_bad_tags_are_refused(curator, default_space):
    with pytest.raises(ValidationFailed):
        _add(curator, default_space, "https://example.com/", tags="NOT VALID!")


@pytest.fixture
def resource(curator, default_space):
    return _add(curator, default_space, "https://example.com/article")


def test_votes_count_once_and_can_be_withdrawn(resource, user):
    services.resource_vote(resource=resource, user=user, value=1)
    services.resource_vote(resource=resource, user=user, value=1)
    assert Resource.objects.get(pk=resource.pk).score == 1
    services.resource_vote(resource=resource, user=user, value=-1)
    resource.refresh_from_db()
    assert (resource.score, resource.up_votes, resource.down_votes) == (-1, 0, 1)
    services.resource_vote(resource=resource, user=user, value=0)
    assert Resource.objects.get(pk=resource.pk).score == 0


def test_curators_cannot_vote_on_their_own_resource(resource, curator):
    with pytest.raises(ActOnOwnResource):
        services.resource_vote(resource=resource, user=curator, value=1)


def test_bad_vote_values_are_refused(resource, user):
    with pytest.raises(ValidationFailed):
        services.resource_vote(resource=resource, user=user, value=5)


def test_a_review_is_one_per_person_and_updates_the_average(resource, user, other_user):
    services.resource_review(resource=resource, author=user, rating=4, line="Clear and short")
    services.resource_review(resource=resource, author=other_user, rating=2, line="Too basic")
    services.resource_review(resource=resource, author=user, rating=5, line="Changed my mind")
    resource.refresh_from_db()
    assert resource.review_count == 2
    assert resource.average_rating == 3.5


@pytest.mark.parametrize(
    ("rating", "line"), [(0, "ok line"), (6, "ok line"), (3, ""), (3, "x" * 201)]
)
def test_bad_reviews_are_refused(resource, user, rating, line):
    with pytest.raises(ValidationFailed):
        services.resource_review(resource=resource, author=user, rating=rating, line=line)


def test_enough_flags_hide_a_resource_until_a_moderator_restores_it(resource, settings, staff):
    from knowhow.moderation.services import flag_weight

    first, second = UserFactory(), UserFactory()
    settings.KNOWHOW_MODERATION = {
        "HIDE_SCORE": flag_weight(flagger=first, reason="spam")
        + flag_weight(flagger=second, reason="broken")
    }
    services.resource_flag(resource=resource, user=first, reason="spam")
    with pytest.raises(Conflict):
        services.resource_flag(resource=resource, user=first, reason="spam")
    resource.refresh_from_db()
    assert not resource.is_hidden
    services.resource_flag(resource=resource, user=second, reason="broken")
    resource.refresh_from_db()
    assert resource.is_hidden
    assert not selectors.visible_resources(first).filter(pk=resource.pk).exists()
    with pytest.raises(NotFound):
        selectors.resource_get(pk=resource.pk, viewer=first)
    with pytest.raises(PermissionRefused):
        services.resource_unhide(resource=resource, by=first)
    services.resource_unhide(resource=resource, by=staff)
    assert selectors.visible_resources(first).filter(pk=resource.pk).exists()


def test_a_flag_needs_a_known_reason(resource, user):
    with pytest.raises(ValidationFailed):
        services.resource_flag(resource=resource, user=user, reason="boring")


def test_counterpoints_show_on_both_sides(resource, curator, default_space):
    other = _add(curator, default_space, "https://example.org/the-other-view")
    services.counterpoint_add(
        resource=resource, counter=other, by=curator, note="Argues the opposite"
    )
    with pytest.raises(Conflict):
        services.counterpoint_add(resource=other, counter=resource, by=curator)
    with pytest.raises(ValidationFailed):
        services.counterpoint_add(resource=resource, counter=resource, by=curator)
    page = selectors.resource_page(pk=other.pk, viewer=UserFactory())
    assert page.counterpoints == [(resource, "Argues the opposite")]


def test_a_private_counterpoint_is_not_shown_to_non_members(resource, curator, private_space):
    add_member(private_space, curator)
    secret = _add(curator, private_space, "https://intranet.example.com/secret")
    services.counterpoint_add(resource=resource, counter=secret, by=curator)
    assert selectors.resource_page(pk=resource.pk, viewer=UserFactory()).counterpoints == []
    assert len(selectors.resource_page(pk=resource.pk, viewer=curator).counterpoints) == 1


def test_private_resources_are_invisible_to_non_members(curator, private_space, user):
    add_member(private_space, curator)
    secret = _add(curator, private_space, "https://intranet.example.com/secret")
    assert not selectors.resource_list(viewer=user).filter(pk=secret.pk).exists()
    with pytest.raises(NotFound):
        selectors.resource_get(pk=secret.pk, viewer=user)
    with pytest.raises(NotFound):
        services.resource_vote(resource=secret, user=user, value=1)
    with pytest.raises(NotFound):
        services.resource_comment_add(resource=secret, author=user, body="hello there")


def test_comments_are_added_and_counted(resource, user):
    services.resource_comment_add(resource=resource, author=user, body="Read it, **great**")
    resource.refresh_from_db()
    assert resource.comment_count == 1
    with pytest.raises(ValidationFailed):
        services.resource_comment_add(resource=resource, author=user, body=" ")


def test_only_the_curator_or_a_moderator_edits(resource, user, curator):
    with pytest.raises(PermissionRefused):
        services.resource_edit(resource=resource, by=user, title="x", note="", tags="")
    services.resource_edit(
        resource=resource, by=curator, title="Better title", note="*Why*", tags="a b"
    )
    resource.refresh_from_db()
    assert resource.title == "Better title"
    assert "<em>Why</em>" in resource.note_html


def test_the_resource_list_is_a_fixed_number_of_queries(
    curator, default_space, django_assert_num_queries
):
    for i in range(5):
        r = _add(curator, default_space, f"https://example.com/{i}", tags="x y")
        r.title = f"R{i}"
        r.save()
    viewer = UserFactory()
    with django_assert_num_queries(2):  # resources with space and curator; their tags
        rows = list(selectors.resource_list(viewer=viewer))
        assert all(len(r.tags.all()) == 2 for r in rows)


def test_resource_flags_weigh_what_post_flags_weigh(resource, settings, staff):
    """Same weights (moderation.services.flag_weight) and the same threshold (HIDE_SCORE) as
    flags on posts: a newcomer's flag does not hide a resource, a moderator's weighs 5 or more."""
    from knowhow.moderation.config import moderation_setting
    from knowhow.moderation.services import flag_weight

    newcomer = UserFactory()
    flag = services.resource_flag(resource=resource, user=newcomer, reason="broken")
    assert flag.weight == flag_weight(flagger=newcomer, reason="broken")
    resource.refresh_from_db()
    assert not resource.is_hidden and flag.weight < moderation_setting("HIDE_SCORE")
    settings.KNOWHOW_MODERATION = {"HIDE_SCORE": flag.weight + 6.0}
    staff_flag = services.resource_flag(resource=resource, user=staff, reason="spam")
    assert staff_flag.weight == 6.0  # staff 5, plus the spam bonus, as on posts
    resource.refresh_from_db()
    assert resource.is_hidden
