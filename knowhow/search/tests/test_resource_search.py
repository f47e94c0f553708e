"""Curated resources in search: their title, description, site, tags and the curator's note find
them; the index follows adding, editing, previews, deletion, hiding and restoring; space
visibility applies as on their pages; `knowhow reindex` rebuilds them; results show a card."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from knowhow.core.tests.factories import QuestionFactory, UserFactory, add_member
from knowhow.curation import services as curation
from knowhow.curation.models import PreviewStatus, Resource
from knowhow.curation.signals import resource_changed
from knowhow.moderation.models import Decision, ReviewTask
from knowhow.moderation.services import review_decide
from knowhow.search.backends import get_backend
from knowhow.search.query import parse_query
from knowhow.search.selectors import SearchFilters, search_questions

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator(db):
    return UserFactory(reputation=500)


def previewed(resource, **fields):
    """A resource as the worker leaves it after fetching its preview (without the network)."""
    Resource.objects.filter(pk=resource.pk).update(preview_status=PreviewStatus.READY, **fields)
    resource.refresh_from_db()
    curation._post_sync(resource)
    resource_changed.send(sender=Resource, resource_id=resource.pk)
    return resource


def add(curator, space, url="https://learn.example.org/pelican", **kwargs):
    return curation.resource_add(by=curator, space=space, url=url, fetch=False, **kwargs)


def found(text, viewer=None, **filters):
    results = search_questions(viewer=viewer, text=text, filters=SearchFilters(**filters))
    return [hit.resource.pk for hit in results.hits if hit.resource is not None]


@pytest.fixture
def resource(curator, default_space, committed):
    with committed():
        resource = add(
            curator,
            default_space,
            tags="birdwatching",
            note="The best **introduction** to wading birds I know.",
        )
        previewed(
            resource,
            title="Pelican field guide",
            description="How to tell brown and white pelicans apart.",
            site_name="Shorebird Society",
        )
    return resource


def test_title_description_site_tags_and_note_find_a_resource(resource):
    assert found("pelican") == [resource.pk]  # title
    assert found("apart") == [resource.pk]  # description
    assert found("shorebird") == [resource.pk]  # site name
    assert found("learn.example.org") == [resource.pk]  # host
    assert found("introduction wading") == [resource.pk]  # the curator's note, as plain text
    assert found("pelican", tags=("birdwatching",)) == [resource.pk]
    assert found("[birdwatching] guide") == [resource.pk]
    assert found("pelican", tags=("other",)) == []
    assert found("pelican", answered=True) == []


def test_results_show_a_card_with_title_site_and_link_to_the_resource_page(resource, client):
    page = client.get(reverse("search:search"), {"q": "pelican"}).content.decode()
    assert f'href="{resource.get_absolute_url()}"' in page
    assert "<mark>Pelican</mark> field guide" in page
    assert "🔗 Resource" in page and "Shorebird Society" in page
    assert 'href="https://learn.example.org/pelican"' in page
    assert "?tag=birdwatching" in page


def test_the_search_api_returns_the_resource_with_its_link(resource, client):
    hit = client.get("/api/v1/search", {"q": "pelican"}).json()["results"][0]
    assert hit["question"]["id"] == resource.post_id
    assert hit["question"]["url"] == resource.post.get_absolute_url()  # leads to the resource
    assert hit["resource"] == {
        "id": resource.pk,
        "url": "https://learn.example.org/pelican",
        "site_name": "Shorebird Society",
        "tags": ["birdwatching"],
        "page_url": resource.get_absolute_url(),
    }


def test_editing_and_deleting_keep_the_index_current(resource, curator, committed):
    with committed():
        curation.resource_edit(
            resource=resource, by=curator, title="Heron handbook", note="", tags="herons"
        )
    assert found("heron") == [resource.pk]
    assert found("pelican") == [resource.pk]  # still in the description
    assert found("introduction") == []  # the old note is gone
    assert found("guide", tags=("herons",)) == [] and found("heron", tags=("herons",)) == [
        resource.pk
    ]
    with committed():
        curation.resource_delete(resource=resource, by=curator)
    assert found("heron") == []


def test_a_resource_hidden_by_flags_leaves_search_until_restored(
    resource, committed, settings, staff
):
    settings.KNOWHOW_MODERATION = {"HIDE_SCORE": 1.0}
    with committed():
        curation.resource_flag(resource=resource, user=UserFactory(), reason="spam")
    assert found("pelican") == []
    assert found("pelican", viewer=staff) == []  # hidden from results for everyone, as videos
    with committed():
        curation.resource_unhide(resource=resource, by=staff)
    assert found("pelican") == [resource.pk]


def test_a_resource_deleted_on_review_leaves_search(resource, committed, settings):
    settings.KNOWHOW_MODERATION = {"HIDE_SCORE": 1.0}
    with committed():
        curation.resource_flag(resource=resource, user=UserFactory(), reason="spam")
        task = ReviewTask.objects.get(post=resource.post)
    with committed():
        review_decide(task=task, reviewer=UserFactory(reputation=400), decision=Decision.DELETE)
    assert found("pelican") == []
    # Out of the index itself, not merely filtered out of results.
    assert get_backend().snippets(parse_query("pelican"), [resource.post_id]) == {}
    call_command("reindex", "questions", "--quiet-progress", stdout=io.StringIO())
    assert found("pelican") == []


def test_private_resources_are_found_only_by_members(curator, private_space, committed, client):
    add_member(private_space, curator)
    member, outsider = UserFactory(), UserFactory()
    add_member(private_space, member)
    with committed():
        secret = add(curator, private_space, url="https://example.com/secret-albatross")
        previewed(secret, title="Albatross migration plan")
    assert found("albatross", viewer=member) == [secret.pk]
    assert found("albatross", viewer=outsider) == []
    assert found("albatross") == []
    client.force_login(outsider)
    page = client.get(reverse("search:search"), {"q": "albatross"}).content.decode()
    assert "Albatross" not in page
    assert client.get("/api/v1/search", {"q": "albatross"}).json()["results"] == []


def test_reindex_rebuilds_resources_with_questions_and_videos(resource, default_space, committed):
    with committed():
        QuestionFactory(title="Pelican counting method", space=default_space)
    get_backend().clear()
    assert search_questions(viewer=None, text="pelican").hits == []
    out = io.StringIO()
    call_command("reindex", "questions", "--quiet-progress", stdout=out)
    assert "2 indexed" in out.getvalue()
    assert found("pelican") == [resource.pk]
    assert len(search_questions(viewer=None, text="pelican").hits) == 2


def test_a_results_page_with_resources_costs_two_more_queries(
    curator, default_space, committed, django_assert_num_queries
):
    with committed():
        for i in range(3):
            previewed(add(curator, default_space, url=f"https://example.com/cormorant{i}"))
        for r in Resource.objects.all():
            previewed(r, title=f"Cormorant dives {r.pk}")
        QuestionFactory(title="Cormorant questions", space=default_space)
    # the index generation (a first search of these words: nothing cached), ranked candidates
    # with their filter check (and so the count), page, tags, snippets, resources, their tags
    with django_assert_num_queries(7):
        results = search_questions(viewer=None, text="cormorant")
        assert [t.name for h in results.hits if h.resource for t in h.resource.tags.all()] == []
        assert sum(1 for h in results.hits if h.resource is not None) == 3
        assert len(results.hits) == 4


def test_question_lists_and_tag_pages_do_not_show_resources(resource, client):
    for url in (reverse("qa:question_list"), reverse("qa:tag_detail", args=["birdwatching"])):
        response = client.get(url)
        assert "Pelican field guide" not in response.content.decode()
