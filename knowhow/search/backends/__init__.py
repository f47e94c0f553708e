"""The search backend protocol and the choice of backend by database vendor."""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from knowhow.qa.models import Post
from knowhow.search.query import ParsedQuery

# Highlight marks in snippets: private-use characters, stripped from all indexed text, so the
# HTML renderer can escape everything and then turn only these into <mark> elements.
MARK_START = "\ue000"
MARK_END = "\ue001"


@dataclass(frozen=True)
class QuestionDocument:
    """What the index holds for one question: its answers' text is rolled into it."""

    question_id: int
    title: str
    body: str
    tags: str
    answers: str


@dataclass(frozen=True)
class Snippet:
    """Marked text (MARK_START/MARK_END around matches) for a title and a body excerpt."""

    title: str
    excerpt: str


class SearchBackend(Protocol):
    def upsert(self, docs: Sequence[QuestionDocument], *, fresh: bool = False) -> None:
        """Index these documents; `fresh` promises they are not indexed yet (bulk rebuild)."""

    def remove(self, question_ids: Sequence[int]) -> None: ...

    def clear(self) -> None: ...

    def begin_rebuild(self) -> None:
        """Empty the index and prepare it for a bulk load."""

    def finish_rebuild(self) -> None:
        """Merge, optimise or analyse after a bulk load."""

    def count(self) -> int: ...

    def match(self, qs: QuerySet[Post], query: ParsedQuery) -> QuerySet[Post]:
        """Restrict `qs` (questions) to matches, annotated `search_rank`: lower is better."""

    def match_any(self, qs: QuerySet[Post], words: Sequence[str]) -> QuerySet[Post]:
        """Like `match`, but a question matches when it has ANY of the words (plain \\w+ words):
        for finding questions similar to a long text rather than answering a search."""

    def ranked_ids(
        self,
        query: ParsedQuery,
        limit: int,
        within: Sequence[QuerySet] = (),
        passes: QuerySet | None = None,
        check_first: int | None = None,
    ) -> list[tuple[int, bool | None]]:
        """The best `limit` matches, best first (ties: newest id first), ranked in the index
        alone (no join). `within`: querysets of ids every match must be in; only those are
        ranked (the rank of a match is the same without them). `passes`: a one-row check per
        candidate, referring to its id as `candidate.id`; each id comes with its result, or
        None beyond the best `check_first` (not checked)."""

    def snippets(self, query: ParsedQuery, question_ids: Sequence[int]) -> dict[int, Snippet]: ...

    def id_list(self, ids: Sequence[int]) -> RawSQL:
        """A subquery of these ids in one parameter, for `pk__in` with thousands of ids (Django
        would otherwise compile a placeholder for each)."""


def ranked_candidates(
    *,
    candidates: str,
    where: str,
    params: Sequence[Any],
    id_column: str,
    order: str,
    best_first: str,
    limit: int,
    within: Sequence[QuerySet] = (),
    passes: QuerySet | None = None,
    check_first: int | None = None,
) -> list[tuple[int, bool | None]]:
    """The query both backends' `ranked_ids` run: `candidates` (``SELECT <id> AS id, <rank> AS r
    FROM ...``) filtered by `where` and by `id_column IN (...)` for each queryset in `within`,
    the best `limit` by `order`, the best `check_first` of them (all when None) checked by
    `passes` in the same query (the others come with None)."""
    clauses, args = [where], list(params)
    for ids in within:
        sub_sql, sub_params = ids.query.sql_with_params()
        clauses.append(f"{id_column} IN ({sub_sql})")
        args.extend(sub_params)
    check_sql, check_params = (
        passes.query.sql_with_params() if passes is not None else ("SELECT 1", ())
    )
    ranked = (
        f"SELECT best.id, best.r, row_number() OVER (ORDER BY best.r {best_first}, best.id DESC)"
        f" AS n FROM ({candidates} WHERE {' AND '.join(clauses)} ORDER BY {order} LIMIT %s)"
        " AS best"
    )
    # The check costs per candidate (the post's row is read): only for those that may be needed.
    sql = (
        f"SELECT candidate.id, CASE WHEN candidate.n <= %s THEN EXISTS({check_sql}) END"
        f" FROM ({ranked}) AS candidate ORDER BY candidate.n"
    )
    first = limit if check_first is None else check_first
    with connection.cursor() as cursor:
        cursor.execute(sql, [first, *check_params, *args, limit])
        return [(row[0], None if row[1] is None else bool(row[1])) for row in cursor.fetchall()]


@cache
def _backend_for(vendor: str) -> SearchBackend:
    if vendor == "postgresql":
        from knowhow.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    from knowhow.search.backends.sqlite import SqliteBackend

    return SqliteBackend()


def get_backend() -> SearchBackend:
    return _backend_for(settings.DB_VENDOR)
