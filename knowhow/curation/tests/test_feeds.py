"""Feed subscriptions: polling with conditional GET through the safe fetcher, the inbox, dedup."""

import pytest
from django.core.management import call_command

from knowhow.core.errors import Conflict, NotFound, PermissionRefused
from knowhow.core.tests.factories import UserFactory
from knowhow.curation import selectors, services
from knowhow.curation.models import FeedItem, FeedSubscription, Resource
from knowhow.curation.tasks import feeds_poll_due


def _subscribe(curator, space, url):
    sub = FeedSubscription.objects.create(
        space=space, created_by=curator, url=url, canonical_hash=url, created_at="2026-11-01T00:00Z"
    )
    return sub


def test_subscribing_polls_at_once_and_fills_the_inbox(
    web, curator, default_space, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sub = services.feed_subscribe(by=curator, space=default_space, url=f"{web.base}/feed.xml")
    sub.refresh_from_db()
    assert sub.title == "Learning blog"
    assert sub.etag == '"v1"'
    assert sub.last_error == ""
    items = list(selectors.inbox(viewer=curator))
    # Four entries: a duplicate of the first (same canonical URL) and a javascript: link dropped.
    assert sorted(i.title for i in items) == ["First post", "Second post"]
    first = next(i for i in items if i.title == "First post")
    assert first.summary == "Hello there"
    assert first.published_at.year == 2026


def test_a_second_poll_sends_the_etag_and_adds_nothing(web, curator, default_space):
    sub = _subscribe(curator, default_space, f"{web.base}/feed.xml")
    assert services.feed_poll(subscription=sub) == 2
    assert services.feed_poll(subscription=sub) == 0
    assert web.hits[-1][1]["If-None-Match"] == '"v1"'
    assert web.hits[-1][1]["If-Modified-Since"] == "Mon, 02 Nov 2026 10:00:00 GMT"
    assert FeedItem.objects.count() == 2


def test_an_atom_feed_is_read(web, curator, default_space):
    sub = _subscribe(curator, default_space, f"{web.base}/atom.xml")
    assert services.feed_poll(subscription=sub) == 1
    assert FeedItem.objects.get().title == "Atom entry"


@pytest.mark.parametrize("path", ["/notafeed.xml", "/pdf", "/missing"])
def test_a_malformed_or_missing_feed_records_an_error(web, curator, default_space, path):
    sub = _subscribe(curator, default_space, f"{web.base}{path}")
    assert services.feed_poll(subscription=sub) == 0
    sub.refresh_from_db()
    assert sub.last_error
    assert sub.last_polled_at is not None


def test_a_truncated_feed_keeps_what_it_can_read(web, curator, default_space):
    sub = _subscribe(curator, default_space, f"{web.base}/broken.xml")
    services.feed_poll(subscription=sub)
    sub.refresh_from_db()
    # feedparser is lenient; either items or an error, never an exception.
    assert FeedItem.objects.count() == 0
    assert sub.last_error


def test_a_feed_on_an_internal_address_is_refused(curator, default_space, settings):
    settings.CURATION_FETCH_ALLOWED_ADDRESSES = []
    sub = _subscribe(curator, default_space, "http://169.254.169.254/feed")
    assert services.feed_poll(subscription=sub) == 0
    sub.refresh_from_db()
    assert "private or reserved" in sub.last_error


def test_subscribing_twice_is_refused(curator, default_space):
    services.feed_subscribe(by=curator, space=default_space, url="https://example.com/feed")
    with pytest.raises(Conflict):
        services.feed_subscribe(by=curator, space=default_space, url="https://EXAMPLE.com/feed#x")


def test_members_without_the_privilege_cannot_subscribe(default_space):
    with pytest.raises(PermissionRefused):
        services.feed_subscribe(
            by=UserFactory(reputation=1), space=default_space, url="https://example.com/f"
        )


def test_publishing_an_item_makes_a_resource_and_discarding_removes_it(web, curator, default_space):
    sub = _subscribe(curator, default_space, f"{web.base}/feed.xml")
    services.feed_poll(subscription=sub)
    first, second = FeedItem.objects.order_by("title")
    resource = services.feed_item_publish(item=first, by=curator, tags="blog")
    assert resource.canonical_url == f"{web.base}/posts/1"
    assert [t.name for t in resource.tags.all()] == ["blog"]
    # The item's title reaches the discussion post (what reviewers and search see).
    assert resource.post.title == resource.title == first.title
    with pytest.raises(Conflict):
        services.feed_item_publish(item=first, by=curator)
    services.feed_item_discard(item=second, by=curator)
    assert list(selectors.inbox(viewer=curator)) == []
    # Polling again never brings back a published or discarded link.
    sub.etag = ""
    sub.save()
    assert services.feed_poll(subscription=sub) == 0


def test_an_item_already_curated_by_hand_does_not_enter_the_inbox(web, curator, default_space):
    services.resource_add(by=curator, space=default_space, url=f"{web.base}/posts/2", fetch=False)
    sub = _subscribe(curator, default_space, f"{web.base}/feed.xml")
    assert services.feed_poll(subscription=sub) == 1
    assert Resource.objects.count() == 1


def test_the_inbox_of_a_private_space_is_hidden_from_other_curators(web, curator, private_space):
    from knowhow.core.tests.factories import add_member

    add_member(private_space, curator)
    sub = _subscribe(curator, private_space, f"{web.base}/feed.xml")
    services.feed_poll(subscription=sub)
    outsider = UserFactory(reputation=10_000)
    assert list(selectors.inbox(viewer=outsider)) == []
    item = FeedItem.objects.first()
    with pytest.raises(NotFound):
        selectors.feed_item_get(pk=item.pk, viewer=outsider)
    with pytest.raises(PermissionRefused):
        services.feed_item_publish(item=item, by=outsider)


def test_the_scheduled_task_polls_only_due_feeds(web, curator, default_space):
    due = _subscribe(curator, default_space, f"{web.base}/feed.xml")
    later = _subscribe(curator, default_space, f"{web.base}/atom.xml")
    later.next_poll_at = "2999-01-01T00:00Z"
    later.save()
    result = feeds_poll_due.enqueue()
    assert result.return_value == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.last_polled_at is not None and later.last_polled_at is None


def test_the_poll_feeds_command_queues_the_task(web, curator, default_space, capsys):
    _subscribe(curator, default_space, f"{web.base}/feed.xml")
    call_command("poll_feeds")
    assert "Queued feed polling" in capsys.readouterr().out
    assert FeedItem.objects.count() == 2
