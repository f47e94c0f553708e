"""Search: relevance order, visibility, query syntax, hostile queries, a current index, reindex."""

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from knowhow.core.tests.factories import (
    AnswerFactory,
    SpaceFactory,
    UserFactory,
    add_member,
)
from knowhow.qa import services as qa
from knowhow.search.backends import QuestionDocument, get_backend
from knowhow.search.query import parse_query
from knowhow.search.result_cache import audience_for
from knowhow.search.selectors import SearchFilters, SearchSort, search_questions
from knowhow.search.services import question_index_rebuild
from knowhow.search.tests.helpers import BODY, ask

pytestmark = pytest.mark.django_db


def titles(results):
    return [hit.question.title for hit in results.hits]


def test_a_title_match_ranks_above_a_body_match_above_an_answer_match(committed):
    with committed():
        answer_only = ask("Printer queue keeps jamming")
        AnswerFactory(question=answer_only, body="Restart the spooler; kerberos is not involved.")
        body_only = ask("Login fails every morning", body="The kerberos ticket expires overnight.")
        in_title = ask("Kerberos ticket renewal on laptops")
    results = search_questions(viewer=None, text="kerberos")
    assert [h.question.pk for h in results.hits] == [in_title.pk, body_only.pk, answer_only.pk]


def test_more_matching_words_rank_higher(committed):
    with committed():
        one = ask("Deploying the billing service", body="How do we roll out changes safely?")
        both = ask("Deploying the billing service to staging", body="Staging deploys fail.")
    results = search_questions(viewer=None, text="billing staging")
    assert [h.question.pk for h in results.hits] == [both.pk]
    results = search_questions(viewer=None, text="billing")
    assert {h.question.pk for h in results.hits} == {one.pk, both.pk}


def test_stemming_matches_other_word_forms(committed):
    with committed():
        q = ask("Exporting reports from the dashboard")
    assert [h.question.pk for h in search_questions(viewer=None, text="export report").hits] == [
        q.pk
    ]


def test_a_private_space_never_leaks(committed, user):
    private = SpaceFactory(private=True)
    member = UserFactory()
    add_member(private, member)
    with committed():
        secret = ask("Quarterly merger codename plans", space=private, author=member)
        public = ask("Quarterly planning template")
    for viewer in (None, user):
        found = search_questions(viewer=viewer, text="quarterly").hits
        assert [h.question.pk for h in found] == [public.pk]
        assert search_questions(viewer=viewer, text="merger codename").page.paginator.count == 0
        assert (
            search_questions(viewer=viewer, text="", filters=SearchFilters(space=private.slug)).hits
            == []
        )
    assert {h.question.pk for h in search_questions(viewer=member, text="quarterly").hits} == {
        secret.pk,
        public.pk,
    }
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert secret.pk in {h.question.pk for h in search_questions(viewer=admin, text="merger").hits}


def test_an_answer_in_a_private_space_is_not_found_through_its_text(committed):
    private = SpaceFactory(private=True)
    member = UserFactory()
    add_member(private, member)
    with committed():
        q = ask("Internal tooling question", space=private, author=member)
        AnswerFactory(question=q, author=member, body="Use the zanzibar service account for that.")
    assert search_questions(viewer=None, text="zanzibar").hits == []
    assert len(search_questions(viewer=member, text="zanzibar").hits) == 1


def test_a_quoted_phrase_matches_the_words_in_order_only(committed):
    with committed():
        exact = ask("Reset the admin password", body="How to reset admin password for the wiki?")
        scrambled = ask("Password of the admin reset", body="Admin wants a password reset.")
    found = search_questions(viewer=None, text='"reset admin password"').hits
    assert [h.question.pk for h in found] == [exact.pk]
    loose = search_questions(viewer=None, text="reset admin password").hits
    assert {h.question.pk for h in loose} == {exact.pk, scrambled.pk}


def test_tag_user_and_is_filters_in_the_query(committed, user):
    asker = UserFactory()
    with committed():
        tagged = ask("Docker build cache is slow", tags=("docker",), author=asker)
        other = ask("Docker compose networking", tags=("networking",))
        answered = ask("Docker volumes on windows", tags=("docker",))
        answer = AnswerFactory(question=answered, body="Use named volumes instead of binds.")
        qa.answer_accept(answer=answer, by=answered.author)
    assert set(titles(search_questions(viewer=None, text="docker [docker]"))) == {
        tagged.title,
        answered.title,
    }
    assert titles(search_questions(viewer=None, text=f"docker user:{asker.pk}")) == [tagged.title]
    assert titles(search_questions(viewer=None, text="is:answered docker")) == [answered.title]
    assert titles(search_questions(viewer=None, text="is:accepted")) == [answered.title]
    assert titles(search_questions(viewer=None, text="[networking]")) == [other.title]


def test_parse_query_understands_the_syntax():
    q = parse_query('"exact phrase here" [python] user:42 is:answered is:accepted loose words')
    assert q.phrases == (("exact", "phrase", "here"),)
    assert q.tags == ("python",)
    assert q.user_id == 42
    assert q.answered and q.accepted
    assert q.words == ("loose", "words")


def test_english_stop_words_are_left_out_of_plain_words_only():
    q = parse_query('How to rotate THE key "to be or not to be" "the"')
    assert q.words == ("rotate", "key")
    assert q.phrases == (("to", "be", "or", "not", "to", "be"),)
    assert q.ignored == ("how", "to", "the")
    only = parse_query("the [python]")
    assert not only.has_text and only.tags == ("python",) and only.ignored == ("the",)


def test_a_question_in_plain_english_finds_posts_without_its_stop_words(committed):
    with committed():
        q = ask("Rotating signing keys", body="Quarterly key rotation for the release signer.")
        ask("Unrelated printer jam")
    # No post says "how", "do", "i" or "our": on both databases they are not searched for.
    found = search_questions(viewer=None, text="How do I rotate our signing key?")
    assert [h.question.pk for h in found.hits] == [q.pk]


def test_a_tag_with_only_stop_words_is_the_tag_listing(committed, client):
    with committed():
        tagged = ask("Proxy settings for the build farm", tags=("networking",))
        ask("The other question", tags=("python",))
    with_stop_word = search_questions(viewer=None, text="[networking] the")
    assert [h.question.pk for h in with_stop_word.hits] == [tagged.pk]
    assert search_questions(viewer=None, text="the").hits == []
    response = client.get(reverse("search:search"), {"q": "the"})
    assert response.status_code == 200
    assert b"Common words left out of the search: <q>the</q>." in response.content
    assert b"Add a less common word" in response.content


@pytest.mark.parametrize(
    "text",
    [
        '"unbalanced quote',
        'a "b" "c',
        '"""',
        "NEAR(a b)",
        "a AND OR NOT b",
        "*",
        "foo*",
        "^foo",
        "-foo",
        "title:foo",
        "{title body}: foo",
        "(a OR b",
        "[",
        "]",
        "[unclosed tag",
        "[Bad Tag!]",
        "user:",
        "user:99999999999999999999999",
        "is:nonsense",
        "'; DROP TABLE qa_post; --",
        "\x00\x01\x02 control \x1b[31m chars",
        "\ue000 private \ue001 use",
        "x" * 10_000,
        "word " * 2_000,
        "ü é ß 日本語 ✓",
        "&<>\"'",
        "",
        "   ",
    ],
)
def test_hostile_queries_never_raise(committed, client, text):
    with committed():
        ask("A question about foo and bar")
    for sort in SearchSort.values:
        search_questions(viewer=None, text=text, sort=sort)
    response = client.get(reverse("search:search"), {"q": text})
    # A NUL anywhere in the query string is refused for the whole site with a clear 400.
    assert response.status_code == (400 if "\x00" in text else 200)


def test_the_index_follows_ask_edit_answer_delete_and_undelete(committed, user):
    with committed():
        q = ask("Configuring the proxy for npm", author=user)
    assert len(search_questions(viewer=None, text="proxy").hits) == 1
    with committed():
        qa.post_edit(post=q, by=user, body=BODY, title="Configuring the mirror for npm")
    assert search_questions(viewer=None, text="proxy").hits == []
    assert len(search_questions(viewer=None, text="mirror").hits) == 1
    with committed():
        answer = AnswerFactory(question=q, body="Set the registry option in your npmrc file.")
    assert len(search_questions(viewer=None, text="npmrc").hits) == 1
    with committed():
        qa.post_delete(post=answer, by=answer.author)
    assert search_questions(viewer=None, text="npmrc").hits == []
    with committed():
        qa.post_delete(post=q, by=user)
    assert search_questions(viewer=None, text="mirror").hits == []
    with committed():
        qa.post_undelete(post=q, by=user)
    assert len(search_questions(viewer=None, text="mirror").hits) == 1


def test_reindex_rebuilds_the_index_from_the_posts(committed):
    with committed():
        ask("Rotating the signing keys")
        ask("Rotating log files")
    backend = get_backend()
    backend.clear()
    assert search_questions(viewer=None, text="rotating").hits == []
    out = io.StringIO()
    call_command("reindex", stdout=out)
    assert "questions: 2 indexed" in out.getvalue()
    assert "100%" in out.getvalue()
    assert len(search_questions(viewer=None, text="rotating").hits) == 2
    assert question_index_rebuild() == 2
    assert backend.count() == 2


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 segments: SQLite only")
def test_sqlite_index_rows_in_any_order_make_one_segment():
    """FTS5 starts a new segment whenever a rowid is not above the last one written: a batch
    given in descending order must still be written in rowid order (one segment, not ten)."""
    backend = get_backend()
    docs = [
        QuestionDocument(question_id=9000 + i, title=f"t{i}", body="b", tags="x", answers="")
        for i in range(10, 0, -1)
    ]
    backend.begin_rebuild()
    try:
        with transaction.atomic():  # its savepoint writes the pending terms out
            backend.upsert(docs, fresh=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(DISTINCT segid) FROM search_question_fts_idx")
            assert cursor.fetchone()[0] == 1
    finally:
        backend.finish_rebuild()


def test_reindex_in_background_queues_what_can_be_queued(monkeypatch):
    from knowhow.search import rebuilders

    calls = []
    queued = rebuilders.Rebuilder(
        name="slow",
        label="Slow",
        count=lambda: 1,
        rebuild=lambda progress: calls.append("slow rebuilt") or 1,
        queue=lambda: calls.append("slow queued"),
    )
    plain = rebuilders.Rebuilder(
        name="fast", label="Fast", count=lambda: 1, rebuild=lambda p: calls.append("fast") or 1
    )
    monkeypatch.setattr(rebuilders, "_registry", {"slow": queued, "fast": plain})
    out = io.StringIO()
    call_command("reindex", in_background=True, stdout=out)
    assert calls == ["slow queued", "fast"]
    assert "slow: queued for the task worker" in out.getvalue()
    calls.clear()
    call_command("reindex", "slow", "--quiet-progress", stdout=io.StringIO())
    assert calls == ["slow rebuilt"]


def test_reindex_refuses_an_unknown_index():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown index"):
        call_command("reindex", "nope", stdout=io.StringIO())


def test_snippets_highlight_matches_and_escape_html(committed):
    with committed():
        ask(
            "Escaping output in templates",
            body="Never print <script>alert('x')</script> raw; the sanitizer strips it.",
        )
    hit = search_questions(viewer=None, text="sanitizer").hits[0]
    assert "<mark>sanitizer</mark>" in hit.excerpt_html
    assert "<script>" not in hit.excerpt_html
    assert "&lt;script&gt;" in hit.excerpt_html or "script" not in hit.excerpt_html
    assert "<mark>" not in hit.title_html


def test_sorting_by_newest_and_votes(committed):
    voter = UserFactory()
    with committed():
        old = ask("Caching strategy for the API")
        new = ask("Caching headers for static files")
        qa.vote_cast(post=old, user=voter, value=1)
    newest = search_questions(viewer=None, text="caching", sort=SearchSort.NEWEST)
    assert [h.question.pk for h in newest.hits] == [new.pk, old.pk]
    votes = search_questions(viewer=None, text="caching", sort=SearchSort.VOTES)
    assert [h.question.pk for h in votes.hits] == [old.pk, new.pk]


def test_filters_space_author_and_dates(committed):
    import datetime

    from django.utils import timezone

    space = SpaceFactory()
    author = UserFactory()
    with committed():
        in_space = ask("Monitoring alerts routing", space=space, author=author)
        ask("Monitoring dashboards")
    assert titles(
        search_questions(viewer=None, text="monitoring", filters=SearchFilters(space=space.slug))
    ) == [in_space.title]
    assert titles(
        search_questions(viewer=None, text="monitoring", filters=SearchFilters(author_id=author.pk))
    ) == [in_space.title]
    today = timezone.now().date()
    later = SearchFilters(created_from=today + datetime.timedelta(days=1))
    assert search_questions(viewer=None, text="monitoring", filters=later).hits == []
    window = SearchFilters(created_from=today, created_to=today)
    assert len(search_questions(viewer=None, text="monitoring", filters=window).hits) == 2


def test_the_search_page_shows_highlighted_results(
    committed, client, django_assert_max_num_queries
):
    with committed():
        ask("Onboarding checklist for new engineers", tags=("onboarding",))
    with django_assert_max_num_queries(6):
        response = client.get(reverse("search:search"), {"q": "onboarding"})
    assert response.status_code == 200
    assert b"<mark>Onboarding</mark>" in response.content


def test_the_search_page_with_bad_filters_explains_instead_of_failing(client):
    response = client.get(
        reverse("search:search"), {"q": "x", "created_from": "not-a-date", "author": "abc"}
    )
    assert response.status_code == 400
    assert b"Some filters could not be used" in response.content


def test_the_search_page_without_a_query_shows_the_form(client):
    response = client.get(reverse("search:search"))
    assert response.status_code == 200
    assert b'name="q"' in response.content


def test_counting_stops_at_the_cap(committed, client, monkeypatch):
    from knowhow.search import selectors

    monkeypatch.setattr(selectors, "MAX_COUNTED", 2)
    with committed():
        for i in range(4):
            ask(f"Backup rotation question {i}")
    results = search_questions(viewer=None, text="backup", per_page=1)
    assert results.more_than_counted and results.page.paginator.count == 3
    assert len(results.hits) == 1
    response = client.get(reverse("search:search"), {"q": "backup"})
    assert b"More than 2 results" in response.content


def test_a_nul_in_an_api_query_is_a_problem_not_a_page(client):
    response = client.get("/api/v1/search", {"q": "a\x00b"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


# Relevance ranking in the index over a bounded candidate set (selectors._ranked_in_index), with
# the SQL ranking (selectors._ranked_in_sql) as the fallback: both must give the same answers.


def _ranked_both_ways(viewer, text, filters=None, per_page=20):
    from knowhow.search import selectors

    query = parse_query(text)
    merged = (filters or SearchFilters()).merged_with(query)
    qs = selectors._filtered_questions(audience=audience_for(viewer), filters=merged)
    ordered = selectors._ordered_in_index(qs, query=query, within=selectors._tagged_ids(merged))
    in_index = selectors._page_of(qs, ordered, page=1, per_page=per_page)
    in_sql = selectors._ranked_in_sql(
        qs, query=query, sort=SearchSort.RELEVANCE, page=1, per_page=per_page
    )
    return in_index, in_sql


def test_ranking_in_the_index_orders_like_ranking_in_sql(committed):
    with committed():
        ask("Kerberos ticket renewal", body="kerberos kerberos kerberos " + BODY)
        ask("Renewal of certificates", body="About kerberos once. " + BODY)
        ask("Kerberos setup", body=BODY)
        for i in range(3):  # equal ranks: newest first
            ask(f"Same title {i}", body="kerberos " + BODY)
    (index_page, in_index), (sql_page, in_sql) = _ranked_both_ways(None, "kerberos")
    assert [q.pk for q in in_index] == [q.pk for q in in_sql]
    assert index_page.paginator.count == sql_page.paginator.count == 6


def test_the_capped_count_holds_when_ranking_in_the_index(committed, monkeypatch):
    from knowhow.search import selectors

    monkeypatch.setattr(selectors, "MAX_COUNTED", 3)
    with committed():
        for i in range(12):
            ask(f"Firewall rule number {i}")
    results = search_questions(viewer=None, text="firewall", per_page=2)
    assert results.more_than_counted and results.page.paginator.count == 4
    assert results.page.paginator.num_pages == 2
    last = search_questions(viewer=None, text="firewall", per_page=2, page=2)
    assert len(last.hits) == 2
    assert {h.question.pk for h in results.hits}.isdisjoint({h.question.pk for h in last.hits})


def test_hidden_best_matches_fall_back_to_ranking_in_sql(committed, monkeypatch):
    """More invisible candidates than the bounded set holds: the visible ones are still found,
    in order, and nothing private leaks."""
    from knowhow.search import selectors

    monkeypatch.setattr(selectors, "MAX_COUNTED", 1)  # 4 candidates
    private = SpaceFactory(private=True)
    member = UserFactory()
    add_member(private, member)
    with committed():
        for i in range(6):
            ask(f"Ledger ledger reconciliation {i}", space=private, author=member)
        low = ask("Month end closing", body="One ledger mention. " + BODY)
        high = ask("Ledger closing", body=BODY)
    results = search_questions(viewer=None, text="ledger")
    assert [h.question.pk for h in results.hits] == [high.pk, low.pk]
    assert results.page.paginator.count == 2
    assert len(search_questions(viewer=member, text="ledger").hits) == 2  # capped count 2 = 1+1


def test_a_tag_filter_ranks_only_the_tagged_matches(committed, monkeypatch):
    from knowhow.search import selectors

    monkeypatch.setattr(selectors, "MAX_COUNTED", 1)  # 4 candidates
    with committed():
        for i in range(6):
            ask(f"Pipeline pipeline stages {i}", tags=("general",))
        low = ask("Build stages done", body="A pipeline once. " + BODY, tags=("ci",))
        high = ask("Pipeline caching", body=BODY, tags=("ci", "general"))
    (index_page, in_index), (_, in_sql) = _ranked_both_ways(None, "[ci] pipeline")
    assert [q.pk for q in in_index] == [q.pk for q in in_sql] == [high.pk, low.pk]
    results = search_questions(viewer=None, text="[ci] [general] pipeline")
    assert [h.question.pk for h in results.hits] == [high.pk]


def test_a_signed_in_search_with_a_tag_stays_within_ten_queries(
    committed, client, django_assert_num_queries
):
    """Issue 3's budget: no page over 10 SQL queries. The first time: the index generation,
    the person and the private spaces they see (their audience), the videos and resources with
    the tag, the ranked candidates with their check, the page, its tags, the snippets and the
    spaces of the filter form; the analytics event is written at the end of the request, after
    commit (not in a test's transaction). A repeat: the generation and the audience only."""
    with committed():
        ask("Onboarding checklist for new engineers", tags=("onboarding",))
        person = UserFactory()
    client.force_login(person)
    client.get(reverse("search:search"), {"q": "warm up"})  # the session row is read once
    with django_assert_num_queries(8):
        response = client.get(reverse("search:search"), {"q": "[onboarding] checklist"})
    assert response.status_code == 200
    assert b"<mark>checklist</mark>" in response.content
    with django_assert_num_queries(3):
        again = client.get(reverse("search:search"), {"q": "[onboarding] checklist"})
    assert b"<mark>checklist</mark>" in again.content
