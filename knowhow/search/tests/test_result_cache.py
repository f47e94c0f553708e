"""Cached search results and pages: reused per audience, never served stale.

Every change below is made without running the after-commit callbacks (so without the
reindexing the services ask for): what invalidates the cache is the index generation that
the change itself moves, in its own transaction (`state_triggers.py`), the same for any
writer (a service, the admin, a bulk update, another process).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from knowhow.core.signals import activity
from knowhow.core.tests.factories import (
    AnswerFactory,
    SpaceFactory,
    UserFactory,
    add_member,
)
from knowhow.moderation.services import post_hide
from knowhow.qa import services as qa
from knowhow.qa.models import Post, Tag
from knowhow.search import ranking_cache, state_triggers
from knowhow.search.selectors import SearchFilters, search_questions
from knowhow.search.tests.helpers import BODY, ask
from knowhow.spaces.models import Space, SpaceMembership
from knowhow.spaces.services import space_remove_member

pytestmark = pytest.mark.django_db


def search(text, viewer=None, **kwargs):
    """(result ids, capped count, whether the visibility-checked results came from the cache)."""
    with CaptureQueriesContext(connection) as ctx:
        results = search_questions(viewer=viewer, text=text, **kwargs)
    checked = any(
        "candidate.id" in q["sql"] or "json_each" in q["sql"] or "unnest" in q["sql"]
        for q in ctx.captured_queries
    )
    return [h.question.pk for h in results.hits], results.page.paginator.count, not checked


def found(text, viewer=None, **kwargs):
    ids, _, _ = search(text, viewer, **kwargs)
    return ids


def cached_then(text, viewer=None, **kwargs):
    """Search twice; the second must come from the cache. Returns its ids."""
    first, count, _ = search(text, viewer, **kwargs)
    again, again_count, from_cache = search(text, viewer, **kwargs)
    assert from_cache and again == first and again_count == count
    return again


def test_a_repeated_search_checks_no_candidates_and_is_shared_by_an_audience(
    committed, user, django_assert_num_queries
):
    with committed():
        q = ask("Zeppelin notebook setup")
    assert cached_then("zeppelin") == [q.pk]
    # A signed-in person in no private space sees what anonymous visitors see: same entry.
    with django_assert_num_queries(2):  # generation, private spaces; the page's hits cached
        ids, count, from_cache = search("zeppelin", viewer=user)
    assert ids == [q.pk] and count == 1 and from_cache


def test_a_deleted_post_is_not_served_from_the_cache(committed, user):
    with committed():
        q = ask("Configuring the proxy for yarn", author=user)
    assert cached_then("proxy") == [q.pk]
    qa.post_delete(post=q, by=user)
    assert search("proxy")[:2] == ([], 0)


def test_an_undeleted_post_is_found_again(committed, staff):
    with committed():
        q = ask("Gradle daemon memory")
    qa.post_delete(post=q, by=staff)  # still in the index: not reindexed after commit
    assert cached_then("gradle") == []
    qa.post_undelete(post=q, by=staff)
    assert found("gradle") == [q.pk]


def test_a_hard_deleted_post_is_not_served_from_the_cache(committed):
    with committed():
        q = ask("Kafka consumer lag")
    assert cached_then("kafka") == [q.pk]
    Post.objects.filter(pk=q.pk).delete()
    assert search("kafka")[:2] == ([], 0)


def test_a_discussion_post_hidden_by_flags_is_not_served_from_the_cache(committed):
    """Videos' and resources' discussion posts are left out while hidden by flags."""
    with committed():
        q = ask("Orchard pruning walkthrough")
    Post.objects.filter(pk=q.pk).update(post_type=Post.PostType.VIDEO)
    assert cached_then("orchard") == [q.pk]
    post_hide(post=Post.objects.get(pk=q.pk), reason="spam", actor=None)
    assert search("orchard")[:2] == ([], 0)


def test_a_post_moved_to_a_private_space_is_not_served_to_others(committed, user):
    private = SpaceFactory(private=True)
    with committed():
        q = ask("Quokka habitat notes")
    assert cached_then("quokka") == [q.pk]
    assert cached_then("quokka", viewer=user) == [q.pk]
    Post.objects.filter(pk=q.pk).update(space=private)
    assert found("quokka") == []
    assert found("quokka", viewer=user) == []


def test_a_space_made_private_or_public_changes_what_is_served(committed):
    space = SpaceFactory()
    with committed():
        q = ask("Helm chart values", space=space)
    assert cached_then("helm") == [q.pk]
    space.visibility = Space.Visibility.PRIVATE
    space.save()
    assert found("helm") == []
    assert cached_then("helm") == []
    Space.objects.filter(pk=space.pk).update(visibility=Space.Visibility.ORGANISATION)
    assert found("helm") == [q.pk]


def test_a_membership_added_or_removed_changes_what_is_served(committed):
    private = SpaceFactory(private=True)
    person = UserFactory()
    with committed():
        q = ask("Terraform state locking", space=private)
    assert cached_then("terraform", viewer=person) == []
    add_member(private, person)
    assert cached_then("terraform", viewer=person) == [q.pk]
    space_remove_member(space=private, user=person)
    assert found("terraform", viewer=person) == []
    # Made a moderator-free superuser: sees everything, with an entry of their own.
    person.is_superuser = True
    assert found("terraform", viewer=person) == [q.pk]


def test_the_results_of_one_audience_are_never_served_to_another(committed):
    private = SpaceFactory(private=True)
    member = UserFactory()
    add_member(private, member)
    with committed():
        secret = ask("Bastion host rotation", space=private, author=member)
        public = ask("Bastion host basics")
    assert set(cached_then("bastion", viewer=member)) == {secret.pk, public.pk}
    assert cached_then("bastion") == [public.pk]
    assert cached_then("bastion", viewer=UserFactory()) == [public.pk]


def test_tags_added_removed_or_renamed_change_what_a_tag_search_serves(committed):
    with committed():
        q = ask("Pipeline caching", tags=("ci",))
    other = Tag.objects.create(name="cd")
    assert cached_then("[ci] pipeline") == [q.pk]
    assert cached_then("[cd] pipeline") == []
    q.tags.add(other)
    assert found("[cd] pipeline") == [q.pk]
    q.tags.remove(Tag.objects.get(name="ci"))
    assert found("[ci] pipeline") == []
    assert cached_then("[cd] pipeline") == [q.pk]
    Tag.objects.filter(name="cd").update(name="delivery")
    assert found("[cd] pipeline") == []
    assert found("[delivery] pipeline") == [q.pk]


def test_a_retag_by_edit_changes_what_a_tag_search_serves(committed, user):
    with committed():
        q = ask("Docker layer cache", tags=("docker",), author=user)
    Tag.objects.create(name="containers")
    assert cached_then("[docker] layer") == [q.pk]
    qa.post_edit(post=q, by=user, body=BODY, title=q.title, tags=["containers"])
    assert found("[docker] layer") == []


def test_a_renamed_space_changes_what_a_space_filter_serves(committed):
    space = SpaceFactory(slug="platform")
    with committed():
        q = ask("Nomad job priorities", space=space)
    assert cached_then("nomad", filters=SearchFilters(space="platform")) == [q.pk]
    Space.objects.filter(pk=space.pk).update(slug="infrastructure")
    assert found("nomad", filters=SearchFilters(space="platform")) == []
    assert found("nomad", filters=SearchFilters(space="infrastructure")) == [q.pk]


def test_a_new_author_changes_what_a_user_filter_serves(committed):
    author, other = UserFactory(), UserFactory()
    with committed():
        q = ask("Vault token renewal", author=author)
    assert cached_then(f"vault user:{author.pk}") == [q.pk]
    Post.objects.filter(pk=q.pk).update(author=other)
    assert found(f"vault user:{author.pk}") == []
    assert found(f"vault user:{other.pk}") == [q.pk]


def test_a_first_answer_and_an_accepted_answer_change_what_is_answered_serves(committed, user):
    with committed():
        q = ask("Sidekiq retry backoff", author=user)
    assert cached_then("sidekiq is:answered") == []
    assert cached_then("sidekiq is:accepted") == []
    answer = AnswerFactory(question=q, body="Set the retry option on the worker class.")
    assert cached_then("sidekiq is:answered") == [q.pk]
    qa.answer_accept(answer=answer, by=user)
    assert cached_then("sidekiq is:accepted") == [q.pk]
    qa.answer_unaccept(answer=answer, by=user)
    assert found("sidekiq is:accepted") == []


def test_votes_do_not_change_the_generation(committed, user):
    """Scores are shown, not searched: a vote keeps the cached results (its page may show the
    old score for at most SEARCH_RESULT_CACHE_SECONDS)."""
    with committed():
        q = ask("Airflow sensor timeouts")
    before = ranking_cache.current_generation()
    qa.vote_cast(post=q, user=user, value=1)
    assert ranking_cache.current_generation() == before


def test_every_trigger_is_installed_and_reinstalled_after_a_table_rebuild():
    """Installed by migrate; on SQLite a table rebuilt by a later migration loses its
    triggers, and the next migrate (post_migrate) puts them back."""
    assert state_triggers.installed(connection) == state_triggers.names()
    assert len(state_triggers.names()) == 14
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER search_state_qa_post_update")
        else:
            cursor.execute("DROP TRIGGER search_state_qa_post_update ON qa_post")
    state_triggers.install(connection)
    assert state_triggers.installed(connection) == state_triggers.names()


def test_the_cache_can_be_turned_off(committed, settings):
    settings.SEARCH_RESULT_CACHE_SECONDS = 0
    settings.SEARCH_RANKING_CACHE_SECONDS = 0
    with committed():
        q = ask("Consul service mesh")
    assert search("consul")[0] == [q.pk]
    ids, _, from_cache = search("consul")
    assert ids == [q.pk] and not from_cache


# --- the page --------------------------------------------------------------------------------


@pytest.fixture
def searches():
    """The knowledge-gap events sent (kind "search"), as (actor id, value, query)."""
    seen = []

    def receiver(sender, *, kind, actor_id=None, **payload):
        if kind == "search":
            seen.append((actor_id, payload.get("value"), payload.get("meta", {}).get("q")))

    activity.connect(receiver, dispatch_uid="test_result_cache.searches")
    yield seen
    activity.disconnect(dispatch_uid="test_result_cache.searches")


def test_an_anonymous_page_is_answered_early_from_the_cache_and_still_recorded(
    committed, client, searches, django_assert_num_queries
):
    with committed():
        ask("Onboarding checklist for new engineers", tags=("onboarding",))
    url = reverse("search:search")
    with committed():
        first = client.get(url, {"q": "onboarding"})
    assert b"<mark>Onboarding</mark>" in first.content
    with committed(), django_assert_num_queries(1):  # the generation
        again = client.get(url, {"q": "onboarding"})
    assert again.content == first.content
    assert again["Vary"] == "Cookie"
    assert "csrftoken" not in again.cookies
    assert searches == [(None, 1, "onboarding"), (None, 1, "onboarding")]
    # Another page: its own entry, from the cached result ids (generation, page, tags, snippets).
    with committed(), django_assert_num_queries(4):
        further = client.get(url, {"q": "onboarding", "page": "2"})
    assert further.status_code == 200
    assert len(searches) == 2  # a further page records no event, cached or not


def test_a_cached_anonymous_page_is_not_served_after_a_deletion(committed, client, staff):
    with committed():
        q = ask("Onboarding checklist for new engineers")
    url = reverse("search:search")
    client.get(url, {"q": "onboarding"})
    assert b"Onboarding" in client.get(url, {"q": "onboarding"}).content
    qa.post_delete(post=q, by=staff)
    response = client.get(url, {"q": "onboarding"})
    assert b"<mark>Onboarding</mark>" not in response.content
    assert b"0 results" in response.content


def test_a_signed_in_page_shares_its_results_but_not_its_header(
    committed, client, searches, django_assert_num_queries
):
    alice, bob = UserFactory(username="alice-s"), UserFactory(username="bob-s")
    with committed():
        q = ask("Rollout freeze calendar")
    url = reverse("search:search")
    client.force_login(alice)
    with committed():
        client.get(url, {"q": "rollout"})
    client.force_login(bob)
    with committed(), django_assert_num_queries(3):  # generation, person, private spaces
        page = client.get(url, {"q": "rollout"})
    html = page.content.decode()
    assert bob.name in html and alice.name not in html
    assert "<mark>Rollout</mark>" in html
    assert 'name="csrfmiddlewaretoken"' in html  # the log-out form: this response's token
    assert searches == [(alice.pk, 1, "rollout"), (bob.pk, 1, "rollout")]
    qa.post_delete(post=q, by=UserFactory(is_staff=True, is_superuser=True))
    assert "<mark>Rollout</mark>" not in client.get(url, {"q": "rollout"}).content.decode()


def test_a_private_result_is_not_served_from_the_page_of_another_audience(committed, client):
    private = SpaceFactory(private=True, name="Secret lab")
    member = UserFactory()
    add_member(private, member)
    with committed():
        ask("Cryostat calibration", space=private, author=member)
    url = reverse("search:search")
    client.force_login(member)
    assert b"<mark>Cryostat</mark>" in client.get(url, {"q": "cryostat"}).content
    client.logout()
    assert b"Cryostat" not in client.get(url, {"q": "cryostat"}).content
    client.force_login(UserFactory())
    assert b"Cryostat" not in client.get(url, {"q": "cryostat"}).content
    SpaceMembership.objects.filter(user=member).delete()
    client.force_login(member)
    assert b"Cryostat" not in client.get(url, {"q": "cryostat"}).content


def test_a_signed_in_person_gets_their_whole_page_from_the_cache_with_their_own_token(
    committed, client, searches
):
    person = UserFactory()
    with committed():
        ask("Canary analysis thresholds")
    url = reverse("search:search")
    client.force_login(person)
    with committed():
        first = client.get(url, {"q": "canary"})
    client.cookies.pop("csrftoken", None)
    with committed():
        again = client.get(url, {"q": "canary"})
    assert b"<mark>Canary</mark>" in again.content
    assert page_token(again) and page_token(again) != page_token(first)
    assert again["Cache-Control"] == "private, no-cache"
    assert [s[:2] for s in searches] == [(person.pk, 1), (person.pk, 1)]
    person.display_name = "Renamed Person"
    person.save()
    assert "Renamed" in client.get(url, {"q": "canary"}).content.decode()


def page_token(response):
    html = response.content.decode()
    marker = 'name="csrfmiddlewaretoken" value="'
    return html[html.index(marker) + len(marker) :].split('"', 1)[0]


def test_signed_in_people_and_anonymous_visitors_do_not_share_the_results_part(client):
    """The same spaces, but an empty result offers signed-in people to ask a question."""
    url = reverse("search:search")
    assert b"ask a question" not in client.get(url, {"q": "nothingmatches"}).content
    client.force_login(UserFactory())
    assert b"ask a question" in client.get(url, {"q": "nothingmatches"}).content
    client.logout()
    assert b"ask a question" not in client.get(url, {"q": "nothingmatches"}).content
