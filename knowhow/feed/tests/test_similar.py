"""Similar questions: full-text fallback, stored vectors, hybrid ranking, visibility, API."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from ninja.testing import TestClient

from knowhow.core.tests.factories import QuestionFactory, UserFactory, add_member
from knowhow.feed import embeddings
from knowhow.feed.api import router
from knowhow.feed.models import QuestionEmbedding
from knowhow.feed.similar import Mode, similar_questions
from knowhow.qa.services import post_edit, question_ask


@pytest.fixture
def semantic(settings, db):
    settings.FEED_EMBEDDER = "knowhow.feed.tests.hashing_embedder.make"
    embeddings.embedder.cache_clear()
    yield embeddings.embedder()
    embeddings.embedder.cache_clear()


@pytest.fixture
def no_model(settings, db):
    settings.FEED_EMBEDDER = "knowhow.feed.tests.hashing_embedder.none"
    embeddings.embedder.cache_clear()
    yield
    embeddings.embedder.cache_clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block with its on-commit work (search indexing, vectors) done."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _ask(run_on_commit, title, body="Some details about the problem here.", **kwargs):
    author = kwargs.pop("author", None) or UserFactory()
    space = kwargs.pop("space", None)
    from knowhow.spaces.selectors import default_space

    return run_on_commit(
        question_ask,
        author=author,
        space=space or default_space(),
        title=title,
        body=body,
        tags=["misc"],
    )


def test_without_the_model_it_falls_back_to_full_text_and_says_so(no_model, committed):
    with committed():
        wanted = QuestionFactory(title="How do I export a report to CSV?")
        QuestionFactory(
            title="Where is the holiday calendar kept?",
            body="Looking for the calendar file.",
            tags=("holidays",),
        )
    result = similar_questions(viewer=UserFactory(), title="export report csv")
    assert result.mode == Mode.FULLTEXT
    assert "full-text matches only" in result.notice
    assert [h["question"] for h in result.hits] == [wanted]
    assert result.hits[0]["semantic_score"] is None


def test_vectors_are_computed_by_the_worker_and_stored(semantic, run_on_commit):
    question = _ask(run_on_commit, "How do I export a report to CSV?")
    stored = QuestionEmbedding.objects.get(question=question)
    assert stored.model == "test-hashing"
    assert len(bytes(stored.vector)) == 384 * 4
    calls = semantic.calls
    similar_questions(viewer=UserFactory(), title="export a report")
    assert semantic.calls == calls + 1  # only the query is embedded, never the stored questions


def test_an_edit_that_keeps_the_text_does_not_recompute(semantic, run_on_commit):
    question = _ask(run_on_commit, "How do I export a report to CSV?")
    before = QuestionEmbedding.objects.get(question=question).updated_at
    run_on_commit(post_edit, post=question, by=question.author, body=question.body, tags=["other"])
    assert QuestionEmbedding.objects.get(question=question).updated_at == before
    run_on_commit(post_edit, post=question, by=question.author, body="Entirely new body text here.")
    assert QuestionEmbedding.objects.get(question=question).updated_at > before


def test_hybrid_finds_the_duplicate_first(semantic, run_on_commit):
    target = _ask(run_on_commit, "Export monthly report as CSV file", "Finance wants a CSV export.")
    _ask(run_on_commit, "Printing a report on A3 paper", "The printer cuts the report.")
    _ask(run_on_commit, "Holiday calendar for 2027", "Where is the calendar?")
    result = similar_questions(
        viewer=UserFactory(), title="How to export the monthly report to CSV"
    )
    assert result.mode == Mode.HYBRID and result.notice == ""
    assert result.hits[0]["question"] == target
    assert result.hits[0]["fulltext_score"] > 0 and result.hits[0]["semantic_score"] > 0


def test_private_questions_are_never_suggested_to_non_members(
    semantic, run_on_commit, private_space
):
    member = UserFactory()
    add_member(private_space, member)
    secret = _ask(
        run_on_commit, "Export the secret salary report to CSV", author=member, space=private_space
    )
    outsider = UserFactory()
    for mode in (Mode.HYBRID, Mode.SEMANTIC, Mode.FULLTEXT):
        hits = similar_questions(viewer=outsider, title="export salary report csv", mode=mode).hits
        assert secret not in [h["question"] for h in hits]
    assert [
        h["question"]
        for h in similar_questions(viewer=member, title="export salary report csv").hits
    ] == [secret]


def test_the_embed_questions_command(semantic, db, capsys):
    QuestionFactory(title="A question without a vector yet")
    call_command("embed_questions")
    assert "Computed 1 question vector" in capsys.readouterr().out
    call_command("embed_questions")
    assert "Computed 0 question vector" in capsys.readouterr().out


def test_the_embed_questions_command_without_the_model(no_model, db, capsys):
    call_command("embed_questions")
    assert "not installed" in capsys.readouterr().out


def test_the_api_router(no_model, committed):
    with committed():
        wanted = QuestionFactory(title="How do I export a report to CSV?")
    client = TestClient(router)
    response = client.get("/similar", query_params={"title": "export report csv", "limit": 3})
    assert response.status_code == 200
    data = response.json()
    assert data["mode"] == "fulltext" and data["notice"]
    assert data["results"][0]["id"] == wanted.pk
    assert client.get("/similar", query_params={"title": "x", "limit": 500}).status_code == 422
    assert client.get("/similar").status_code == 422


def test_the_suggestion_fragments(client, no_model, committed, private_space):
    with committed():
        wanted = QuestionFactory(title="How do I export a report to CSV?")
        other = QuestionFactory(title="Exporting the CSV report fails with an error")
    page = client.get(reverse("feed:similar"), {"title": "export a report to csv please"})
    assert wanted.title.encode() in page.content
    assert client.get(reverse("feed:similar"), {"title": "short"}).content.count(b"<li>") == 0
    related = client.get(reverse("feed:related", args=[wanted.pk]))
    assert other.title.encode() in related.content
    assert wanted.title.encode() not in related.content
    secret = QuestionFactory(space=private_space)
    assert client.get(reverse("feed:related", args=[secret.pk])).status_code == 404


def test_full_text_comes_from_the_search_index(no_model, committed):
    """The full-text side is the search app's index: a question the index does not hold is not
    found, and any of the query's words may match (a long question is not an AND query)."""
    with committed():
        indexed = QuestionFactory(
            title="Kerberos ticket renewal on laptops", body="Tickets expire after ten hours."
        )
        QuestionFactory(
            title="Holiday calendar", body="Where is the calendar kept?", tags=("holidays",)
        )
    QuestionFactory(title="Kerberos tickets expire overnight")  # never indexed (no commit)
    hits = similar_questions(
        viewer=UserFactory(),
        title="kerberos renewal",
        body="vpn printer spooler",
        mode=Mode.FULLTEXT,
    ).hits
    assert [h["question"] for h in hits] == [indexed]
    assert (
        similar_questions(viewer=UserFactory(), title="the and of", mode=Mode.FULLTEXT).hits == []
    )


def test_reindex_recomputes_every_question_vector(semantic, db, capsys):
    """`knowhow reindex` (the search app's rebuilder registry) recomputes all vectors (an
    import queues the same rebuild for the worker); vectors of deleted questions go."""
    first = QuestionFactory(title="Imported question one")
    second = QuestionFactory(title="Imported question two")
    gone = QuestionFactory(title="Deleted later")
    call_command("reindex", "question-vectors", "--quiet-progress")
    assert set(QuestionEmbedding.objects.values_list("question_id", flat=True)) == {
        first.pk,
        second.pk,
        gone.pk,
    }
    before = QuestionEmbedding.objects.get(question=first).updated_at
    type(gone).objects.filter(pk=gone.pk).update(is_deleted=True)
    call_command("reindex", "question-vectors", "--quiet-progress")
    assert set(QuestionEmbedding.objects.values_list("question_id", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert QuestionEmbedding.objects.get(question=first).updated_at > before
    assert "question-vectors: 2 indexed" in capsys.readouterr().out


def test_reindex_without_the_model_computes_nothing(no_model, db, capsys):
    QuestionFactory(title="A question")
    call_command("reindex", "question-vectors", "--quiet-progress")
    assert "question-vectors: 0 indexed" in capsys.readouterr().out
    assert not QuestionEmbedding.objects.exists()


def test_reindex_in_background_leaves_the_vectors_to_the_worker(semantic, db, capsys):
    """After an import, `reindex --in-background` queues the vectors as a task (run at once by
    the tests' immediate task backend) instead of computing them in the command."""
    question = QuestionFactory(title="Imported question")
    QuestionEmbedding.objects.all().delete()
    call_command("reindex", "question-vectors", "--in-background")
    assert "question-vectors: queued for the task worker" in capsys.readouterr().out
    assert QuestionEmbedding.objects.filter(question=question).exists()
