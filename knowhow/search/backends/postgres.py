"""PostgreSQL backend: a tsvector per question (weighted A-D) with a GIN index, ranked with ts_rank."""

from collections.abc import Sequence

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from knowhow.qa.models import Post
from knowhow.search.backends import (
    MARK_END,
    MARK_START,
    QuestionDocument,
    Snippet,
    ranked_candidates,
)
from knowhow.search.query import ParsedQuery

TABLE = "search_question_document"
CONFIG = "english"
TSQUERY = f"websearch_to_tsquery('{CONFIG}', %s)"
DOCUMENT = (
    f"setweight(to_tsvector('{CONFIG}', %s), 'A') || setweight(to_tsvector('{CONFIG}', %s), 'B')"
    f" || setweight(to_tsvector('{CONFIG}', %s), 'C') || setweight(to_tsvector('{CONFIG}', %s), 'D')"
)
HEADLINE_OPTIONS = f'StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=40, MinWords=20, MaxFragments=2, FragmentDelimiter=" … "'
TITLE_OPTIONS = f"StartSel={MARK_START}, StopSel={MARK_END}, HighlightAll=true"


def websearch_text(query: ParsedQuery) -> str:
    """Input for websearch_to_tsquery made only of words and quoted phrases (no operators)."""
    parts = list(query.words)
    parts += ['"' + " ".join(p) + '"' for p in query.phrases]
    return " ".join(parts)


class PostgresBackend:
    def upsert(self, docs: Sequence[QuestionDocument], *, fresh: bool = False) -> None:
        if not docs:
            return
        conflict = (
            ""
            if fresh
            else (
                " ON CONFLICT (question_id) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body,"
                " tags = EXCLUDED.tags, answers = EXCLUDED.answers, document = EXCLUDED.document"
            )
        )
        sql = (
            f"INSERT INTO {TABLE} (question_id, title, body, tags, answers, document)"
            f" VALUES (%s, %s, %s, %s, %s, {DOCUMENT}){conflict}"
        )
        rows = [
            (d.question_id, d.title, d.body, d.tags, d.answers, d.title, d.tags, d.body, d.answers)
            for d in docs
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    def remove(self, question_ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE question_id = ANY(%s)", [list(question_ids)])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")

    def begin_rebuild(self) -> None:
        self.clear()

    def finish_rebuild(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TABLE}")
            return int(cursor.fetchone()[0])

    def match(self, qs: QuerySet[Post], query: ParsedQuery) -> QuerySet[Post]:
        text = websearch_text(query)
        return qs.extra(  # noqa: S610  (constant SQL; the query text is a parameter)
            select={"search_rank": f"-ts_rank({TABLE}.document, {TSQUERY})"},
            select_params=[text],
            tables=[TABLE],
            where=[f"{TABLE}.question_id = qa_post.id", f"{TABLE}.document @@ {TSQUERY}"],
            params=[text],
        )

    def match_any(self, qs: QuerySet[Post], words: Sequence[str]) -> QuerySet[Post]:
        text = " | ".join(words)  # \w+ words only: nothing to_tsquery reads as an operator
        any_query = f"to_tsquery('{CONFIG}', %s)"
        return qs.extra(  # noqa: S610  (constant SQL; the words are a parameter)
            select={"search_rank": f"-ts_rank({TABLE}.document, {any_query})"},
            select_params=[text],
            tables=[TABLE],
            where=[f"{TABLE}.question_id = qa_post.id", f"{TABLE}.document @@ {any_query}"],
            params=[text],
        )

    def ranked_ids(
        self,
        query: ParsedQuery,
        limit: int,
        within: Sequence[QuerySet] = (),
        passes: QuerySet | None = None,
        check_first: int | None = None,
    ) -> list[tuple[int, bool | None]]:
        return ranked_candidates(
            candidates=f"SELECT question_id AS id, ts_rank(document, q) AS r FROM {TABLE}, {TSQUERY} AS q",
            where="document @@ q",
            params=[websearch_text(query)],
            id_column="question_id",
            order="r DESC, question_id DESC",
            best_first="DESC",
            limit=limit,
            within=within,
            passes=passes,
            check_first=check_first,
        )

    def snippets(self, query: ParsedQuery, question_ids: Sequence[int]) -> dict[int, Snippet]:
        if not question_ids or not query.has_text:
            return {}
        sql = (
            f"SELECT question_id, ts_headline('{CONFIG}', title, q, %s),"
            f" ts_headline('{CONFIG}', body, q, %s), ts_headline('{CONFIG}', answers, q, %s)"
            f" FROM {TABLE}, {TSQUERY} AS q WHERE question_id = ANY(%s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [
                    TITLE_OPTIONS,
                    HEADLINE_OPTIONS,
                    HEADLINE_OPTIONS,
                    websearch_text(query),
                    list(question_ids),
                ],
            )
            rows = cursor.fetchall()
        out: dict[int, Snippet] = {}
        for pk, title, body, answers in rows:
            excerpt = body if MARK_START in body or MARK_START not in answers else answers
            out[pk] = Snippet(title=title, excerpt=excerpt)
        return out

    def id_list(self, ids: Sequence[int]) -> RawSQL:
        return RawSQL("SELECT unnest(%s::bigint[])", (list(ids),))
