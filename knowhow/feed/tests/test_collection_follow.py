"""Following a collection or learning path: the button on the collection page, the API, the list
of what you follow, the feed entries and notifications it brings, and who may do it."""

import pytest
from django.core import mail
from django.urls import reverse

from knowhow.accounts.services import api_token_create
from knowhow.core.errors import NotFound, PermissionRefused
from knowhow.core.tests.factories import QuestionFactory, UserFactory, add_member
from knowhow.curation import services as curation
from knowhow.feed import selectors, services
from knowhow.feed.models import CollectionFollow, Notification, NotificationKind
from knowhow.privacy import services as privacy
from knowhow.spaces.models import SpaceMembership


@pytest.fixture
def curator(db):
    return UserFactory(reputation=500)


@pytest.fixture
def collection(curator, default_space):
    return curation.collection_create(by=curator, space=default_space, title="Excel reading list")


@pytest.fixture
def secret(curator, private_space):
    add_member(private_space, curator)
    return curation.collection_create(by=curator, space=private_space, title="Secret roadmap")


def _bearer(user):
    return {"Authorization": f"Bearer {api_token_create(user=user, name='t')[1]}"}


def _collection_entries(viewer):
    return [e for e in selectors.home_feed(viewer=viewer).entries if e.kind == "collection"]


# --- the service -----------------------------------------------------------------------------


def test_following_and_unfollowing_is_idempotent(user, collection):
    services.collection_follow(user=user, collection=collection)
    services.collection_follow(user=user, collection=collection)
    assert CollectionFollow.objects.filter(user=user, collection=collection).count() == 1
    assert selectors.is_following_collection(user=user, collection=collection)
    services.collection_follow(user=user, collection=collection, follow=False)
    services.collection_follow(user=user, collection=collection, follow=False)
    assert not selectors.is_following_collection(user=user, collection=collection)


def test_a_collection_in_a_space_you_cannot_see_cannot_be_followed(user, secret):
    with pytest.raises(NotFound):
        services.collection_follow(user=user, collection=secret)
    assert not CollectionFollow.objects.filter(user=user).exists()


def test_anonymous_visitors_cannot_follow(collection):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionRefused):
        services.collection_follow(user=AnonymousUser(), collection=collection)


def test_the_curator_follows_what_they_create(run_on_commit, curator, default_space):
    made = run_on_commit(
        curation.collection_create, by=curator, space=default_space, title="Onboarding"
    )
    assert selectors.is_following_collection(user=curator, collection=made)
    # They may stop, like anyone else.
    services.collection_follow(user=curator, collection=made, follow=False)
    assert not selectors.is_following_collection(user=curator, collection=made)


# --- the home feed ----------------------------------------------------------------------------


def test_new_items_in_a_followed_collection_are_in_the_feed_with_why(user, collection, curator):
    services.collection_follow(user=user, collection=collection)
    curation.collection_item_add(collection=collection, by=curator, target=QuestionFactory())
    entries = _collection_entries(user)
    assert [e.obj for e in entries] == [collection]
    assert entries[0].reasons == [
        "1 new item in Excel reading list",
        "You follow the collection Excel reading list",
    ]
    assert not _collection_entries(UserFactory())  # someone who does not follow it


def test_enrolled_and_following_shows_each_new_item_once(user, curator, default_space):
    path = curation.collection_create(
        by=curator, space=default_space, title="Analyst onboarding", is_path=True
    )
    curation.path_enrol(collection=path, user=user)
    services.collection_follow(user=user, collection=path)
    curation.collection_item_add(collection=path, by=curator, target=QuestionFactory())
    curation.collection_item_add(collection=path, by=curator, target=QuestionFactory())
    entries = _collection_entries(user)
    assert len(entries) == 1
    assert entries[0].reasons == [
        "2 new items in Analyst onboarding, a path you are enrolled in",
        "You follow the path Analyst onboarding",
    ]


def test_the_curator_sees_no_feed_entry_for_their_own_collection(
    run_on_commit, curator, default_space
):
    made = run_on_commit(
        curation.collection_create, by=curator, space=default_space, title="Onboarding"
    )
    run_on_commit(
        curation.collection_item_add, collection=made, by=curator, target=QuestionFactory()
    )
    assert selectors.is_following_collection(user=curator, collection=made)
    assert not _collection_entries(curator)


def test_leaving_the_private_space_stops_the_feed_entries(user, curator, secret, private_space):
    add_member(private_space, user)
    services.collection_follow(user=user, collection=secret)
    curation.collection_item_add(
        collection=secret, by=curator, target=QuestionFactory(author=curator, space=private_space)
    )
    assert [e.obj for e in _collection_entries(user)] == [secret]
    assert list(selectors.collections_followed(user=user)) == [secret]
    SpaceMembership.objects.filter(space=private_space, user=user).delete()
    assert not _collection_entries(user)
    assert list(selectors.collections_followed(user=user)) == []


def test_the_feed_stays_a_fixed_number_of_queries_with_follows(
    user, curator, default_space, django_assert_num_queries
):
    for i in range(3):
        made = curation.collection_create(by=curator, space=default_space, title=f"List {i}")
        services.collection_follow(user=user, collection=made)
        curation.collection_item_add(collection=made, by=curator, target=QuestionFactory())
    # As without follows (see test_feed): enrolled and followed collections are one query.
    with django_assert_num_queries(9):
        assert len(_collection_entries(user)) == 3


# --- notifications and the digest -------------------------------------------------------------


def test_a_new_item_notifies_followers_but_not_whoever_added_it(
    run_on_commit, user, curator, default_space
):
    made = run_on_commit(
        curation.collection_create, by=curator, space=default_space, title="Onboarding"
    )
    services.collection_follow(user=user, collection=made)
    run_on_commit(
        curation.collection_item_add, collection=made, by=curator, target=QuestionFactory()
    )
    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.post) == (user, NotificationKind.COLLECTION, None)
    assert note.url == made.get_absolute_url() and "Onboarding" in note.title
    assert note.actor == curator
    assert mail.outbox == []  # not a direct reply: it waits for the digest


def test_a_moderator_adding_to_a_curators_collection_notifies_the_curator(
    run_on_commit, curator, default_space
):
    from knowhow.spaces.models import SpaceMembership as Membership

    made = run_on_commit(
        curation.collection_create, by=curator, space=default_space, title="Onboarding"
    )
    moderator = UserFactory()
    add_member(default_space, moderator, role=Membership.Role.MODERATOR)
    run_on_commit(
        curation.collection_item_add, collection=made, by=moderator, target=QuestionFactory()
    )
    assert Notification.objects.get().recipient == curator


def test_several_new_items_make_one_unread_notification(run_on_commit, user, collection, curator):
    services.collection_follow(user=user, collection=collection)
    for _ in range(3):
        run_on_commit(
            curation.collection_item_add,
            collection=collection,
            by=curator,
            target=QuestionFactory(),
        )
    note = Notification.objects.get(recipient=user)
    assert note.text == "Several new items."
    services.notifications_mark_read(user=user)
    run_on_commit(
        curation.collection_item_add, collection=collection, by=curator, target=QuestionFactory()
    )
    assert Notification.objects.filter(recipient=user).count() == 2  # the read one stays as it was


def test_followers_who_left_the_private_space_are_not_notified(
    run_on_commit, user, curator, secret, private_space
):
    add_member(private_space, user)
    services.collection_follow(user=user, collection=secret)
    SpaceMembership.objects.filter(space=private_space, user=user).delete()
    run_on_commit(
        curation.collection_item_add,
        collection=secret,
        by=curator,
        target=QuestionFactory(author=curator, space=private_space),
    )
    assert not Notification.objects.filter(recipient=user).exists()


def test_collection_updates_go_in_the_daily_digest_and_honour_the_preference(
    run_on_commit, user, collection, curator, private_space
):
    services.collection_follow(user=user, collection=collection)
    run_on_commit(
        curation.collection_item_add, collection=collection, by=curator, target=QuestionFactory()
    )
    assert services.digests_send(period="daily") == 1
    digest = mail.outbox[-1]
    assert digest.to == [user.email] and "1 update" in digest.subject
    assert "Excel reading list" in digest.body and collection.get_absolute_url() in digest.body
    assert services.digests_send(period="daily") == 0  # never twice
    # Weekly instead: the daily digest has nothing, the weekly one has it.
    services.preference_set(user=user, kind=NotificationKind.COLLECTION, email="weekly")
    services.notifications_mark_read(user=user)
    run_on_commit(
        curation.collection_item_add, collection=collection, by=curator, target=QuestionFactory()
    )
    assert services.digests_send(period="daily") == 0
    assert services.digests_send(period="weekly") == 1


def test_a_digest_leaves_out_a_collection_in_a_space_left_since(
    run_on_commit, user, curator, secret, private_space
):
    add_member(private_space, user)
    services.collection_follow(user=user, collection=secret)
    run_on_commit(
        curation.collection_item_add,
        collection=secret,
        by=curator,
        target=QuestionFactory(author=curator, space=private_space),
    )
    assert Notification.objects.filter(recipient=user).exists()
    SpaceMembership.objects.filter(space=private_space, user=user).delete()
    assert services.digests_send(period="daily") == 0
    assert not selectors.notifications_for(user=user).exists()


def test_the_settings_page_has_the_collection_kind(client, user):
    client.force_login(user)
    page = client.get(reverse("feed:preferences"))
    assert b"New items in collections you follow" in page.content
    response = client.post(
        reverse("feed:preferences"),
        {k: ("none" if k == "collection" else "daily") for k in NotificationKind.values},
    )
    assert response.status_code == 302
    assert services.email_choice(user, NotificationKind.COLLECTION) == "none"


# --- the page and its button ------------------------------------------------------------------


def test_the_collection_page_loads_the_button_and_it_follows_and_unfollows(
    client, user, collection
):
    client.force_login(user)
    page = client.get(collection.get_absolute_url())
    url = reverse("feed:collection_follow", args=[collection.pk])
    assert f'hx-get="{url}"'.encode() in page.content
    button = client.get(url)
    assert b"Follow this collection" in button.content
    assert b'aria-pressed="false"' in button.content
    followed = client.post(url, {"follow": "1"}, headers={"HX-Request": "true"})
    assert b"Following this collection" in followed.content
    assert selectors.is_following_collection(user=user, collection=collection)
    assert b'aria-pressed="true"' in client.get(url).content
    response = client.post(url, {"follow": "0"})
    assert response.status_code == 302 and response["Location"] == collection.get_absolute_url()
    assert not selectors.is_following_collection(user=user, collection=collection)


def test_a_path_says_path_on_its_button(client, user, curator, default_space):
    path = curation.collection_create(by=curator, space=default_space, title="Path", is_path=True)
    client.force_login(user)
    assert (
        b"Follow this path" in client.get(reverse("feed:collection_follow", args=[path.pk])).content
    )


def test_anonymous_visitors_get_no_button_and_cannot_follow_on_the_page(client, collection):
    url = reverse("feed:collection_follow", args=[collection.pk])
    assert url.encode() not in client.get(collection.get_absolute_url()).content
    assert client.get(url).content == b""
    response = client.post(url)
    assert response.status_code == 302 and "login" in response["Location"]
    assert not CollectionFollow.objects.exists()


def test_the_page_refuses_a_collection_you_cannot_see_or_that_does_not_exist(client, user, secret):
    client.force_login(user)
    url = reverse("feed:collection_follow", args=[secret.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert client.post(reverse("feed:collection_follow", args=[999999])).status_code == 404
    assert client.put(url).status_code == 405
    assert not CollectionFollow.objects.filter(user=user).exists()


def test_the_following_page_lists_what_you_follow_and_unfollows(client, user, collection, secret):
    client.force_login(user)
    assert b"You follow no collections yet" in client.get(reverse("feed:following")).content
    services.collection_follow(user=user, collection=collection)
    page = client.get(reverse("feed:following"))
    assert b"Excel reading list" in page.content and b"Secret roadmap" not in page.content
    url = reverse("feed:collection_follow", args=[collection.pk])
    response = client.post(url, {"follow": "0", "next": "following"})
    assert response.status_code == 302 and response["Location"] == reverse("feed:following")
    assert not CollectionFollow.objects.filter(user=user).exists()


def test_the_following_page_needs_a_login(client):
    response = client.get(reverse("feed:following"))
    assert response.status_code == 302 and "login" in response["Location"]


# --- the API ----------------------------------------------------------------------------------


def test_the_api_follows_lists_and_unfollows(client, user, collection):
    headers = _bearer(user)
    path = f"/api/v1/collections/{collection.pk}/follow"
    assert client.get(path, headers=headers).json() == {"following": False}
    assert client.put(path, headers=headers).status_code == 204
    assert client.put(path, headers=headers).status_code == 204  # idempotent
    assert client.get(path, headers=headers).json() == {"following": True}
    listed = client.get("/api/v1/users/me/followed-collections", headers=headers).json()
    assert listed == [
        {
            "id": collection.pk,
            "title": "Excel reading list",
            "url": collection.get_absolute_url(),
            "is_path": False,
            "space": collection.space.slug,
        }
    ]
    assert client.delete(path, headers=headers).status_code == 204
    assert client.delete(path, headers=headers).status_code == 204
    assert client.get(path, headers=headers).json() == {"following": False}
    assert client.get("/api/v1/users/me/followed-collections", headers=headers).json() == []


def _problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def test_the_api_refuses_anonymous_callers_with_a_problem(client, collection):
    path = f"/api/v1/collections/{collection.pk}/follow"
    assert _problem(client.put(path), 401)["code"] == "not_authenticated"
    assert _problem(client.get(path), 401)["code"] == "not_authenticated"
    assert _problem(client.delete(path), 401)["code"] == "not_authenticated"
    assert _problem(client.get("/api/v1/users/me/followed-collections"), 401)["status"] == 401
    assert not CollectionFollow.objects.exists()


def test_the_api_refuses_unseen_unknown_and_malformed_collections(client, user, secret):
    headers = _bearer(user)
    path = f"/api/v1/collections/{secret.pk}/follow"
    assert _problem(client.put(path, headers=headers), 404)["code"] == "not_found"
    assert _problem(client.get(path, headers=headers), 404)["code"] == "not_found"
    assert _problem(client.delete(path, headers=headers), 404)["code"] == "not_found"
    assert _problem(client.put("/api/v1/collections/999999/follow", headers=headers), 404)
    assert _problem(client.put("/api/v1/collections/0/follow", headers=headers), 422)
    assert client.put("/api/v1/collections/abc/follow", headers=headers).status_code == 404
    assert not CollectionFollow.objects.filter(user=user).exists()


def test_the_api_needs_csrf_for_session_writes(user, collection):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    path = f"/api/v1/collections/{collection.pk}/follow"
    assert _problem(browser.put(path), 403)["code"] == "csrf_failed"
    assert browser.get(path).json() == {"following": False}


def test_the_api_list_leaves_out_a_private_space_you_left(client, user, secret, private_space):
    add_member(private_space, user)
    services.collection_follow(user=user, collection=secret)
    headers = _bearer(user)
    listed = client.get("/api/v1/users/me/followed-collections", headers=headers).json()
    assert [c["id"] for c in listed] == [secret.pk]
    SpaceMembership.objects.filter(space=private_space, user=user).delete()
    assert client.get("/api/v1/users/me/followed-collections", headers=headers).json() == []
    path = f"/api/v1/collections/{secret.pk}/follow"
    assert _problem(client.get(path, headers=headers), 404)


# --- personal data ----------------------------------------------------------------------------


def test_follows_are_in_the_export_and_gone_after_erasure(user, collection, secret, private_space):
    add_member(private_space, user)
    services.collection_follow(user=user, collection=collection)
    services.collection_follow(user=user, collection=secret)
    records = privacy.personal_data(user=user)[0]["records"]
    assert sorted(r["collection_id"] for r in records["feed.CollectionFollow.user"]) == sorted(
        [collection.pk, secret.pk]
    )
    # A private space left since: its collection is not in the export.
    SpaceMembership.objects.filter(space=private_space, user=user).delete()
    records = privacy.personal_data(user=user)[0]["records"]
    assert [r["collection_id"] for r in records["feed.CollectionFollow.user"]] == [collection.pk]
    other = UserFactory()
    services.collection_follow(user=other, collection=collection)
    privacy.person_erase(user=user, by=None)
    assert not CollectionFollow.objects.filter(user=user).exists()
    assert CollectionFollow.objects.filter(user=other).exists()  # only the erased person's go


def test_the_profile_settings_and_the_feed_link_to_the_following_page(client, user):
    client.force_login(user)
    link = f'href="{reverse("feed:following")}"'.encode()
    assert link in client.get(reverse("accounts:profile")).content
    assert link in client.get(reverse("feed:home")).content


def test_an_item_from_a_private_space_reaches_only_followers_who_may_see_it(
    run_on_commit, curator, collection, private_space
):
    add_member(private_space, curator)
    member, outsider = UserFactory(), UserFactory()
    add_member(private_space, member)
    for person in (member, outsider):
        services.collection_follow(user=person, collection=collection)
    hidden = QuestionFactory(author=curator, space=private_space, title="Secret budget question")
    run_on_commit(curation.collection_item_add, collection=collection, by=curator, target=hidden)
    assert list(Notification.objects.values_list("recipient", flat=True)) == [member.pk]
    assert [e.obj for e in _collection_entries(member)] == [collection]
    assert not _collection_entries(outsider)
    # A public item afterwards: the outsider hears of it, and counts only what they may see.
    run_on_commit(
        curation.collection_item_add, collection=collection, by=curator, target=QuestionFactory()
    )
    assert _collection_entries(outsider)[0].reasons[0] == "1 new item in Excel reading list"
    assert _collection_entries(member)[0].reasons[0] == "2 new items in Excel reading list"
    assert Notification.objects.filter(recipient=outsider).count() == 1
