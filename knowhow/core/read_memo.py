"""Per-thread memos of database reads that stay valid until the database changes.

On SQLite, `PRAGMA data_version` changes whenever another connection (any thread or process,
the worker included) has committed since this connection last asked, and the connection's
`total_changes` counts its own inserts, updates and deletes. Together they answer "has anything
in the database changed since I read this?" for about the cost of one trivial statement, so a
hot read (the question page's thread state) can be reused on the next request instead of being
compiled and run again. Each thread has its own connection, so each keeps its own memo.

On PostgreSQL the token is `pg_current_snapshot()`: which transactions have completed,
cluster-wide, so every app server and worker shares it. Any transaction that completes after it
was taken changes it (it leaves the in-progress list, or moves `xmax` past itself), and read-only
transactions take no transaction id, so it stays the same exactly while nothing is written. The
token is taken *before* the read it guards, so a read that already sees a later commit is only
read again, never kept too long. There is no counter of this connection's own writes, so on
PostgreSQL it is asked on every call (one trivial statement instead of the read it saves).

Inside a transaction a rollback would undo a write without changing any of these: there the memo
is bypassed and every read runs.

On SQLite, within one request `PRAGMA data_version` is asked once (the person behind the session
and the question's thread state both use it), and `total_changes` every time: the request sees
its own writes at once and other connections' commits from the next request on, as if
everything it read had been read when it started. Outside a request (commands, tasks) every
call asks.
"""

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.core.signals import request_finished, request_started
from django.db import connection

T = TypeVar("T")

# Enough for every question page a process serves between two writes; cleared when full.
MAX_ENTRIES = 2_000

_local = threading.local()


def database_version() -> tuple[Any, int | str, int] | None:
    """A token that differs whenever the database may have changed since this connection last
    took one; None when there is no cheap way to tell (in a transaction, another database)."""
    if connection.in_atomic_block:
        return None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_snapshot()::text")
            (snapshot,) = cursor.fetchone()
        return (connection.connection, snapshot, 0)
    if connection.vendor != "sqlite":
        return None
    asked = getattr(_local, "request_version", None)
    if asked is not None and asked[0] is connection.connection:
        raw, version = asked
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA data_version")
            (version,) = cursor.fetchone()
        raw = connection.connection
        if getattr(_local, "in_request", False):
            _local.request_version = (raw, version)
    # The raw connection itself, not its id: a reconnect starts both counters afresh.
    return (raw, version, raw.total_changes)


def _request_started(**kwargs: Any) -> None:
    _local.in_request = True
    _local.request_version = None


def _request_finished(**kwargs: Any) -> None:
    _local.in_request = False
    _local.request_version = None


request_started.connect(_request_started, dispatch_uid="knowhow.core.read_memo.started")
request_finished.connect(_request_finished, dispatch_uid="knowhow.core.read_memo.finished")


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
