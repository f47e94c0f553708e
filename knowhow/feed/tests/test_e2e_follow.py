"""In real Chromium: the collection page loads its follow button with htmx, pressing it follows
and unfollows in place, and the collection is then on the "Collections you follow" page."""

import pytest
from playwright.sync_api import expect

from knowhow.core.tests.factories import UserFactory
from knowhow.curation import services as curation
from knowhow.feed.models import CollectionFollow
from knowhow.spaces.selectors import default_space

pytestmark = pytest.mark.e2e


def test_following_a_collection_from_its_page(page, login_as):
    curator = UserFactory(reputation=500)
    collection = curation.collection_create(
        by=curator, space=default_space(), title="Spreadsheet reading list"
    )
    reader = UserFactory()
    login_as(page, reader)
    page.goto(collection.get_absolute_url())
    page.get_by_role("button", name="Follow this collection").click()
    following = page.get_by_role("button", name="Following this collection")
    expect(following).to_have_attribute("aria-pressed", "true")
    assert CollectionFollow.objects.filter(user=reader, collection=collection).exists()

    page.goto("/feed/following/")
    expect(page.get_by_role("link", name="Spreadsheet reading list")).to_be_visible()
    page.get_by_role("button", name="Following this collection").click()
    expect(page.get_by_role("button", name="Follow this collection")).to_be_visible()
    assert not CollectionFollow.objects.filter(user=reader).exists()
