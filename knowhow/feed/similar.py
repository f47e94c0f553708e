"""Similar questions: full-text and semantic rankers combined into one hybrid ranking.

The full-text side is the search app's index (`IndexFullText`); it stays pluggable (setting
`FEED_SIMILAR_FULLTEXT`, a dotted path to a class with `rank(*, text, viewer, limit, exclude_id)`),
and `SimpleFullText`, a BM25 over LIKE-matched candidate rows that needs no index, remains for
comparison in bench/similar_eval.py. The semantic ranker compares the query's vector with the stored question
vectors; without the optional model it is absent and the result says it fell back to full-text.
"""

import hashlib
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from knowhow.core.rendering import markdown_to_text
from knowhow.feed import embeddings
from knowhow.feed.models import QuestionEmbedding
from knowhow.qa.models import Post
from knowhow.qa.selectors import visible_posts
from knowhow.search.stopwords import ENGLISH_STOP_WORDS
from knowhow.spaces.selectors import Viewer, spaces_visible_to

WORD_RE = re.compile(r"[a-z0-9][a-z0-9+#.\-]*[a-z0-9+#]|[a-z0-9]", re.IGNORECASE)
# Search's stop words, and the words of a question's phrasing that say nothing of its subject.
STOPWORDS = ENGLISH_STOP_WORDS | frozenset(
    [
        "anyone",
        "could",
        "get",
        "got",
        "like",
        "make",
        "need",
        "one",
        "please",
        "someone",
        "thanks",
        "use",
        "used",
        "using",
        "want",
        "way",
        "would",
    ]
)


# Hybrid score = cosine + fulltext_weight() x (BM25 / best BM25 of the query), tuned on the
# dump's related links (see docs/benchmarks.md), then checked on its duplicate links.
def fulltext_weight() -> float:
    return float(getattr(settings, "FEED_SIMILAR_FULLTEXT_WEIGHT", 0.1))


def terms(text: str) -> list[str]:
    return [
        w
        for w in (m.group(0).lower() for m in WORD_RE.finditer(text or ""))
        if w not in STOPWORDS and len(w) > 1
    ]


class FullTextRanker(Protocol):
    def rank(
        self, *, text: str, viewer: Viewer, limit: int, exclude_id: int | None
    ) -> list[tuple[int, float]]: ...


class SimpleFullText:
    """No index needed: candidates whose title or body contain the query terms, scored by BM25
    over title (weighted twice) and body. Kept for comparison with IndexFullText."""

    CANDIDATES = 400

    def rank(
        self, *, text: str, viewer: Viewer, limit: int, exclude_id: int | None
    ) -> list[tuple[int, float]]:
        query = list(dict.fromkeys(terms(text)))[:12]
        if not query:
            return []
        base = visible_posts(viewer).filter(post_type=Post.PostType.QUESTION, is_deleted=False)
        if exclude_id:
            base = base.exclude(pk=exclude_id)
        match = Q()
        for term in query:
            match |= Q(title__icontains=term) | Q(body__icontains=term)
        rows = list(
            base.filter(match)
            .order_by("-score", "-id")
            .values_list("pk", "title", "body")[: self.CANDIDATES]
        )
        if not rows:
            return []
        docs = [
            (pk, Counter(terms(title)), Counter(terms(body[:4000]))) for pk, title, body in rows
        ]
        n = len(docs)
        avg_len = sum(sum(t.values()) * 2 + sum(b.values()) for _, t, b in docs) / n or 1.0
        df = {term: sum(1 for _, t, b in docs if term in t or term in b) for term in query}
        total = max(n, base.count() if n >= self.CANDIDATES else n)
        scored = []
        for pk, title_tf, body_tf in docs:
            length = sum(title_tf.values()) * 2 + sum(body_tf.values())
            score = 0.0
            for term in query:
                tf = 2 * title_tf.get(term, 0) + body_tf.get(term, 0)
                if not tf:
                    continue
                idf = math.log(1 + (total - df[term] + 0.5) / (df[term] + 0.5))
                score += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / avg_len))
            if score > 0:
                scored.append((pk, score))
        scored.sort(key=lambda item: -item[1])
        return scored[:limit]


def stats_seconds() -> float:
    """How long a process trusts its word frequencies and question count (0: never)."""
    return float(getattr(settings, "FEED_SIMILAR_STATS_SECONDS", 3600))


class _DocumentFrequencies:
    """How many indexed questions hold a word, asked of the index once per word per process and
    kept (an approximation that ages well: frequencies change slowly)."""

    MAX_WORDS = 50_000

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: dict[tuple[str, str], tuple[float, int]] = {}

    def get(self, words: list[str]) -> dict[str, int]:
        from django.db import connection

        from knowhow.search.backends import get_backend

        vendor = connection.vendor
        now = time.monotonic()
        max_age = stats_seconds()
        out: dict[str, int] = {}
        for word in words:
            cached = self.counts.get((vendor, word))
            if cached is None or now - cached[0] >= max_age:
                count = get_backend().match_any(Post.objects.all(), [word]).count()
                with self.lock:
                    if len(self.counts) >= self.MAX_WORDS:
                        self.counts.clear()
                    self.counts[(vendor, word)] = (now, count)
            else:
                count = cached[1]
            out[word] = count
        return out

    def clear(self) -> None:
        with self.lock:
            self.counts.clear()


document_frequencies = _DocumentFrequencies()


class IndexFullText:
    """The search app's index (SQLite FTS5 with bm25, or PostgreSQL tsvector with ts_rank): the
    query's rarest words, any of which may match, title weighted above body and answers.

    Only the rarest words are sent: an any-word query over a 100k-question index costs in
    proportion to the postings of its words, and common words add cost, not ranking signal.
    """

    MAX_WORDS = 8
    # Words in more than this share of questions are left out (unless nothing else is left).
    COMMON_SHARE = 0.05

    def rank(
        self, *, text: str, viewer: Viewer, limit: int, exclude_id: int | None
    ) -> list[tuple[int, float]]:
        from knowhow.search.backends import get_backend
        from knowhow.search.query import clean_text, words

        query = [
            w
            for w in dict.fromkeys(x.lower() for x in words(clean_text(text)))
            if w not in STOPWORDS and (len(w) > 1 or w.isdigit())
        ][:32]
        if not query:
            return []
        if getattr(settings, "FEED_SIMILAR_RAREST_WORDS", True):
            df = document_frequencies.get(query)
            present = sorted((w for w in query if df[w] > 0), key=lambda w: df[w])
            if not present:
                return []
            total = max(1, max(df.values()), self._questions())
            rare = [w for w in present if df[w] <= total * self.COMMON_SHARE]
            query = (rare or present)[: self.MAX_WORDS]
        else:
            query = query[: self.MAX_WORDS]
        qs = visible_posts(viewer).filter(post_type=Post.PostType.QUESTION, is_deleted=False)
        if exclude_id:
            qs = qs.exclude(pk=exclude_id)
        rows = (
            get_backend()
            .match_any(qs, query)
            .order_by("search_rank", "-id")
            .values_list("pk", "search_rank")[:limit]
        )
        # search_rank is lower-is-better (negated bm25 / ts_rank); scores here are higher-is-better.
        return [(pk, -float(rank)) for pk, rank in rows if rank is not None and rank < 0]

    _total: tuple[float, int] = (0.0, 0)

    def _questions(self) -> int:
        """The number of questions, asked at most once a minute per process."""
        checked, count = IndexFullText._total
        if time.monotonic() - checked >= min(60.0, stats_seconds()) or not count:
            count = Post.objects.filter(post_type=Post.PostType.QUESTION).count()
            IndexFullText._total = (time.monotonic(), count)
        return count


def fulltext_ranker() -> FullTextRanker:
    path = getattr(settings, "FEED_SIMILAR_FULLTEXT", "knowhow.feed.similar.IndexFullText")
    return import_string(path)()


# --- vectors --------------------------------------------------------------------------------


def question_text(title: str, body: str, body_chars: int = 600) -> str:
    return f"{title}\n{markdown_to_text(body or '')[:body_chars]}".strip()


def query_body_chars() -> int:
    """How much of a query's body the model reads. The query is embedded on every request and
    the NumPy forward pass costs in proportion to the tokens (~90 ms for 128 on one core); the
    stored vectors read 600 characters, the query 120: faster, and better on the dump's links
    (docs/benchmarks.md)."""
    return int(getattr(settings, "FEED_SIMILAR_QUERY_BODY_CHARS", 120))


def question_embed_many(*, questions: list[Post], force: bool = False) -> int:
    """Compute and store vectors for questions whose text changed (all of them with `force`).
    Returns how many."""
    model = embeddings.embedder()
    if model is None:
        return 0
    existing = (
        {}
        if force
        else dict(
            QuestionEmbedding.objects.filter(question__in=questions, model=model.name).values_list(
                "question_id", "text_hash"
            )
        )
    )
    todo = []
    for q in questions:
        text = question_text(q.title, q.body)
        digest = hashlib.sha256(text.encode()).hexdigest()
        if force or existing.get(q.pk) != digest:
            todo.append((q, text, digest))
    if not todo:
        return 0
    vectors = model.embed([text for _, text, _ in todo])
    now = timezone.now()
    for (q, _, digest), vector in zip(todo, vectors, strict=True):
        QuestionEmbedding.objects.update_or_create(
            question=q,
            defaults={
                "model": model.name,
                "vector": vector.astype("float32").tobytes(),
                "text_hash": digest,
                "updated_at": now,
            },
        )
    _matrix.invalidate()
    return len(todo)


REBUILD_BATCH = 256


def question_vectors_count() -> int:
    """How many vectors `knowhow reindex` computes: every live question, or none without a model."""
    if not embeddings.model_installed():
        return 0
    return Post.objects.filter(post_type=Post.PostType.QUESTION, is_deleted=False).count()


def question_vectors_rebuild(progress: Callable[[int], None] | None = None) -> int:
    """Recompute the vector of every live question (`knowhow reindex`, e.g. after importing a
    dump) and drop vectors of deleted questions or of another model. Returns how many."""
    model = embeddings.embedder()
    if model is None:
        return 0
    QuestionEmbedding.objects.exclude(model=model.name).delete()
    QuestionEmbedding.objects.filter(question__is_deleted=True).delete()
    qs = Post.objects.filter(post_type=Post.PostType.QUESTION, is_deleted=False).order_by("pk")
    done = last = 0
    while chunk := list(qs.filter(pk__gt=last).only("pk", "title", "body")[:REBUILD_BATCH]):
        question_embed_many(questions=chunk, force=True)
        done += len(chunk)
        last = chunk[-1].pk
        if progress is not None:
            progress(done)
    return done


def recheck_seconds() -> float:
    return float(getattr(settings, "FEED_VECTOR_RECHECK_SECONDS", 10))


class _VectorMatrix:
    """All stored vectors as one matrix, reloaded only when the table changes. Whether it
    changed is asked at most every few seconds (one indexed query on the vectors table alone):
    with 100k questions, asking on every request cost more than the suggestion itself.
    Questions deleted since the load are dropped when results are read (visible_posts)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: tuple[Any, ...] | None = None
        self.checked_at = 0.0
        self.ids: Any = None
        self.space_ids: Any = None
        self.matrix: Any = None

    def invalidate(self) -> None:
        with self.lock:
            self.key = None
            self.checked_at = 0.0

    def get(self, model_name: str) -> tuple[Any, Any, Any]:
        import numpy as np

        now = time.monotonic()
        if (
            self.key is not None
            and self.key[0] == model_name
            and now - self.checked_at < recheck_seconds()
        ):
            return self.ids, self.space_ids, self.matrix
        stats = QuestionEmbedding.objects.filter(model=model_name).aggregate(
            n=Count("pk"), last=Max("question_id"), t=Max("updated_at")
        )
        key = (model_name, stats["n"], stats["last"], stats["t"])
        qs = QuestionEmbedding.objects.filter(model=model_name, question__is_deleted=False)
        with self.lock:
            self.checked_at = now
            if key != self.key:
                rows = list(
                    qs.order_by("question_id").values_list(
                        "question_id", "question__space_id", "vector"
                    )
                )
                self.ids = np.array([r[0] for r in rows], dtype=np.int64)
                self.space_ids = np.array([r[1] for r in rows], dtype=np.int64)
                self.matrix = (
                    np.frombuffer(b"".join(bytes(r[2]) for r in rows), dtype=np.float32).reshape(
                        len(rows), -1
                    )
                    if rows
                    else np.zeros((0, embeddings.DIMENSIONS), dtype=np.float32)
                )
                self.key = key
            return self.ids, self.space_ids, self.matrix


_matrix = _VectorMatrix()


class SemanticScores:
    """Cosine similarity of the query with every stored question the viewer may see."""

    def __init__(self, ids: Any, scores: Any) -> None:
        self.ids = ids  # sorted question ids
        self.scores = scores  # -inf where hidden or excluded

    def top(self, limit: int) -> list[tuple[int, float]]:
        import numpy as np

        if len(self.scores) > limit:
            best = np.argpartition(-self.scores, limit)[:limit]  # O(n), not a full sort
            order = best[np.argsort(-self.scores[best])]
        else:
            order = np.argsort(-self.scores)
        return [
            (int(self.ids[i]), float(self.scores[i])) for i in order if np.isfinite(self.scores[i])
        ]

    def get(self, pk: int) -> float | None:
        import numpy as np

        i = int(np.searchsorted(self.ids, pk))
        if i < len(self.ids) and self.ids[i] == pk and np.isfinite(self.scores[i]):
            return float(self.scores[i])
        return None


def semantic_scores(*, text: str, viewer: Viewer, exclude_id: int | None) -> SemanticScores | None:
    """None when no model is installed."""
    model = embeddings.embedder()
    if model is None:
        return None
    import numpy as np

    ids, space_ids, matrix = _matrix.get(model.name)
    if len(ids) == 0:
        return SemanticScores(ids, np.zeros(0, dtype=np.float32))
    query = model.embed([text])[0]
    scores = matrix @ query
    allowed = np.array(list(spaces_visible_to(viewer).values_list("pk", flat=True)), dtype=np.int64)
    scores = np.where(np.isin(space_ids, allowed), scores, -np.inf)
    if exclude_id:
        scores = np.where(ids == exclude_id, -np.inf, scores)
    return SemanticScores(ids, scores)


def semantic_rank(
    *, text: str, viewer: Viewer, limit: int, exclude_id: int | None
) -> list[tuple[int, float]] | None:
    """None when no model is installed; otherwise (question id, cosine) best first."""
    scores = semantic_scores(text=text, viewer=viewer, exclude_id=exclude_id)
    return None if scores is None else scores.top(limit)


# --- hybrid ---------------------------------------------------------------------------------


class Mode:
    HYBRID = "hybrid"
    FULLTEXT = "fulltext"
    SEMANTIC = "semantic"


@dataclass
class SimilarResult:
    mode: str
    notice: str
    hits: list[dict[str, Any]] = field(default_factory=list)


def similar_questions(
    *,
    viewer: Viewer,
    title: str,
    body: str = "",
    limit: int = 10,
    exclude_id: int | None = None,
    mode: str = Mode.HYBRID,
) -> SimilarResult:
    """Questions like the given title and body that the viewer may see, with scores."""
    limit = max(1, min(limit, 50))
    text = question_text(title, body)
    depth = max(limit * 3, 30)
    notice = ""
    semantic = None
    if mode != Mode.FULLTEXT:
        semantic = semantic_scores(
            text=question_text(title, body, query_body_chars()),
            viewer=viewer,
            exclude_id=exclude_id,
        )
        if semantic is None:
            notice = "Semantic matching is not installed here; these are full-text matches only."
            mode = Mode.FULLTEXT
    fulltext = (
        fulltext_ranker().rank(text=text, viewer=viewer, limit=depth, exclude_id=exclude_id)
        if mode != Mode.SEMANTIC
        else []
    )
    ft_scores = dict(fulltext)
    sem_scores: dict[int, float] = {}
    if semantic is not None:
        # Candidates from both rankers; every candidate gets its cosine (one array lookup), so
        # a question that only full-text found is still judged on meaning, and vice versa.
        for pk, cosine in semantic.top(depth):
            sem_scores[pk] = cosine
        for pk in ft_scores:
            cosine = semantic.get(pk)
            if cosine is not None:
                sem_scores[pk] = cosine
    if mode == Mode.FULLTEXT:
        combined = dict(ft_scores)
    elif mode == Mode.SEMANTIC:
        combined = dict(sem_scores)
    else:
        ft_max = max(ft_scores.values(), default=0.0) or 1.0
        weight = fulltext_weight()
        combined = {
            pk: sem_scores.get(pk, 0.0) + weight * ft_scores.get(pk, 0.0) / ft_max
            for pk in set(ft_scores) | set(sem_scores)
        }
    best = sorted(combined, key=lambda pk: -combined[pk])[:limit]
    posts = visible_posts(viewer).filter(pk__in=best, is_deleted=False).in_bulk()
    hits = [
        {
            "question": posts[pk],
            "score": round(combined[pk], 4),
            "fulltext_score": round(ft_scores[pk], 4) if pk in ft_scores else None,
            "semantic_score": round(sem_scores[pk], 4) if pk in sem_scores else None,
        }
        for pk in best
        if pk in posts
    ]
    return SimilarResult(mode=mode, notice=notice, hits=hits)
