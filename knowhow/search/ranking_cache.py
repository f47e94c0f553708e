"""Ranked candidate ids per query, shared by every viewer, kept while the index is unchanged.

Ranking the matches of a frequent word costs tens of milliseconds (bm25 over tens of thousands
of rows), and the order depends on the index alone: the same search ranks the same way for
everyone. What depends on the viewer and on the posts (visibility, deletion, the filters) is
still checked on every request, on the cached ids.

Every write to the index sets a new index generation in the same transaction
(`services.index_generation_bump`). An entry records the generation read before it was ranked,
and is used only by a request that read that generation at its start (`result_cache.Audience`):
a post indexed by another process (the web and the worker of the embedded default have a cache
each) is found by the next search anywhere. Entries expire after
SEARCH_RANKING_CACHE_SECONDS (0 turns the cache off, e.g. to measure the uncached cost).
"""

import hashlib
from collections.abc import Sequence

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet

from knowhow.search.query import ParsedQuery

GENERATION_SQL = "SELECT value FROM search_index_generation WHERE id = 1"


def current_generation() -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(GENERATION_SQL)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def cache_key(*, query: ParsedQuery, limit: int, within: Sequence[QuerySet]) -> str:
    """The terms, the candidate limit and the sets the matches are narrowed to (their SQL)."""
    parts = [repr(query.words), repr(query.phrases), str(limit)]
    for ids in within:
        sql, params = ids.query.sql_with_params()
        parts.append(f"{sql} {params!r}")
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"search:ranked:{digest}"


def cached(key: str) -> tuple[int, list[int]] | None:
    """(generation, ids best first) when this ranking is cached."""
    if not settings.SEARCH_RANKING_CACHE_SECONDS:
        return None
    entry = cache.get(key)
    return entry if isinstance(entry, tuple) else None


def store(key: str, *, generation: int | None, ids: list[int]) -> None:
    if settings.SEARCH_RANKING_CACHE_SECONDS and generation is not None:
        cache.set(key, (generation, ids), settings.SEARCH_RANKING_CACHE_SECONDS)
