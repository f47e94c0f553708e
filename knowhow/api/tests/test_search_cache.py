"""The API search's cached response body: reused per audience and query string, never stale.

Changes below are made without running the after-commit reindexing: only the index generation
that the change itself moves (`search/state_triggers.py`) or the key can make the next response
fresh. Authentication runs before the cache, so a refused caller gets nothing from it.
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from knowhow.accounts.services import api_token_create, api_token_revoke
from knowhow.core.tests.factories import SpaceFactory, UserFactory, add_member
from knowhow.qa import services as qa
from knowhow.qa.models import Post
from knowhow.search.tests.helpers import ask

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/search"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def bearer(user):
    _, raw = api_token_create(user=user, name="search")
    return {"Authorization": f"Bearer {raw}"}


def get(client, params, headers=None):
    """(response, its SQL)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(SEARCH, params, headers=headers or {})
    return response, [q["sql"] for q in ctx.captured_queries]


def ids(response):
    assert response.status_code == 200, response.content
    return [hit["question"]["id"] for hit in response.json()["results"]]


def test_a_repeated_search_is_served_from_the_cache(anon, committed, user):
    with committed():
        q = ask("Zeppelin notebook setup", tags=("zeppelin",))
    first, _ = get(anon, {"q": "zeppelin"})
    again, queries = get(anon, {"q": "zeppelin"})
    assert ids(again) == [q.pk] and again.content == first.content
    assert len(queries) == 1  # the index generation
    # A signed-in person in no private space shares the anonymous entry: their token, the
    # generation and their private spaces, nothing of the search.
    headers = bearer(user)
    get(anon, {"q": "zeppelin"}, headers)  # the token's first use records when it was used
    signed_in, queries = get(anon, {"q": "zeppelin"}, headers)
    assert signed_in.content == first.content and len(queries) == 3


def test_the_cached_body_is_what_the_uncached_search_returns(anon, committed, settings):
    with committed():
        for i in range(3):
            ask(f"Kafka consumer lag {i}", tags=("kafka", "ops"))
    params = {"q": "kafka", "page_size": 2, "page": 2}
    cached = [anon.get(SEARCH, params).json() for _ in range(2)]
    settings.SEARCH_RESULT_CACHE_SECONDS = 0
    assert cached[0] == cached[1] == anon.get(SEARCH, params).json()
    assert cached[0]["count"] == 3 and cached[0]["previous"] and not cached[0]["next"]
    assert cached[0]["results"][0]["question"]["tags"] == ["kafka", "ops"]


def test_the_links_follow_the_query_string_as_sent(anon, committed):
    with committed():
        for i in range(3):
            ask(f"Terraform state lock {i}")
    first = anon.get(SEARCH, {"q": "terraform", "page_size": 1}).json()
    other = anon.get(SEARCH, {"page_size": 1, "q": "terraform"}).json()
    assert first["results"] == other["results"]
    assert first["next"].startswith(f"{SEARCH}?q=terraform")
    assert other["next"].startswith(f"{SEARCH}?page_size=1")


def test_a_deleted_post_is_not_served_from_the_cache(anon, committed, user):
    with committed():
        q = ask("Configuring the proxy for yarn", author=user)
    assert ids(anon.get(SEARCH, {"q": "proxy"})) == [q.pk]
    qa.post_delete(post=q, by=user)
    response = anon.get(SEARCH, {"q": "proxy"})
    assert ids(response) == [] and response.json()["count"] == 0


def test_a_post_moved_to_a_private_space_is_not_served(anon, committed, user):
    private = SpaceFactory(private=True)
    with committed():
        q = ask("Quokka habitat notes")
    headers = bearer(user)
    assert ids(anon.get(SEARCH, {"q": "quokka"})) == [q.pk]
    assert ids(anon.get(SEARCH, {"q": "quokka"}, headers=headers)) == [q.pk]
    Post.objects.filter(pk=q.pk).update(space=private)
    assert ids(anon.get(SEARCH, {"q": "quokka"})) == []
    assert ids(anon.get(SEARCH, {"q": "quokka"}, headers=headers)) == []


def test_one_audience_never_gets_another_audiences_body(anon, committed):
    private = SpaceFactory(private=True)
    member, outsider = UserFactory(), UserFactory()
    add_member(private, member)
    with committed():
        public = ask("Helm chart values")
        secret = ask("Helm chart secrets", space=private)
    member_ids = ids(anon.get(SEARCH, {"q": "helm"}, headers=bearer(member)))
    assert sorted(member_ids) == sorted([public.pk, secret.pk])
    assert ids(anon.get(SEARCH, {"q": "helm"})) == [public.pk]
    assert ids(anon.get(SEARCH, {"q": "helm"}, headers=bearer(outsider))) == [public.pk]
    # A session counts as the same person.
    anon.force_login(member)
    assert sorted(ids(anon.get(SEARCH, {"q": "helm"}))) == sorted(member_ids)


def test_a_membership_removed_takes_the_private_hits_away(anon, committed):
    private = SpaceFactory(private=True)
    person = UserFactory()
    membership = add_member(private, person)
    with committed():
        secret = ask("Quarkus native image", space=private)
    headers = bearer(person)
    assert ids(anon.get(SEARCH, {"q": "quarkus"}, headers=headers)) == [secret.pk]
    membership.delete()
    assert ids(anon.get(SEARCH, {"q": "quarkus"}, headers=headers)) == []


def test_a_revoked_token_gets_nothing_from_the_cache(anon, committed, user):
    with committed():
        ask("Rotating kubernetes secrets")
    token, raw = api_token_create(user=user, name="soon revoked")
    headers = {"Authorization": f"Bearer {raw}"}
    assert anon.get(SEARCH, {"q": "kubernetes"}, headers=headers).status_code == 200
    api_token_revoke(user=user, token_id=token.pk)
    response = anon.get(SEARCH, {"q": "kubernetes"}, headers=headers)
    assert response.status_code == 401 and response.json()["code"] == "invalid_token"
    user.is_active = False
    user.save()
    _, other = api_token_create(user=user, name="deactivated")
    response = anon.get(SEARCH, {"q": "kubernetes"}, headers={"Authorization": f"Bearer {other}"})
    assert response.status_code == 401


def test_invalid_parameters_are_refused_before_the_cache(anon, committed):
    with committed():
        ask("Rotating kubernetes secrets")
    assert anon.get(SEARCH, {"q": "kubernetes"}).status_code == 200
    response = anon.get(SEARCH, {"q": "kubernetes", "page_size": 1000})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")


def test_etag_follows_the_body_and_answers_not_modified(anon, committed, user):
    with committed():
        q = ask("Gradle daemon memory", author=user)
    first = anon.get(SEARCH, {"q": "gradle"})
    etag = first["ETag"]
    assert first["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(first.content)["count"] == 1
    again = anon.get(SEARCH, {"q": "gradle"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again["ETag"] == etag
    qa.post_delete(post=q, by=user)
    changed = anon.get(SEARCH, {"q": "gradle"}, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_a_new_question_is_found_at_once(anon, committed):
    with committed():
        ask("Flyway migration order")
    assert len(ids(anon.get(SEARCH, {"q": "flyway"}))) == 1
    with committed():
        ask("Flyway baseline on an existing schema")
    assert len(ids(anon.get(SEARCH, {"q": "flyway"}))) == 2
