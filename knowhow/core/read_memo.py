"""Per-thread memos of database reads that stay valid until the database changes.

On SQLite, `PRAGMA data_version` changes whenever another connection (any thread or process,
the worker included) has committed since this connection last asked, and the connection's
`total_changes` counts its own inserts, updates and deletes. Together they answer "has anything
in the database changed since I read this?" for about the cost of one trivial statement, so a
hot read (the question page's thread state) can be reused on the next request instead of being
compiled and run again. Each thread has its own connection, so each keeps its own memo.

On PostgreSQL there is no such cheap signal, and inside a transaction a rollback would undo a
write without changing either number: there the memo is bypassed and every read runs.
"""

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.db import connection

T = TypeVar("T")

# Enough for every question page a process serves between two writes; cleared when full.
MAX_ENTRIES = 2_000

_local = threading.local()


def database_version() -> tuple[Any, int, int] | None:
    """A token that differs whenever the database may have changed since this connection last
    took one; None when there is no cheap way to tell (not SQLite, or in a transaction)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA data_version")
        (version,) = cursor.fetchone()
    raw = connection.connection
    # The raw connection itself, not its id: a reconnect starts both counters afresh.
    return (raw, version, raw.total_changes)


def memoized(key: Hashable, compute: Callable[[], T]) -> T:
    """compute(), or what it returned for `key` on this thread's connection if the database has
    not changed since. Exceptions are not memoized."""
    version = database_version()
    if version is None:
        return compute()
    memo = getattr(_local, "memo", None)
    if memo is None or memo[0] != version:
        memo = (version, {})
        _local.memo = memo
    entries: dict[Hashable, Any] = memo[1]
    if key in entries:
        return entries[key]  # type: ignore[no-any-return]
    value = compute()
    if len(entries) >= MAX_ENTRIES:
        entries.clear()
    entries[key] = value
    return value
