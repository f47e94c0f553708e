"""SQLite FTS5 backend: one contentful FTS5 table keyed by question id, ranked with bm25."""

import json
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

TABLE = "search_question_fts"
# Column weights for bm25, in column order: title, body, tags, answers.
WEIGHTS = "10.0, 1.0, 4.0, 0.4"
REBUILD_CACHE_KIB = 256 * 1024


def fts_query(query: ParsedQuery) -> str:
    """An FTS5 query of quoted strings only: words never act as operators (NEAR, AND, *...)."""
    parts = [f'"{w}"' for w in query.words]
    parts += ['"' + " ".join(p) + '"' for p in query.phrases]
    return " ".join(parts)


class SqliteBackend:
    def upsert(self, docs: Sequence[QuestionDocument], *, fresh: bool = False) -> None:
        if not docs:
            return
        # In rowid order: FTS5 writes its pending terms out as a new segment whenever a rowid is
        # not above the last one written, so rows in any other order make a segment per row
        # (and a rebuild 10x slower, getting slower as the index grows).
        docs = sorted(docs, key=lambda d: d.question_id)
        with connection.cursor() as cursor:
            if not fresh:
                self._delete(cursor, [d.question_id for d in docs])
            cursor.executemany(
                f"INSERT INTO {TABLE} (rowid, title, body, tags, answers) VALUES (%s, %s, %s, %s, %s)",
                [(d.question_id, d.title, d.body, d.tags, d.answers) for d in docs],
            )

    def _delete(self, cursor, ids: Sequence[int]) -> None:  # type: ignore[no-untyped-def]
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({marks})", chunk)

    def remove(self, question_ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            self._delete(cursor, question_ids)

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")

    def begin_rebuild(self) -> None:
        # The table is dropped and made again from its own definition rather than emptied:
        # FTS5 deletes a row of a table that keeps its content by reading and tokenizing the
        # row again (over 12 minutes for 100,000 questions). Inside the rebuild's transaction:
        # readers keep the old index until it commits. Then merging is left to the end, with
        # a bigger page cache than SQLite's 2 MB.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [TABLE]
            )
            (definition,) = cursor.fetchone()
            cursor.execute(f"DROP TABLE {TABLE}")
            cursor.execute(definition)
            cursor.execute(f"PRAGMA cache_size = -{REBUILD_CACHE_KIB}")
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}, rank) VALUES ('automerge', 0)")

    def finish_rebuild(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}, rank) VALUES ('automerge', 4)")
            cursor.execute("PRAGMA cache_size = -2000")

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TABLE}")
            return int(cursor.fetchone()[0])

    def match(self, qs: QuerySet[Post], query: ParsedQuery) -> QuerySet[Post]:
        return qs.extra(  # noqa: S610  (constant SQL; the query text is a parameter)
            select={"search_rank": f"bm25({TABLE}, {WEIGHTS})"},
            tables=[TABLE],
            where=[f"{TABLE}.rowid = qa_post.id", f"{TABLE} MATCH %s"],
            params=[fts_query(query)],
        )

    def match_any(self, qs: QuerySet[Post], words: Sequence[str]) -> QuerySet[Post]:
        return qs.extra(  # noqa: S610  (constant SQL; the words are a parameter)
            select={"search_rank": f"bm25({TABLE}, {WEIGHTS})"},
            tables=[TABLE],
            where=[f"{TABLE}.rowid = qa_post.id", f"{TABLE} MATCH %s"],
            params=[" OR ".join(f'"{w}"' for w in words)],
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
            candidates=f"SELECT rowid AS id, bm25({TABLE}, {WEIGHTS}) AS r FROM {TABLE}",
            where=f"{TABLE} MATCH %s",
            params=[fts_query(query)],
            # `+rowid`: a filter on the matches, evaluated before bm25; a bare `rowid IN`
            # would make FTS5 run the whole query once per id instead.
            id_column="+rowid",
            order="r, rowid DESC",
            best_first="",
            limit=limit,
            within=within,
            passes=passes,
            check_first=check_first,
        )

    def snippets(self, query: ParsedQuery, question_ids: Sequence[int]) -> dict[int, Snippet]:
        if not question_ids or not query.has_text:
            return {}
        marks = ", ".join(["%s"] * len(question_ids))
        s, e = MARK_START, MARK_END
        sql = (
            f"SELECT rowid, highlight({TABLE}, 0, '{s}', '{e}'),"
            f" snippet({TABLE}, 1, '{s}', '{e}', '…', 32),"
            f" snippet({TABLE}, 3, '{s}', '{e}', '…', 32)"
            f" FROM {TABLE} WHERE {TABLE} MATCH %s AND rowid IN ({marks})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [fts_query(query), *question_ids])
            rows = cursor.fetchall()
        out: dict[int, Snippet] = {}
        for pk, title, body, answers in rows:
            excerpt = body if MARK_START in body or MARK_START not in answers else answers
            out[pk] = Snippet(title=title, excerpt=excerpt)
        return out

    def id_list(self, ids: Sequence[int]) -> RawSQL:
        return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(list(ids)),))
