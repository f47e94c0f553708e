"""The cache of ranked candidates: shared by viewers, checked per viewer, never stale.

Index writes never touch a process's cache; they change the index generation in the database.
So every write below is seen exactly as a write from another process (the worker) would be.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from knowhow.core.tests.factories import SpaceFactory, UserFactory, add_member
from knowhow.qa import services as qa
from knowhow.search import selectors
from knowhow.search.backends import QuestionDocument, get_backend
from knowhow.search.selectors import SearchFilters, search_questions
from knowhow.search.services import index_generation_bump
from knowhow.search.tests.helpers import BODY, ask
from knowhow.spaces.services import space_remove_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _ranking_alone(settings):
    """The layer below the cached results (test_result_cache.py): every search here reaches
    the ranking."""
    settings.SEARCH_RESULT_CACHE_SECONDS = 0


FTS_TABLES = ("search_question_fts", "search_question_document")


def found(text, viewer=None, **kwargs):
    return [h.question.pk for h in search_questions(viewer=viewer, text=text, **kwargs).hits]


def ranked_in_the_index(text, viewer=None):
    """Whether this search ranked in the full-text index (rather than using the cache):
    the snippets query reads the index too, so count the ranking query alone."""
    with CaptureQueriesContext(connection) as ctx:
        search_questions(viewer=viewer, text=text)
    return any(
        "ORDER BY" in q["sql"] and any(t in q["sql"] for t in FTS_TABLES)
        for q in ctx.captured_queries
    )


def test_a_repeated_search_uses_the_cached_ranking_until_the_index_changes(committed):
    with committed():
        first = ask("Zeppelin notebook setup")
    assert ranked_in_the_index("zeppelin")
    assert not ranked_in_the_index("zeppelin")
    assert found("zeppelin") == [first.pk]
    with committed():
        second = ask("Zeppelin zeppelin interpreter zeppelin")
    assert ranked_in_the_index("zeppelin")
    assert found("zeppelin") == [second.pk, first.pk]


def test_edits_deletions_and_answers_show_in_the_next_search(committed, user):
    with committed():
        q = ask("Configuring the proxy for yarn", author=user)
    assert found("proxy") == [q.pk]
    with committed():
        qa.post_edit(post=q, by=user, body=BODY, title="Configuring the mirror for yarn")
    assert found("proxy") == []
    assert found("mirror") == [q.pk]
    with committed():
        qa.answer_post(question=q, author=UserFactory(), body="Set the yarnrc option for that.")
    assert found("yarnrc") == [q.pk]
    with committed():
        qa.post_delete(post=q, by=user)
    assert found("mirror") == []


def test_a_search_after_a_write_does_not_check_the_stale_ranking(
    committed, django_assert_num_queries
):
    """The generation read at the start of the request tells the cached ranking is stale: it
    is ranked afresh (with its check) and stored under that generation."""
    with committed():
        ask("Helm chart values")
    found("helm")
    with committed():
        ask("Helm helm upgrade")
    # generation, ranked candidates with their check, page, tags, snippets
    with django_assert_num_queries(5):
        assert len(found("helm")) == 2
    with django_assert_num_queries(5):  # generation, check, page, tags, snippets
        assert len(found("helm")) == 2


def test_a_write_that_only_changes_the_generation_invalidates_the_cache(committed):
    """What another process's index write looks like from here: the index and the generation
    change in the database, this process's cache is untouched."""
    with committed():
        q = ask("Kafka consumer lag")
    assert found("kafka") == [q.pk]
    other = ask("Unindexed topic", tags=("general",))  # not committed: not in the index yet
    get_backend().upsert(
        [QuestionDocument(other.pk, title="Kafka kafka partitions", body="", tags="", answers="")]
    )
    index_generation_bump()
    assert found("kafka") == [other.pk, q.pk]


def test_a_cached_ranking_is_checked_for_each_viewer_and_each_request(committed, user):
    private = SpaceFactory(private=True)
    member = UserFactory()
    add_member(private, member)
    with committed():
        secret = ask("Orchard migration plan", space=private, author=member)
        public = ask("Orchard release notes")
    assert set(found("orchard", viewer=member)) == {secret.pk, public.pk}
    assert not ranked_in_the_index("orchard", viewer=None)  # the member's ranking, reused
    for viewer in (None, user):
        assert found("orchard", viewer=viewer) == [public.pk]
        assert search_questions(viewer=viewer, text="orchard").page.paginator.count == 1
    space_remove_member(space=private, user=member)  # no index write: checked per request
    assert found("orchard", viewer=member) == [public.pk]
    assert found("orchard", viewer=None, filters=SearchFilters(tags=("nothing",))) == []


def test_a_cached_ranking_with_many_invisible_best_matches_checks_the_rest(committed, monkeypatch):
    """The best cached candidates are checked first; when too few pass, the rest too, with
    the same results and count as ranking afresh."""
    monkeypatch.setattr(selectors, "MAX_COUNTED", 3)  # 8 candidates, the best 4 checked first
    private = SpaceFactory(private=True)
    member = UserFactory()
    add_member(private, member)
    with committed():
        public = [ask(f"Quokka notes {i}", body="quokka " * (i + 1) + BODY) for i in range(4)]
        for i in range(4):
            ask(f"Quokka quokka quokka private {i}", space=private, author=member)
    fresh = search_questions(viewer=None, text="quokka", per_page=2)  # nothing cached yet
    assert not ranked_in_the_index("quokka")
    with CaptureQueriesContext(connection) as ctx:
        cached = search_questions(viewer=None, text="quokka", per_page=2)
    checks = [q for q in ctx.captured_queries if "json_each" in q["sql"] or "unnest" in q["sql"]]
    assert len(checks) == 2
    assert [h.question.pk for h in cached.hits] == [h.question.pk for h in fresh.hits]
    assert cached.page.paginator.count == fresh.page.paginator.count == 4
    assert set(found("quokka", per_page=10)) == {q.pk for q in public}


def test_the_cache_can_be_turned_off(committed, settings):
    settings.SEARCH_RANKING_CACHE_SECONDS = 0
    with committed():
        q = ask("Gradle daemon memory")
    assert found("gradle") == [q.pk]
    assert ranked_in_the_index("gradle")
    assert ranked_in_the_index("gradle")
