"""Curation pages: happy paths, refusals and bad input; never a 500."""

import pytest
from django.urls import reverse

from knowhow.core.tests.factories import UserFactory, add_member
from knowhow.curation import services
from knowhow.curation.models import Collection, FeedItem, FeedSubscription, Resource


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def resource(curator, default_space):
    r = services.resource_add(
        by=curator, space=default_space, url="https://example.com/guide", fetch=False, tags="x"
    )
    r.title = "A guide to feedback"
    r.save()
    return r


def test_the_resource_list_shows_visible_resources(client, resource, curator, private_space):
    add_member(private_space, curator)
    secret = services.resource_add(
        by=curator, space=private_space, url="https://intranet.example.com/", fetch=False
    )
    secret.title = "Secret plans"
    secret.save()
    response = client.get(reverse("curation:resource_list"))
    assert response.status_code == 200
    assert b"A guide to feedback" in response.content
    assert b"Secret plans" not in response.content
    assert client.get(reverse("curation:resource_detail", args=[secret.pk])).status_code == 404


def test_adding_a_resource_through_the_form(
    curator_client, web, default_space, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(
            reverse("curation:resource_add"),
            {"url": f"{web.base}/page", "tags": "feedback", "note": "", "space": default_space.pk},
        )
    resource = Resource.objects.get()
    assert response.status_code == 302
    assert response["Location"] == resource.get_absolute_url()
    page = curator_client.get(resource.get_absolute_url())
    assert b"Giving feedback that lands" in page.content
    image = curator_client.get(reverse("curation:resource_image", args=[resource.pk]))
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert b"127.0.0.1" not in page.content.split(b"<img")[1][:200]  # served here, not hot-linked


@pytest.mark.parametrize("url", ["", "not a link", "ftp://example.com/", "http://[::1"])
def test_the_add_form_shows_bad_links(curator_client, default_space, url):
    response = curator_client.post(
        reverse("curation:resource_add"), {"url": url, "space": default_space.pk}
    )
    assert response.status_code == 400
    assert b"field-error" in response.content or b"form-errors" in response.content


def test_a_duplicate_link_is_explained(curator_client, resource, default_space):
    response = curator_client.post(
        reverse("curation:resource_add"),
        {"url": "https://example.com/guide?utm_source=mail", "space": default_space.pk},
    )
    assert response.status_code == 400
    assert b"already in" in response.content


def test_the_add_page_refuses_members_without_the_privilege(client, user):
    client.force_login(user)
    assert client.get(reverse("curation:resource_add")).status_code == 403


def test_the_add_page_needs_a_login(client, db):
    assert client.get(reverse("curation:resource_add")).status_code == 302


def test_the_pending_preview_polls_with_htmx(client, resource):
    response = client.get(reverse("curation:resource_preview", args=[resource.pk]))
    assert b'hx-trigger="every 2s"' in response.content


def test_voting_with_htmx_returns_the_widget(client, resource, user):
    client.force_login(user)
    response = client.post(
        reverse("curation:resource_vote", args=[resource.pk]),
        {"value": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b'aria-label="score 1"' in response.content


@pytest.mark.parametrize("value", ["", "abc", "7"])
def test_bad_votes_get_a_clear_400(client, resource, user, value):
    client.force_login(user)
    response = client.post(reverse("curation:resource_vote", args=[resource.pk]), {"value": value})
    assert response.status_code == 400


def test_voting_on_your_own_resource_is_refused(curator_client, resource):
    response = curator_client.post(
        reverse("curation:resource_vote", args=[resource.pk]), {"value": "1"}
    )
    assert response.status_code == 403


def test_review_flag_comment_and_counterpoint_forms(client, resource, user, curator, default_space):
    client.force_login(user)
    assert (
        client.post(
            reverse("curation:resource_review", args=[resource.pk]),
            {"rating": "4", "line": "Helped me"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("curation:resource_review", args=[resource.pk]), {"rating": "9", "line": "x"}
        ).status_code
        == 400
    )
    assert (
        client.post(
            reverse("curation:resource_flag", args=[resource.pk]), {"reason": "spam"}
        ).status_code
        == 302
    )
    response = client.post(
        reverse("curation:resource_comment", args=[resource.pk]),
        {"body": "Nice one"},
        HTTP_HX_REQUEST="true",
    )
    assert b"Nice one" in response.content
    other = services.resource_add(
        by=curator, space=default_space, url="https://example.org/other", fetch=False
    )
    client.force_login(curator)
    response = client.post(
        reverse("curation:resource_counterpoint", args=[resource.pk]),
        {"counter": f"http://testserver/curation/resources/{other.pk}/", "note": "Opposite view"},
    )
    assert response.status_code == 302
    page = client.get(resource.get_absolute_url())
    assert b"Opposite view" in page.content
    assert b"4/5" in page.content
    bad = client.post(
        reverse("curation:resource_counterpoint", args=[resource.pk]), {"counter": "banana"}
    )
    assert bad.status_code == 400


def test_edit_and_delete(curator_client, resource, client):
    assert (
        curator_client.get(reverse("curation:resource_edit", args=[resource.pk])).status_code == 200
    )
    response = curator_client.post(
        reverse("curation:resource_edit", args=[resource.pk]),
        {"title": "New title", "tags": "a b", "note": ""},
    )
    assert response.status_code == 302
    bad = curator_client.post(
        reverse("curation:resource_edit", args=[resource.pk]),
        {"title": "t", "tags": "BAD!!", "note": ""},
    )
    assert bad.status_code == 400
    assert (
        curator_client.post(reverse("curation:resource_delete", args=[resource.pk])).status_code
        == 302
    )
    client.force_login(UserFactory())
    assert client.get(resource.get_absolute_url()).status_code == 404


def test_feed_pages_and_inbox(
    curator_client, web, default_space, django_capture_on_commit_callbacks
):
    assert curator_client.get(reverse("curation:feed_list")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(
            reverse("curation:feed_list"),
            {"url": f"{web.base}/feed.xml", "space": default_space.pk},
        )
    assert response.status_code == 302
    inbox = curator_client.get(reverse("curation:inbox"))
    assert b"First post" in inbox.content
    item = FeedItem.objects.get(title="First post")
    response = curator_client.post(
        reverse("curation:inbox_decide", args=[item.pk]),
        {"action": "publish"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert Resource.objects.filter(canonical_url=f"{web.base}/posts/1").exists()
    other = FeedItem.objects.get(title="Second post")
    assert (
        curator_client.post(
            reverse("curation:inbox_decide", args=[other.pk]), {"action": "explode"}
        ).status_code
        == 400
    )
    sub = FeedSubscription.objects.get()
    assert curator_client.post(reverse("curation:feed_poll", args=[sub.pk])).status_code == 302
    dup = curator_client.post(
        reverse("curation:feed_list"), {"url": f"{web.base}/feed.xml", "space": default_space.pk}
    )
    assert dup.status_code == 400


def test_feed_pages_refuse_non_curators(client, user):
    client.force_login(user)
    assert client.get(reverse("curation:feed_list")).status_code == 403
    assert client.get(reverse("curation:inbox")).status_code == 200  # empty for them


def test_collection_pages(curator_client, client, default_space, question, user):
    response = curator_client.post(
        reverse("curation:collection_create"),
        {"title": "Analyst path", "description": "", "is_path": "on", "space": default_space.pk},
    )
    collection = Collection.objects.get()
    assert response.status_code == 302
    assert (
        curator_client.post(
            reverse("curation:section_add", args=[collection.pk]), {"title": "Week 1"}
        ).status_code
        == 302
    )
    assert (
        curator_client.post(
            reverse("curation:item_add", args=[collection.pk]),
            {"kind": "question", "target": question.pk, "note": "Start here"},
        ).status_code
        == 302
    )
    assert (
        curator_client.post(
            reverse("curation:item_add", args=[collection.pk]),
            {"kind": "question", "target": "999999"},
        ).status_code
        == 404
    )
    assert (
        curator_client.post(
            reverse("curation:item_add", args=[collection.pk]), {"kind": "banana", "target": "1"}
        ).status_code
        == 400
    )
    assert (
        curator_client.post(
            reverse("curation:path_recommend", args=[collection.pk]), {"department": "Finance"}
        ).status_code
        == 302
    )

    client.force_login(user)
    assert client.post(reverse("curation:path_enrol", args=[collection.pk])).status_code == 302
    item = collection.items.get()
    response = client.post(
        reverse("curation:item_done", args=[item.pk]), {"done": "1"}, HTTP_HX_REQUEST="true"
    )
    assert b"1 of 1 done" in response.content
    assert (
        client.post(
            reverse("curation:item_add", args=[collection.pk]),
            {"kind": "question", "target": question.pk},
        ).status_code
        == 403
    )
    listing = client.get(reverse("curation:collection_list"))
    assert b"Analyst path" in listing.content
    assert client.get(reverse("curation:collection_create")).status_code == 403


def test_the_bad_title_shows_on_the_collection_form(curator_client, default_space):
    response = curator_client.post(
        reverse("curation:collection_create"), {"title": "ab", "space": default_space.pk}
    )
    assert response.status_code == 400
