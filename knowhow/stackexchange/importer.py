"""Import a Stack Exchange data dump directory into a space.

The whole import runs in one transaction: a malformed file stops it and leaves the database as
it was. Each file is streamed and written in batches; objects already imported from the same
source (matched by source/source_id) are updated, not duplicated. Memory grows only with the
id maps (original id -> Knowhow id) for users and posts and, on a first import, a few 4-byte
tallies per post (see `Tally`), never with bodies.
"""

import datetime
import gc
import os
import unicodedata
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management import call_command, get_commands
from django.db import connection, models, transaction
from django.db.models import Sum
from django.utils.text import slugify
from markdownify import markdownify

from knowhow.accounts.models import User
from knowhow.core.errors import ValidationFailed
from knowhow.core.rendering import html_to_text, sanitize_html
from knowhow.qa.models import CloseReason, Comment, Post, PostLink, PostRevision, Tag
from knowhow.qa.services import TAG_RE
from knowhow.reputation.config import reputation_setting
from knowhow.reputation.models import Badge, ReputationEvent, UserBadge
from knowhow.search import state_triggers
from knowhow.search.services import index_generation_bump
from knowhow.spaces.models import Space
from knowhow.stackexchange.attribution import SOURCE_PREFIX
from knowhow.stackexchange.dump import FILES, Row, parse_tags
from knowhow.stackexchange.reader import ReaderProcess, read_inline

BATCH = 2000
# A dump at least this big (all its files, in bytes) is read in a separate process when the
# import may use two CPUs; below it, starting the process costs more than it saves.
READER_PROCESS_MIN_BYTES = 16_000_000

# PostHistoryTypeId values (https://meta.stackexchange.com/q/2677).
TITLE_TYPES = {1, 4, 7}
BODY_TYPES = {2, 5, 8}
TAG_TYPES = {3, 6, 9}
INITIAL_TYPES = {1, 2, 3}
ROLLBACK_TYPES = {7, 8, 9}
CLOSED, REOPENED = 10, 11

# Close reason ids in PostHistory (type 10) Comment: old (1-10) and current (101-105) sets.
CLOSE_REASONS = {
    1: CloseReason.DUPLICATE,
    101: CloseReason.DUPLICATE,
    2: CloseReason.OFF_TOPIC,
    102: CloseReason.OFF_TOPIC,
    3: CloseReason.OPINION_BASED,
    105: CloseReason.OPINION_BASED,
    4: CloseReason.NEEDS_DETAILS,
    103: CloseReason.NEEDS_DETAILS,
    104: CloseReason.NEEDS_DETAILS,
}
UP, DOWN = 2, 3
LINK_TYPES = {1: PostLink.LinkType.RELATED, 3: PostLink.LinkType.DUPLICATE}


def source_for_site(site: str) -> str:
    return f"{SOURCE_PREFIX}{site}"


def license_for_date(when: datetime.datetime) -> str:
    """The licence Stack Exchange applied to a post made at `when`, for dumps without
    ContentLicense (https://stackoverflow.com/help/licensing)."""
    if when < datetime.datetime(2011, 4, 8, tzinfo=datetime.UTC):
        return "CC BY-SA 2.5"
    if when < datetime.datetime(2018, 5, 2, tzinfo=datetime.UTC):
        return "CC BY-SA 3.0"
    return "CC BY-SA 4.0"


def html_to_markdown(raw_html: str) -> str:
    return markdownify(raw_html, heading_style="ATX", bullets="-").strip()


# --- the summary ----------------------------------------------------------------------------


KINDS = (
    "users",
    "tags",
    "questions",
    "answers",
    "tag wikis",
    "accepted answers",
    "revisions",
    "closed questions",
    "comments",
    "votes",
    "duplicate links",
    "related links",
    "badges",
)


@dataclass
class ImportSummary:
    source: str
    space: str
    new: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    skipped: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    notes: list[str] = field(default_factory=list)

    def skip(self, kind: str, reason: str, n: int = 1) -> None:
        self.skipped[kind][reason] += n

    def skipped_total(self, kind: str) -> int:
        return sum(self.skipped[kind].values())

    def lines(self) -> list[str]:
        out = [f"Imported {self.source} into space “{self.space}”:"]
        width = max(len(k) for k in KINDS)
        for kind in KINDS:
            out.append(
                f"  {kind:<{width}}  {self.new[kind]:>9,} new  {self.updated[kind]:>9,} updated"
                f"  {self.skipped_total(kind):>7,} skipped"
            )
            for reason, n in sorted(self.skipped[kind].items(), key=lambda kv: -kv[1]):
                out.append(f"  {'':<{width}}    skipped {n:,}: {reason}")
        out.extend(f"  note: {note}" for note in self.notes)
        return out


# --- raw SQL helpers ------------------------------------------------------------------------


def _update_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """UPDATE model SET fields... WHERE pk = last value, for many rows at once (executemany)."""
    meta = model._meta
    model_fields = [meta.get_field(name) for name in fields]
    table = connection.ops.quote_name(meta.db_table)
    sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in model_fields)  # type: ignore[union-attr]
    sql = f"UPDATE {table} SET {sets} WHERE {connection.ops.quote_name(meta.pk.column)} = %s"  # type: ignore[union-attr]
    prepared = [
        [
            *(
                f.get_db_prep_save(v, connection)
                for f, v in zip(model_fields, row[:-1], strict=True)
            ),  # type: ignore[union-attr]
            row[-1],
        ]
        for row in rows
    ]
    if prepared:
        with connection.cursor() as cursor:
            cursor.executemany(sql, prepared)


def _adapter(field: models.Field) -> Callable[[Any], Any] | None:
    if isinstance(field, models.DateTimeField):
        if connection.vendor == "postgresql":
            # psycopg writes aware datetimes itself (Django's adapt_datetimefield_value is
            # the identity there): a call per date saved, millions of times.
            return None
        adapt = connection.ops.adapt_datetimefield_value
        if connection.vendor == "sqlite":
            # What adapt_datetimefield_value gives for UTC datetimes, without its overhead.
            utc = datetime.UTC
            return lambda v: (
                None if v is None else v.isoformat(" ")[:-6] if v.tzinfo is utc else adapt(v)
            )
        return lambda v: None if v is None else adapt(v)
    return None


class RowInserter:
    """Batched INSERTs of plain tuples (executemany; COPY on PostgreSQL), much cheaper than
    bulk_create for millions of rows. Fields not given get their model default. With `with_ids`, ids are
    allocated up front (from the sequence on PostgreSQL; after the current maximum on SQLite,
    where the import's transaction holds the only write lock) and returned."""

    def __init__(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        *,
        with_ids: bool = False,
        on_conflict: str = "",
        into: str | None = None,
    ) -> None:
        meta = model._meta
        qn = connection.ops.quote_name
        self.table = meta.db_table
        # The table written (`into`, a staging table with the model's columns, or the model's);
        # ids always come from the model's own sequence.
        target = into or self.table
        self.with_ids = with_ids
        given = [meta.get_field(name) for name in fields]
        given_names = {f.attname for f in given}  # type: ignore[union-attr]
        rest = [
            f for f in meta.concrete_fields if not f.primary_key and f.attname not in given_names
        ]
        now = datetime.datetime.now(tz=datetime.UTC)
        self.adapters = [_adapter(f) for f in given]  # type: ignore[arg-type]
        defaults = []
        for f in rest:
            value = (
                now
                if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
                else f.get_default()
            )
            adapt = _adapter(f)
            defaults.append(adapt(value) if adapt else value)
        self.defaults = tuple(defaults)
        columns = [f.column for f in given] + [f.column for f in rest]  # type: ignore[union-attr]
        if with_ids:
            columns.insert(0, meta.pk.column)  # type: ignore[union-attr]
        placeholders = ", ".join(["%s"] * len(columns))
        # PostgreSQL: COPY is several times cheaper than INSERTs, on both sides; it cannot
        # resolve conflicts, so an upsert keeps its INSERT ... ON CONFLICT.
        self.copy_sql = (
            f"COPY {qn(target)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
            if connection.vendor == "postgresql" and not on_conflict
            else None
        )
        self.sql = (
            f"INSERT INTO {qn(target)} ({', '.join(qn(c) for c in columns)})"
            f" VALUES ({placeholders}) {on_conflict}"
        )
        self._next_id: int | None = None

    def _allocate(self, n: int) -> list[int]:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [self.table, n],
                )
                return [row[0] for row in cursor.fetchall()]
            if self._next_id is None:
                cursor.execute(
                    f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(self.table)}"
                )
                biggest = cursor.fetchone()[0]
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
                row = cursor.fetchone()
                self._next_id = max(biggest, row[0] if row else 0) + 1
            start = self._next_id
            self._next_id += n
            return list(range(start, start + n))

    def insert(self, rows: Sequence[Sequence[Any]]) -> list[int]:
        if not rows:
            return []
        if len(rows[0]) != len(self.adapters):
            raise ValueError(f"{len(rows[0])} values for {len(self.adapters)} fields")
        defaults = self.defaults
        # Only the values that need it are adapted (a few dates among many columns).
        offset = 1 if self.with_ids else 0
        adapted = [(i + offset, a) for i, a in enumerate(self.adapters) if a is not None]
        prepared = []
        if self.with_ids:
            ids = self._allocate(len(rows))
            for pk, row in zip(ids, rows, strict=True):
                values = [pk, *row, *defaults]
                for i, adapt in adapted:
                    values[i] = adapt(values[i])
                prepared.append(values)
        else:
            ids = []
            for row in rows:
                values = [*row, *defaults]
                for i, adapt in adapted:
                    values[i] = adapt(values[i])
                prepared.append(values)
        with connection.cursor() as cursor:
            if self.copy_sql is not None:
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for values in prepared:
                        copy.write_row(values)
            else:
                cursor.executemany(self.sql, prepared)
        return ids


def _execute(sql: str, params: Sequence[Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


# Tables an import fills in bulk; their secondary (non-unique) indexes may be rebuilt once at
# the end instead of being updated row by row, and on PostgreSQL their foreign keys checked once.
BULK_MODELS = ("qa.Post", "qa.PostRevision", "qa.Comment", "reputation.UserBadge")
# The tags of posts: two foreign keys per row; on SQLite also an index on each of them.
BULK_FOREIGN_KEY_MODELS = (*BULK_MODELS, "qa.Post_tags")
BULK_SQLITE_MODELS = (*BULK_MODELS, "qa.Post_tags")
# PostgreSQL: where a first import stages its new posts (see DumpImport.staged).
STAGED_POSTS = "stackexchange_import_new_posts"
# Memory for the index builds and the foreign-key validations at the end of a bulk import,
# for its transaction only (PostgreSQL's default is 64 MB).
MAINTENANCE_WORK_MEM = "256MB"


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of each non-unique index of `table` that is no constraint."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
                " AND sql IS NOT NULL",
                [table],
            )
        else:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s"
                " AND schemaname = current_schema()",
                [table],
            )
        rows = cursor.fetchall()
    return [(name, sql) for name, sql in rows if "UNIQUE" not in sql.upper()]


def _foreign_keys(table: str) -> list[tuple[str, str]]:
    """(name, definition) of each foreign-key constraint of `table` (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid = %s::regclass ORDER BY conname",
            [connection.ops.quote_name(table)],
        )
        return cursor.fetchall()


class DeferredChecks:
    """Drop the secondary indexes of the bulk tables and, on PostgreSQL, their foreign keys;
    create them again in `restore()`. All of it happens inside the import's transaction (DDL
    is transactional in SQLite and PostgreSQL), so a failed import leaves them as they were,
    and a re-added foreign key validates every row (one join per constraint) or fails the
    import.

    PostgreSQL queues a check per row and foreign key for each row inserted (and for each
    update of a row inserted in the same transaction), and runs it at commit as one query
    that also locks the referenced row: about six per post. Re-adding a constraint checks all
    rows in one join. Dropping a foreign key locks its referenced table (users, spaces, tags,
    badges) until the commit, like the dropped indexes lock the bulk tables."""

    def __init__(self, tables: Sequence[str], foreign_key_tables: Sequence[str] = ()) -> None:
        self.dropped: list[tuple[str, str]] = []
        self.foreign_keys: list[tuple[str, list[tuple[str, str]]]] = []
        qn = connection.ops.quote_name
        if connection.vendor == "postgresql" and foreign_key_tables:
            # No table can be altered with checks pending on it: run those now (the few rows
            # written before the import began in this transaction).
            _execute("SET CONSTRAINTS ALL IMMEDIATE")
            _execute("SET CONSTRAINTS ALL DEFERRED")
            for table in foreign_key_tables:
                keys = _foreign_keys(table)
                if keys:
                    drops = ", ".join(f"DROP CONSTRAINT {qn(name)}" for name, _ in keys)
                    _execute(f"ALTER TABLE {qn(table)} {drops}")
                    self.foreign_keys.append((table, keys))
        for table in tables:
            for name, sql in _secondary_indexes(table):
                _execute(f"DROP INDEX {qn(name)}")
                self.dropped.append((name, sql))
        # Search's state triggers would fire for every post and tag link written (one update
        # of the generation row each on SQLite): off for the load, back on and one bump at
        # the end, in the same transaction.
        self.search_triggers = bool(state_triggers.drop(connection))

    def restore(self) -> None:
        postgres = connection.vendor == "postgresql" and (self.dropped or self.foreign_keys)
        qn = connection.ops.quote_name
        if postgres:
            # PostgreSQL indexes no table with deferred foreign-key checks pending: run them
            # now (they would run at COMMIT anyway).
            _execute("SET CONSTRAINTS ALL IMMEDIATE")
            # Until the end of the transaction.
            _execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
        for _name, sql in self.dropped:
            _execute(sql)
        for table, keys in self.foreign_keys:
            adds = ", ".join(f"ADD CONSTRAINT {qn(name)} {definition}" for name, definition in keys)
            _execute(f"ALTER TABLE {qn(table)} {adds}")
        if postgres:
            _execute("SET CONSTRAINTS ALL DEFERRED")
        if self.search_triggers:
            state_triggers.install(connection)
            index_generation_bump()
            self.search_triggers = False
        self.dropped.clear()
        self.foreign_keys.clear()


class IdMap:
    """int -> int, for ids. Dense non-negative keys (dump ids, Knowhow ids) live in an array of
    8-byte slots (0 = absent), about 8 bytes per id instead of ~100 for a dict entry; others
    in a dict."""

    DENSE_LIMIT = 50_000_000

    def __init__(self, items: Iterable[tuple[int, int]] = ()) -> None:
        self._dense = array("q")
        self._sparse: dict[int, int] = {}
        self._count = 0
        for key, value in items:
            self[key] = value

    def __setitem__(self, key: int, value: int) -> None:
        if 0 <= key < self.DENSE_LIMIT and value != 0:
            if key >= len(self._dense):
                grow = max(key + 1 - len(self._dense), len(self._dense) // 2, 1024)
                self._dense.frombytes(bytes(8 * grow))
            if self._dense[key] == 0:
                self._count += 1
            self._dense[key] = value
        else:
            if key not in self._sparse:
                self._count += 1
            self._sparse[key] = value

    def get(self, key: int, default: int | None = None) -> int | None:
        if 0 <= key < len(self._dense):
            value = self._dense[key]
            if value:
                return value
        return self._sparse.get(key, default)

    def __getitem__(self, key: int) -> int:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and self.get(key) is not None

    def __len__(self) -> int:
        return self._count

    def keys(self) -> Iterator[int]:
        for key, value in enumerate(self._dense):
            if value:
                yield key
        yield from self._sparse

    def copy(self) -> "IdMap":
        other = IdMap()
        other._dense = array("q", self._dense)
        other._sparse = dict(self._sparse)
        other._count = self._count
        return other


class Tally:
    """int -> count for post ids allocated in one import: 4-byte slots from the first key
    seen on (the ids of one import's posts are consecutive), a dict for smaller keys."""

    def __init__(self) -> None:
        self._offset: int | None = None
        self._dense = array("i")
        self._low: Counter[int] = Counter()

    def add(self, key: int, n: int = 1) -> None:
        if self._offset is None:
            self._offset = key
        i = key - self._offset
        if i < 0:
            self._low[key] += n
            return
        if i >= len(self._dense):
            grow = max(i + 1 - len(self._dense), len(self._dense) // 2, 1024)
            self._dense.frombytes(bytes(4 * grow))
        self._dense[i] += n

    def get(self, key: int) -> int:
        if self._offset is not None and 0 <= key - self._offset < len(self._dense):
            return self._dense[key - self._offset]
        return self._low.get(key, 0)


def _source_map(model: type[models.Model], source: str) -> IdMap:
    return IdMap(
        model.objects.filter(source=source, source_id__isnull=False)  # type: ignore[attr-defined]
        .values_list("source_id", "pk")
        .iterator(chunk_size=10_000)
    )


# --- the import -----------------------------------------------------------------------------


@dataclass
class _Revision:
    post_pk: int
    created_at: datetime.datetime
    author_pk: int | None
    comment: str
    source_id: int
    title: str | None = None
    body: str | None = None
    tags: str | None = None
    rollback: bool = False


ProgressFactory = Callable[[str, int], Any]


class DumpImport:
    """One run of an import. `check()` validates the arguments; `execute()` imports."""

    def __init__(
        self,
        *,
        directory: Path,
        space: Space | str | None,
        site: str | None = None,
        progress: ProgressFactory | None = None,
        post_import: bool = True,
        reader_process: bool | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.site = site or self.directory.name
        self.source = source_for_site(self.site)
        # A Space, or the name of one to find or create inside the import's transaction.
        self._space_arg = space
        self.space = space if isinstance(space, Space) else Space(name=space or "")
        self.progress = progress
        self.run_post_import = post_import
        # Read the files in a separate process (see reader.py): True, False, or None to decide
        # by the dump's size and the CPUs this process may use.
        self.reader_process = reader_process
        self.reader: ReaderProcess | None = None
        self.summary = ImportSummary(source=self.source, space=self.space.name)
        self.users = IdMap()
        self.posts = IdMap()
        # Post pks that are questions (answers need a question as parent); a set of ints.
        self.question_pks: set[int] = set()
        self.tags: dict[str, int] = {}
        self.tag_wiki_posts: dict[int, tuple[str, str]] = {}
        self.tags_before: set[str] = set()
        self.user_names: dict[int, str] = {}
        self.owners_missing = 0
        self.posts_before = IdMap()
        # Source ids of posts in Posts.xml that are not questions or answers (tag wikis, ...).
        self.other_posts: set[int] = set()
        self._post_inserter: RowInserter | None = None
        self._tag_inserter: RowInserter | None = None
        self._revision_inserter: RowInserter | None = None
        # A first import of this source (no post of it here yet): the values that depend on
        # later files (Markdown body, accepted answer, vote totals, answer and comment counts)
        # are tallied while streaming and written in one UPDATE per post before the indexes
        # are rebuilt (`_finish_new_posts`), instead of one whole-table UPDATE each.
        self.fresh = False
        self.deferred: DeferredChecks | None = None
        # PostgreSQL, a first import with the foreign keys dropped: new posts are copied into a
        # temporary table (no WAL) and inserted into qa_post once, complete, at the end
        # (`_finish_new_posts`), instead of written and then rewritten by an UPDATE.
        self.staged = False
        self.pending_closes: dict[int, tuple[datetime.datetime, str] | None] = {}
        self.new_post_pks = array("q")  # 8 bytes an id, not a list's ~36
        self.answer_counts = Tally()
        self.comment_counts = Tally()
        self.up_votes = Tally()
        self.down_votes = Tally()
        self.accepted_pks = IdMap()  # question pk -> accepted answer pk
        self.revision_numbers = IdMap()  # post pk -> number of its latest revision
        self.tag_questions: Counter[int] = Counter()  # tag pk -> new questions with it

    # --- entry points ---------------------------------------------------------------------

    def check(self) -> None:
        if not self.directory.is_dir():
            raise ValidationFailed(f"{self.directory} is not a directory.")
        if not (self.directory / "Posts.xml").is_file():
            raise ValidationFailed(f"{self.directory} has no Posts.xml: is it a dump directory?")
        if len(self.source) > 100:
            raise ValidationFailed("The site name is too long (at most 86 characters).")

    def execute(self) -> ImportSummary:
        self.check()
        present = [name for name in FILES if (self.directory / name).is_file()]
        if self._use_reader_process(present):
            self.reader = ReaderProcess(self.directory, present)
        threshold = gc.get_threshold()
        # Millions of short-lived rows and no reference cycles: a collection every 700
        # allocations (the default) took about 7 % of the importing process's time.
        gc.set_threshold(100_000, threshold[1], threshold[2])
        try:
            self._import_all()
        finally:
            gc.set_threshold(*threshold)
            # Stopped whatever happened (done, a malformed file, Ctrl-C): nothing outlives us.
            if self.reader is not None:
                self.reader.close()
                self.reader = None
        if self.run_post_import:
            self.summary.notes.extend(post_import_hooks())
        return self.summary

    def _use_reader_process(self, present: list[str]) -> bool:
        if self.reader_process is not None:
            return self.reader_process
        size = sum((self.directory / name).stat().st_size for name in present)
        return size >= READER_PROCESS_MIN_BYTES and len(os.sched_getaffinity(0)) >= 2

    def _import_all(self) -> None:
        with transaction.atomic():
            if not isinstance(self._space_arg, Space):
                self.space = find_or_create_space(self._space_arg, source=self.source)
                self.summary.space = self.space.name
            if connection.vendor == "sqlite":
                # A bigger page cache (about 100 MB) keeps index updates in memory.
                _execute("PRAGMA cache_size = -100000")
            deferred = self.deferred = self._defer_checks()
            self._import_users()
            self._import_tags()
            self._import_posts()
            self._import_post_history()
            self._import_comments()
            self._import_votes()
            self._import_post_links()
            self._import_badges()
            if self.fresh:
                self._finish_new_posts()
            if deferred is not None:
                deferred.restore()
            if self.fresh:
                self._add_tag_counts()
            else:
                self._recompute_counts()

    # --- plumbing -------------------------------------------------------------------------

    def _defer_checks(self) -> DeferredChecks | None:
        """When the dump is bigger than the posts already here (a first import, or into a
        small site), rebuilding the indexes once (and on PostgreSQL checking the foreign keys
        once) is much cheaper than doing it per row. Into a bigger site they are kept:
        rebuilding them would cost more than it saves, and on PostgreSQL a dropped index or
        foreign key locks readers out of its tables until the commit."""
        posts_in_dump = (self.directory / "Posts.xml").stat().st_size // 1000
        if Post.objects.count() >= posts_in_dump:
            return None
        from django.apps import apps

        indexed = BULK_SQLITE_MODELS if connection.vendor == "sqlite" else BULK_MODELS
        return DeferredChecks(
            [apps.get_model(m)._meta.db_table for m in indexed],
            [apps.get_model(m)._meta.db_table for m in BULK_FOREIGN_KEY_MODELS],
        )

    def _rows(self, filename: str) -> Iterable[Row]:
        path = self.directory / filename
        if not path.is_file():
            self.summary.notes.append(f"{filename} is absent; nothing imported from it")
            return
        bar = self.progress(filename, path.stat().st_size) if self.progress else None
        try:
            if self.reader is not None:
                yield from self.reader.rows(filename, progress=bar)
            else:
                yield from read_inline(path, progress=bar)
        finally:
            if bar is not None:
                bar.close()

    def _missing_post_reason(self, source_id: int) -> str:
        if source_id in self.other_posts:
            return "its post is a tag wiki or another kind of post that is not imported"
        return "its post is not in Posts.xml (deleted)"

    def _user(self, source_id: int | None) -> int | None:
        return self.users.get(source_id) if source_id is not None else None

    # --- users ----------------------------------------------------------------------------

    def _import_users(self) -> None:
        """Users as unclaimed profiles. Their reputation on the site becomes a `granted` line
        of the reputation ledger (a re-run appends the difference), so that a rebuild of
        reputation from the ledger keeps it."""
        self.users = _source_map(User, self.source)
        existing = self.users.copy()
        base = reputation_setting("BASE")
        granted = dict(
            ReputationEvent.objects.filter(
                kind=ReputationEvent.Kind.GRANTED, user__source=self.source
            )
            .values("user_id")
            .annotate(total=Sum("amount"))
            .values_list("user_id", "total")
        )
        now = datetime.datetime.now(tz=datetime.UTC)
        unusable = make_password(None)
        new: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        grants: list[tuple[Any, ...]] = []
        columns = ["display_name", "bio", "bio_html", "date_joined"]
        inserter = RowInserter(
            User,
            [*columns, "reputation", "username", "password", "is_claimed", "source", "source_id"],
            with_ids=True,
        )
        ledger = RowInserter(ReputationEvent, ["user_id", "kind", "amount", "created_at"])
        kind = ReputationEvent.Kind.GRANTED.value

        def flush() -> None:
            ids = inserter.insert(new)
            for row, pk in zip(new, ids, strict=True):
                self.users[row[-1]] = pk
                if row[4] != base:
                    grants.append((pk, kind, row[4] - base, row[3]))
            self.summary.new["users"] += len(new)
            _update_rows(User, columns, [(*row[:-2], row[-1]) for row in updates])
            for row in updates:
                pk, reputation = row[-1], row[-2]
                difference = reputation - base - granted.get(pk, 0)
                if difference:
                    grants.append((pk, kind, difference, now))
            self.summary.updated["users"] += len(updates)
            ledger.insert(grants)
            new.clear()
            updates.clear()
            grants.clear()

        seen: set[int] = set()
        for row in self._rows("Users.xml"):
            source_id = row.required_int("Id")
            if source_id in seen:
                self.summary.skip("users", "listed twice in Users.xml")
                continue
            seen.add(source_id)
            self.user_names[source_id] = row.str("DisplayName")[:100]
            bio, bio_html = row.prepared  # from AboutMe (reader.prepare_user)
            values = (
                row.str("DisplayName")[:80],
                bio,
                bio_html,
                row.required_date("CreationDate"),
            )
            reputation = row.int("Reputation") or 1
            if source_id in existing:
                updates.append((*values, reputation, existing[source_id]))
            else:
                new.append(
                    (
                        *values,
                        reputation,
                        f"se{source_id}@{self.site}"[:150],
                        unusable,
                        False,
                        self.source,
                        source_id,
                    )
                )
            if len(new) + len(updates) >= BATCH:
                flush()
        flush()
        if len(existing):
            # Re-imported people: the ledger's total, which keeps what they earned here.
            user = connection.ops.quote_name(User._meta.db_table)
            event = connection.ops.quote_name(ReputationEvent._meta.db_table)
            _execute(
                f"UPDATE {user} SET reputation = %s + COALESCE((SELECT SUM(e.amount)"
                f" FROM {event} e WHERE e.user_id = {user}.id), 0) WHERE source = %s",
                [base, self.source],
            )

    # --- tags -----------------------------------------------------------------------------

    def _tag_name_ok(self, name: str) -> bool:
        return bool(TAG_RE.match(name))

    def _import_tags(self) -> None:
        self.tags = dict(Tag.objects.values_list("name", "pk"))
        self.tags_before = set(self.tags)
        new: list[Tag] = []
        for row in self._rows("Tags.xml"):
            name = unicodedata.normalize("NFC", row.str("TagName").strip().lower())
            if not self._tag_name_ok(name):
                self.summary.skip("tags", "name is not a valid tag name")
                continue
            for attr, kind in (("ExcerptPostId", "excerpt"), ("WikiPostId", "wiki")):
                post_id = row.int(attr)
                if post_id is not None:
                    self.tag_wiki_posts[post_id] = (name, kind)
            if name in self.tags:
                # Ours from an earlier run, or a tag of the same name that the import shares.
                self.summary.updated["tags"] += 1
                continue
            new.append(Tag(name=name, source=self.source, source_id=row.int("Id")))
            self.tags[name] = -1
        self._create_tags(new)

    def _create_tags(self, new: list[Tag]) -> None:
        for tag in Tag.objects.bulk_create(new, batch_size=BATCH):
            self.tags[tag.name] = tag.pk
        self.summary.new["tags"] += len(new)

    def _tag_pks(self, names: list[str]) -> list[int]:
        missing = [n for n in names if n not in self.tags and self._tag_name_ok(n)]
        if missing:
            self._create_tags([Tag(name=n, source=self.source) for n in missing])
        pks = []
        for name in names:
            if name in self.tags:
                pks.append(self.tags[name])
            else:
                self.summary.skip("tags", "name on a question is not a valid tag name")
        return pks

    # --- posts ----------------------------------------------------------------------------

    def _import_posts(self) -> None:
        self.posts = _source_map(Post, self.source)
        existing = self.posts.copy()
        self.posts_before = existing
        self.fresh = not len(existing)
        self.staged = self.fresh and self.deferred is not None and bool(self.deferred.foreign_keys)
        if self.staged:
            _execute(f"DROP TABLE IF EXISTS {STAGED_POSTS}")
            _execute(
                f"CREATE TEMPORARY TABLE {STAGED_POSTS}"
                f" (LIKE {connection.ops.quote_name(Post._meta.db_table)} INCLUDING DEFAULTS)"
            )
        self.question_pks = set(
            Post.objects.filter(source=self.source, post_type=Post.PostType.QUESTION).values_list(
                "pk", flat=True
            )
        )
        accepted: list[tuple[int, int]] = []  # (question source id, accepted answer source id)
        orphans: list[tuple[Row, int]] = []  # answers seen before their question
        batch: list[tuple[Row, int]] = []
        pending_questions: set[int] = set()
        wiki: dict[str, dict[str, str]] = defaultdict(dict)

        for row in self._rows("Posts.xml"):
            source_id = row.required_int("Id")
            post_type = row.required_int("PostTypeId")
            if post_type != 1 and post_type != 2:
                self.other_posts.add(source_id)
            if post_type in (4, 5):
                if source_id in self.tag_wiki_posts:
                    name, kind = self.tag_wiki_posts[source_id]
                    wiki[name][kind] = row.str("Body")
                else:
                    self.summary.skip("tag wikis", "no tag in Tags.xml points at it")
                continue
            if post_type not in (1, 2):
                self.summary.skip("questions", f"post type {post_type} is not a question or answer")
                continue
            if post_type == 1 and row.int("AcceptedAnswerId"):
                accepted.append((source_id, row.required_int("AcceptedAnswerId")))
            if post_type == 2:
                parent = row.required_int("ParentId") if "ParentId" in row.attrib else None
                if parent is None:
                    raise row.fail("an answer (PostTypeId 2) has no ParentId")
                if parent not in self.posts and parent not in pending_questions:
                    orphans.append((row, post_type))
                    continue
            else:
                pending_questions.add(source_id)
            batch.append((row, post_type))
            if len(batch) >= BATCH:
                self._write_posts(batch, existing)
                batch.clear()
                pending_questions.clear()
        self._write_posts(batch, existing)
        # Answers listed before their question (not in real dumps, which are in id order).
        ready = [(r, t) for r, t in orphans if r.required_int("ParentId") in self.posts]
        for row, _ in orphans:
            if row.required_int("ParentId") not in self.posts:
                self.summary.skip("answers", "its question is not in Posts.xml (deleted)")
        self._write_posts(ready, existing)
        self._set_accepted(accepted)
        self._set_tag_wikis(wiki)
        if self.owners_missing:
            self.summary.notes.append(
                f"{self.owners_missing:,} posts name an owner missing from Users.xml (deleted);"
                " they were kept, attributed to the name the dump gives"
            )

    POST_COLUMNS = (
        "title",
        "body",
        "body_html",
        "author_id",
        "score",
        "view_count",
        "created_at",
        "last_activity_at",
        "edited_at",
        "last_editor_id",
        "closed_at",
        "source_license",
        "source_author_name",
    )

    def _write_posts(self, batch: list[tuple[Row, int]], existing: dict[int, int]) -> None:
        # Questions first: answers in the same batch need their question's id.
        questions = [item for item in batch if item[1] == 1]
        if questions and len(questions) < len(batch):
            self._write_post_rows(questions, existing)
            self._write_post_rows([item for item in batch if item[1] != 1], existing)
        else:
            self._write_post_rows(batch, existing)

    def _write_post_rows(self, batch: list[tuple[Row, int]], existing: dict[int, int]) -> None:
        if not batch:
            return
        if self._post_inserter is None:
            self._post_inserter = RowInserter(
                Post,
                [*self.POST_COLUMNS, "post_type", "space_id", "question_id", "source", "source_id"],
                with_ids=True,
                into=STAGED_POSTS if self.staged else None,
            )
            self._tag_inserter = RowInserter(Post.tags.through, ["post_id", "tag_id"])
        new: list[tuple[Any, ...]] = []
        new_tags: list[list[int]] = []
        updates: list[tuple[Any, ...]] = []
        update_tags: dict[int, list[int]] = {}
        for row, post_type in batch:
            source_id = row.required_int("Id")
            kind = "questions" if post_type == 1 else "answers"
            parent_pk = None
            if post_type == 2:
                parent_pk = self.posts[row.required_int("ParentId")]
                if parent_pk not in self.question_pks:
                    self.summary.skip("answers", "its parent is not a question")
                    continue
            created_at = row.required_date("CreationDate")
            owner = row.int("OwnerUserId")
            author_pk = self._user(owner)
            if owner is not None and author_pk is None:
                self.owners_missing += 1
            author_name = row.str("OwnerDisplayName") or self.user_names.get(owner or 0, "")
            # Sanitised body and tag names, from reader.prepare_post.
            body_html, tag_names = row.prepared
            values = (
                row.str("Title")[:300] if post_type == 1 else "",
                # The Markdown source comes from PostHistory; filled in after it is read.
                "",
                body_html,
                author_pk,
                row.int("Score") or 0,
                max(row.int("ViewCount") or 0, 0),
                created_at,
                row.date("LastActivityDate") or created_at,
                row.date("LastEditDate"),
                self._user(row.int("LastEditorUserId")),
                row.date("ClosedDate") if post_type == 1 else None,
                row.str("ContentLicense")[:40] or license_for_date(created_at),
                author_name[:100],
            )
            tag_pks = self._tag_pks(tag_names) if post_type == 1 else []
            if source_id in existing:
                pk = existing[source_id]
                updates.append((*values, pk))
                if post_type == 1:
                    update_tags[pk] = tag_pks
                self.summary.updated[kind] += 1
            else:
                new.append(
                    (
                        *values,
                        (Post.PostType.QUESTION if post_type == 1 else Post.PostType.ANSWER).value,
                        self.space.pk,
                        parent_pk,
                        self.source,
                        source_id,
                    )
                )
                new_tags.append(tag_pks)
                self.summary.new[kind] += 1
        links: list[tuple[int, int]] = []
        ids = self._post_inserter.insert(new)
        if self.fresh:
            self.new_post_pks.extend(ids)
        for row_values, pk, tag_pks in zip(new, ids, new_tags, strict=True):
            self.posts[row_values[-1]] = pk
            if self.fresh and row_values[-3] is not None:
                self.answer_counts.add(row_values[-3])
            if row_values[-5] == Post.PostType.QUESTION:
                self.question_pks.add(pk)
                links.extend((pk, t) for t in tag_pks)
                if self.fresh:
                    self.tag_questions.update(tag_pks)
        _update_rows(Post, self.POST_COLUMNS, updates)
        if update_tags:
            Post.tags.through.objects.filter(post_id__in=list(update_tags)).delete()
            for pk, tag_pks in update_tags.items():
                links.extend((pk, t) for t in tag_pks)
        assert self._tag_inserter is not None
        self._tag_inserter.insert(links)

    def _set_accepted(self, accepted: list[tuple[int, int]]) -> None:
        rows = []
        for question_sid, answer_sid in accepted:
            question_pk = self.posts.get(question_sid)
            answer_pk = self.posts.get(answer_sid)
            if question_pk is None:
                continue  # the question itself was skipped, and counted there
            if answer_pk is None:
                self.summary.skip("accepted answers", "the accepted answer is not in Posts.xml")
                continue
            rows.append((answer_pk, question_pk))
        if self.fresh:
            # Written with the other late values in _finish_new_posts.
            for answer_pk, question_pk in rows:
                self.accepted_pks[question_pk] = answer_pk
            self.summary.new["accepted answers"] += len(rows)
            return
        before = set(
            Post.objects.filter(source=self.source, accepted_answer__isnull=False).values_list(
                "pk", flat=True
            )
        )
        # Clear first: a re-run may move acceptance, and accepted_answer is one-to-one.
        _update_rows(Post, ["accepted_answer_id"], [(None, q) for _, q in rows])
        _update_rows(Post, ["accepted_answer_id"], rows)
        for _, question_pk in rows:
            if question_pk in before:
                self.summary.updated["accepted answers"] += 1
            else:
                self.summary.new["accepted answers"] += 1

    def _set_tag_wikis(self, wiki: dict[str, dict[str, str]]) -> None:
        for name, parts in wiki.items():
            if name not in self.tags:
                continue
            tag = Tag.objects.get(pk=self.tags[name])
            if tag.source and tag.source != self.source:
                self.summary.skip("tag wikis", "the tag belongs to another source")
                continue
            if "excerpt" in parts:
                tag.excerpt = html_to_text(parts["excerpt"])[:500]
            if "wiki" in parts:
                tag.description = html_to_markdown(parts["wiki"])
                tag.description_html = sanitize_html(parts["wiki"])
            tag.save(update_fields=["excerpt", "description", "description_html"])
            if name not in self.tags_before:
                self.summary.new["tag wikis"] += 1
            else:
                self.summary.updated["tag wikis"] += 1

    # --- post history: revisions, Markdown bodies, closing ----------------------------------

    def _import_post_history(self) -> None:
        post_pks = Post.objects.filter(source=self.source).values("pk")
        # A first import's revisions are all new (its posts are).
        before = 0 if self.fresh else PostRevision.objects.filter(post_id__in=post_pks).count()
        numbers = IdMap()
        pending: list[_Revision] = []
        closes: dict[int, tuple[datetime.datetime, str] | None] = {}
        current: _Revision | None = None
        current_key: tuple[int, str] | None = None
        written = 0

        def finish() -> None:
            nonlocal current, written
            if current is not None and (
                current.title is not None or current.body is not None or current.tags is not None
            ):
                pending.append(current)
            current = None
            if len(pending) >= BATCH:
                written += self._write_revisions(pending, numbers)
                pending.clear()

        for row in self._rows("PostHistory.xml"):
            type_id = row.required_int("PostHistoryTypeId")
            post_sid = row.required_int("PostId")
            post_pk = self.posts.get(post_sid)
            if post_pk is None:
                self.summary.skip("revisions", self._missing_post_reason(post_sid))
                continue
            when = row.required_date("CreationDate")
            if type_id == CLOSED:
                reason = CLOSE_REASONS.get(row.int("Comment") or 0, CloseReason.OTHER)
                closes[post_pk] = (when, reason)
                continue
            if type_id == REOPENED:
                closes[post_pk] = None
                continue
            if type_id not in TITLE_TYPES | BODY_TYPES | TAG_TYPES:
                self.summary.skip("revisions", f"history type {type_id} is not an edit")
                continue
            key = (post_pk, row.str("RevisionGUID"))
            if key != current_key:
                finish()
                current_key = key
                current = _Revision(
                    post_pk=post_pk,
                    created_at=when,
                    author_pk=self._user(row.int("UserId")),
                    comment=row.str("Comment")[:300],
                    source_id=row.required_int("Id"),
                )
            assert current is not None
            text = row.str("Text").replace("\r\n", "\n")
            if type_id in ROLLBACK_TYPES:
                current.rollback = True
            if type_id in TITLE_TYPES:
                current.title = text[:300]
            elif type_id in BODY_TYPES:
                current.body = text
            else:
                current.tags = " ".join(parse_tags(text))[:300]
        finish()
        written += self._write_revisions(pending, numbers)
        after = written if self.fresh else PostRevision.objects.filter(post_id__in=post_pks).count()
        self.summary.new["revisions"] += after - before
        self.summary.updated["revisions"] += written - (after - before)
        if self.fresh:
            self.revision_numbers = numbers  # bodies are set in _finish_new_posts
        else:
            self._bodies_from_revisions()
        if self.staged:
            self.pending_closes = closes  # the posts reach qa_post in _finish_new_posts
        else:
            self._apply_closes(closes)

    def _write_revisions(self, pending: list[_Revision], numbers: "IdMap") -> int:
        if not pending:
            return 0
        # The state before each post's first revision in this batch comes from the revision
        # written before it (in this run): a title-only edit keeps the previous body.
        first_number: dict[int, int] = {}
        for rev in pending:
            if rev.post_pk not in first_number:
                first_number[rev.post_pk] = numbers.get(rev.post_pk, 0) + 1
        need = [pk for pk, n in first_number.items() if n > 1]
        state: dict[int, tuple[str, str, str]] = {}
        if need:
            for post_id, number, title, body, tags in PostRevision.objects.filter(
                post_id__in=need
            ).values_list("post_id", "number", "title", "body", "tag_names"):
                if number == first_number[post_id] - 1:
                    state[post_id] = (title, body, tags)
        objs = []
        for rev in pending:
            number = numbers.get(rev.post_pk, 0) + 1
            numbers[rev.post_pk] = number
            title, body, tags = state.get(rev.post_pk, ("", "", ""))
            title = rev.title if rev.title is not None else title
            body = rev.body if rev.body is not None else body
            tags = rev.tags if rev.tags is not None else tags
            state[rev.post_pk] = (title, body, tags)
            summary = rev.comment
            if not summary and number == 1:
                summary = "Asked" if rev.title is not None else "Answered"
            elif not summary:
                summary = "Rolled back" if rev.rollback else "Edited"
            objs.append(
                (
                    rev.post_pk,
                    number,
                    rev.author_pk,
                    title,
                    body,
                    tags,
                    summary,
                    rev.created_at,
                    self.source,
                    rev.source_id,
                )
            )
        if self._revision_inserter is None:
            updated = [
                "author_id",
                "title",
                "body",
                "tag_names",
                "summary",
                "created_at",
                "source",
                "source_id",
            ]
            # A first import's posts are all new, so are their revisions: nothing to conflict
            # with, and a plain insert (COPY on PostgreSQL) is several times cheaper.
            self._revision_inserter = RowInserter(
                PostRevision,
                ["post_id", "number", *updated],
                on_conflict=""
                if self.fresh
                else "ON CONFLICT (post_id, number) DO UPDATE SET "
                + ", ".join(f"{c} = excluded.{c}" for c in updated),
            )
        self._revision_inserter.insert(objs)
        return len(objs)

    def _bodies_from_revisions(self) -> None:
        """Each post's Markdown is its latest revision's body; where a post has no history,
        its HTML is converted to Markdown."""
        post = connection.ops.quote_name(Post._meta.db_table)
        rev = connection.ops.quote_name(PostRevision._meta.db_table)
        _execute(
            f"UPDATE {post} SET body = COALESCE((SELECT r.body FROM {rev} r"
            f" WHERE r.post_id = {post}.id ORDER BY r.number DESC LIMIT 1), '')"
            f" WHERE source = %s AND body = ''",
            [self.source],
        )
        missing = Post.objects.filter(source=self.source, body="").values_list("pk", "body_html")
        rows = [(html_to_markdown(body_html), pk) for pk, body_html in missing.iterator()]
        if rows:
            _update_rows(Post, ["body"], rows)
            self.summary.notes.append(
                f"{len(rows):,} posts had no body in PostHistory.xml; their HTML was converted"
            )

    def _apply_closes(self, closes: dict[int, tuple[datetime.datetime, str] | None]) -> None:
        rows = [
            (when, reason, pk) for pk, event in closes.items() if event for when, reason in [event]
        ]
        post = connection.ops.quote_name(Post._meta.db_table)
        prep = Post._meta.get_field("closed_at")
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {post} SET closed_at = COALESCE(closed_at, %s), close_reason = %s"
                f" WHERE id = %s AND post_type = 'question'",
                [(prep.get_db_prep_save(w, connection), r, pk) for w, r, pk in rows],
            )
        Post.objects.filter(source=self.source, closed_at__isnull=False, close_reason="").update(
            close_reason=CloseReason.OTHER
        )
        for source_id in Post.objects.filter(
            source=self.source, closed_at__isnull=False
        ).values_list("source_id", flat=True):
            if source_id in self.posts_before:
                self.summary.updated["closed questions"] += 1
            else:
                self.summary.new["closed questions"] += 1

    # --- comments -------------------------------------------------------------------------

    def _import_comments(self) -> None:
        existing = _source_map(Comment, self.source)
        new: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        columns = ["body", "body_html", "score", "created_at", "author_id"]
        inserter = RowInserter(Comment, [*columns, "post_id", "source", "source_id"])

        def flush() -> None:
            inserter.insert(new)
            _update_rows(Comment, columns, updates)
            self.summary.new["comments"] += len(new)
            self.summary.updated["comments"] += len(updates)
            new.clear()
            updates.clear()

        for row in self._rows("Comments.xml"):
            source_id = row.required_int("Id")
            post_sid = row.required_int("PostId")
            post_pk = self.posts.get(post_sid)
            if post_pk is None:
                self.summary.skip("comments", self._missing_post_reason(post_sid))
                continue
            text, text_html = row.prepared  # from reader.prepare_comment
            values = (
                text,
                text_html,
                row.int("Score") or 0,
                row.required_date("CreationDate"),
                self._user(row.int("UserId")),
            )
            if source_id in existing:
                updates.append((*values, existing[source_id]))
            else:
                new.append((*values, post_pk, self.source, source_id))
            if self.fresh:
                self.comment_counts.add(post_pk)
            if len(new) + len(updates) >= BATCH:
                flush()
        flush()

    # --- votes ----------------------------------------------------------------------------

    def _import_votes(self) -> None:
        """The dump hides who voted, so up and down votes become totals on each post."""
        if not (self.directory / "Votes.xml").is_file():
            self.summary.notes.append("Votes.xml is absent; vote totals were left as they were")
            return
        if self.fresh:
            self._tally_votes()
            return
        known_before = self.posts_before
        # Per-batch tallies go to a temporary table; one UPDATE at the end sets the totals.
        # (A million single-row UPDATEs are slow on PostgreSQL, and a tally per post in
        # memory would grow with the dump.)
        table = "stackexchange_import_votes"
        _execute(f"DROP TABLE IF EXISTS {table}")
        _execute(f"CREATE TEMPORARY TABLE {table} (post_id bigint, up integer, down integer)")
        batch: dict[int, list[int]] = {}
        kinds: Counter[str] = Counter()

        def flush() -> None:
            if batch:
                with connection.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {table} (post_id, up, down) VALUES (%s, %s, %s)",
                        [(pk, up, down) for pk, (up, down) in batch.items()],
                    )
            batch.clear()

        for row in self._rows("Votes.xml"):
            type_id = row.required_int("VoteTypeId")
            post_sid = row.required_int("PostId")
            post_pk = self.posts.get(post_sid)
            if post_pk is None:
                self.summary.skip("votes", self._missing_post_reason(post_sid))
                continue
            if type_id not in (UP, DOWN):
                self.summary.skip("votes", f"vote type {type_id} is not an up or down vote")
                continue
            tally = batch.setdefault(post_pk, [0, 0])
            tally[0 if type_id == UP else 1] += 1
            kinds["updated" if post_sid in known_before else "new"] += 1
            if len(batch) >= BATCH:
                flush()
        flush()
        post = connection.ops.quote_name(Post._meta.db_table)
        Post.objects.filter(source=self.source).exclude(up_votes=0, down_votes=0).update(
            up_votes=0, down_votes=0
        )
        _execute(
            f"UPDATE {post} SET up_votes = v.up, down_votes = v.down FROM"
            f" (SELECT post_id, SUM(up) AS up, SUM(down) AS down FROM {table} GROUP BY post_id) v"
            f" WHERE {post}.id = v.post_id"
        )
        _execute(f"DROP TABLE {table}")
        self.summary.new["votes"] += kinds["new"]
        self.summary.updated["votes"] += kinds["updated"]

    def _tally_votes(self) -> None:
        """A first import: every post is new, its totals are counted here and written in
        _finish_new_posts."""
        up, down = self.up_votes, self.down_votes
        posts = self.posts
        count = 0
        for row in self._rows("Votes.xml"):
            type_id = row.required_int("VoteTypeId")
            post_sid = row.required_int("PostId")
            post_pk = posts.get(post_sid)
            if post_pk is None:
                self.summary.skip("votes", self._missing_post_reason(post_sid))
                continue
            if type_id == UP:
                up.add(post_pk)
            elif type_id == DOWN:
                down.add(post_pk)
            else:
                self.summary.skip("votes", f"vote type {type_id} is not an up or down vote")
                continue
            count += 1
        self.summary.new["votes"] += count

    def _finish_new_posts(self) -> None:
        """A first import: give each new post, in one UPDATE, its Markdown body (from its
        latest revision), accepted answer, vote totals and answer and comment counts, all
        tallied while the files were read. Runs before the deferred indexes are rebuilt."""
        qn = connection.ops.quote_name
        post = qn(Post._meta.db_table)
        rev = qn(PostRevision._meta.db_table)
        table = "stackexchange_import_posts"
        _execute(f"DROP TABLE IF EXISTS {table}")
        _execute(
            f"CREATE TEMPORARY TABLE {table} (post_id bigint PRIMARY KEY, revision integer,"
            " accepted bigint, answers integer, comments integer, up integer, down integer)"
        )
        columns = "post_id, revision, accepted, answers, comments, up, down"
        numbers, accepted = self.revision_numbers, self.accepted_pks
        answers, comments = self.answer_counts, self.comment_counts
        up, down = self.up_votes, self.down_votes
        with connection.cursor() as cursor:
            for start in range(0, len(self.new_post_pks), 10 * BATCH):
                rows = [
                    (
                        pk,
                        numbers.get(pk, 0),
                        accepted.get(pk),
                        answers.get(pk),
                        comments.get(pk),
                        up.get(pk),
                        down.get(pk),
                    )
                    for pk in self.new_post_pks[start : start + 10 * BATCH]
                ]
                if connection.vendor == "postgresql":
                    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    cursor.executemany(
                        f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                        rows,
                    )
        if self.staged:
            self._insert_staged_posts(table)
        else:
            _execute(
                f"UPDATE {post} SET body = COALESCE(r.body, ''), accepted_answer_id = t.accepted,"
                " answer_count = t.answers, comment_count = t.comments, up_votes = t.up,"
                f" down_votes = t.down FROM {table} t LEFT JOIN {rev} r"
                f" ON r.post_id = t.post_id AND r.number = t.revision WHERE {post}.id = t.post_id"
            )
        _execute(f"DROP TABLE {table}")
        if self.staged:
            self._apply_closes(self.pending_closes)
        self._bodies_from_revisions()

    def _insert_staged_posts(self, tallies: str) -> None:
        """PostgreSQL, first import: every staged post goes into qa_post once, complete, with
        the values tallied in `tallies`."""
        qn = connection.ops.quote_name
        late = {
            "body": "COALESCE(r.body, '')",
            "accepted_answer_id": "t.accepted",
            "answer_count": "t.answers",
            "comment_count": "t.comments",
            "up_votes": "t.up",
            "down_votes": "t.down",
        }
        columns = [f.column for f in Post._meta.concrete_fields]  # type: ignore[union-attr]
        values = ", ".join(late.get(c, f"s.{qn(c)}") for c in columns)
        # Memory for the two hash joins (PostgreSQL's default, 4 MB, spills them to disk),
        # until the end of the transaction.
        _execute("SET LOCAL work_mem = '128MB'")
        _execute(
            f"INSERT INTO {qn(Post._meta.db_table)} ({', '.join(qn(c) for c in columns)})"
            f" SELECT {values} FROM {STAGED_POSTS} s JOIN {tallies} t ON t.post_id = s.id"
            f" LEFT JOIN {qn(PostRevision._meta.db_table)} r"
            " ON r.post_id = t.post_id AND r.number = t.revision"
        )
        _execute(f"DROP TABLE {STAGED_POSTS}")

    def _add_tag_counts(self) -> None:
        """A first import: its new questions are added to their tags' question counts (the
        counts of the questions already here are kept as they are)."""
        tag = connection.ops.quote_name(Tag._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {tag} SET question_count = question_count + %s WHERE id = %s",
                [(n, pk) for pk, n in sorted(self.tag_questions.items())],
            )

    # --- links ----------------------------------------------------------------------------

    def _import_post_links(self) -> None:
        existing = set(
            PostLink.objects.filter(source=self.source).values_list("source_id", flat=True)
        )
        batch: dict[tuple[int, int, str], PostLink] = {}

        def flush() -> None:
            PostLink.objects.bulk_create(
                list(batch.values()),
                update_conflicts=True,
                unique_fields=["from_post", "to_post", "link_type"],
                update_fields=["created_at", "source", "source_id"],
            )
            batch.clear()

        for row in self._rows("PostLinks.xml"):
            type_id = row.required_int("LinkTypeId")
            link_type = LINK_TYPES.get(type_id)
            kind = "duplicate links" if type_id == 3 else "related links"
            if link_type is None:
                self.summary.skip("related links", f"link type {type_id} is not imported")
                continue
            from_sid, to_sid = row.required_int("PostId"), row.required_int("RelatedPostId")
            from_pk, to_pk = self.posts.get(from_sid), self.posts.get(to_sid)
            if from_pk is None or to_pk is None:
                missing = from_sid if from_pk is None else to_sid
                self.summary.skip(
                    kind, self._missing_post_reason(missing).replace("its", "a linked")
                )
                continue
            source_id = row.required_int("Id")
            key = (from_pk, to_pk, link_type)
            if key in batch:
                self.summary.skip(kind, "the same link is listed twice")
                continue
            batch[key] = PostLink(
                from_post_id=from_pk,
                to_post_id=to_pk,
                link_type=link_type,
                created_at=row.required_date("CreationDate"),
                source=self.source,
                source_id=source_id,
            )
            if source_id in existing:
                self.summary.updated[kind] += 1
            else:
                self.summary.new[kind] += 1
            if len(batch) >= BATCH:
                flush()
        flush()

    # --- badges ---------------------------------------------------------------------------

    def _import_badges(self) -> None:
        existing = _source_map(UserBadge, self.source)
        badges = dict(Badge.objects.values_list("slug", "pk"))
        new: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        columns = ["badge_id", "user_id", "awarded_at"]
        inserter = RowInserter(UserBadge, [*columns, "source", "source_id"])

        def flush() -> None:
            inserter.insert(new)
            _update_rows(UserBadge, columns, updates)
            self.summary.new["badges"] += len(new)
            self.summary.updated["badges"] += len(updates)
            new.clear()
            updates.clear()

        for row in self._rows("Badges.xml"):
            user_pk = self._user(row.required_int("UserId"))
            if user_pk is None:
                self.summary.skip("badges", "its user is not in Users.xml (deleted)")
                continue
            name = row.str("Name").strip()[:100]
            if not name:
                raise row.fail("attribute Name is missing")
            tag_based = row.bool("TagBased")
            slug = (
                slugify(("tag " if tag_based else "") + name, allow_unicode=True)[:100]
                or f"badge-{len(badges)}"
            )
            if slug not in badges:
                tier = row.int("Class") or Badge.Tier.BRONZE
                badge = Badge.objects.create(
                    slug=slug,
                    name=name,
                    tier=tier if tier in Badge.Tier.values else Badge.Tier.BRONZE,
                    is_tag_badge=tag_based,
                )
                badges[slug] = badge.pk
            source_id = row.required_int("Id")
            awarded = row.required_date("Date")
            if source_id in existing:
                updates.append((badges[slug], user_pk, awarded, existing[source_id]))
            else:
                new.append((badges[slug], user_pk, awarded, self.source, source_id))
            if len(new) + len(updates) >= BATCH:
                flush()
        flush()

    # --- counts ---------------------------------------------------------------------------

    def _recompute_counts(self) -> None:
        recompute_counts(source=self.source)


def recompute_counts(*, source: str) -> None:
    """Answer and comment counts of the imported posts, and every tag's question count."""
    post = connection.ops.quote_name(Post._meta.db_table)
    comment = connection.ops.quote_name(Comment._meta.db_table)
    false = "FALSE" if connection.vendor == "postgresql" else "0"
    _execute(
        f"UPDATE {post} SET answer_count = (SELECT COUNT(*) FROM {post} a"
        f" WHERE a.question_id = {post}.id AND a.is_deleted = {false})"
        f" WHERE source = %s AND post_type = 'question'",
        [source],
    )
    _execute(
        f"UPDATE {post} SET comment_count = (SELECT COUNT(*) FROM {comment} c"
        f" WHERE c.post_id = {post}.id AND c.is_deleted = {false}) WHERE source = %s",
        [source],
    )
    recompute_tag_counts()


def recompute_tag_counts() -> None:
    """Every tag's question count, counted in one grouped join (a count per tag would look up
    every tagged post by its id: 11 s for a million posts on PostgreSQL, against about 2)."""
    post = connection.ops.quote_name(Post._meta.db_table)
    tag = connection.ops.quote_name(Tag._meta.db_table)
    through = connection.ops.quote_name(Post.tags.through._meta.db_table)
    false = "FALSE" if connection.vendor == "postgresql" else "0"
    _execute(
        f"UPDATE {tag} SET question_count = c.n FROM (SELECT t.id AS tag_id,"
        f" COALESCE(q.n, 0) AS n FROM {tag} t LEFT JOIN (SELECT pt.tag_id, COUNT(*) AS n"
        f" FROM {through} pt JOIN {post} p ON p.id = pt.post_id WHERE p.is_deleted = {false}"
        f" GROUP BY pt.tag_id) q ON q.tag_id = t.id) c"
        f" WHERE {tag}.id = c.tag_id AND {tag}.question_count <> c.n"
    )


# Management commands of other apps that rebuild derived data (search index, reputation),
# with their options and what the summary says. `reindex` leaves indexes computed by a model
# (the question vectors: hours for a large site) to the task worker; the search index is
# rebuilt before the import returns.
POST_IMPORT_COMMANDS: tuple[tuple[str, dict[str, object], str], ...] = (
    (
        "reindex",
        {"in_background": True},
        "search index rebuilt; slower indexes queued for the worker",
    ),
    ("search-reindex", {}, "search index rebuilt"),
    ("rebuild-reputation", {}, "reputation rebuilt"),
    ("reputation-rebuild", {}, "reputation rebuilt"),
    ("rebuild_reputation", {}, "reputation rebuilt"),
)


def post_import_hooks() -> list[str]:
    """After an import commits: rebuild the search index and reputation where those apps
    provide a command for it. Returns what was done, for the summary."""
    from knowhow.core.tasks import refresh_query_planner_statistics

    available = get_commands()
    # The tables grew by the whole dump: the query planner needs to know (SQLite keeps no
    # statistics of its own; see refresh_query_planner_statistics).
    refresh_query_planner_statistics()
    done = []
    for name, options, what in POST_IMPORT_COMMANDS:
        if name in available:
            call_command(name, **options)
            done.append(f"{what} (knowhow {name})")
    return done or [
        "no search-index or reputation rebuild command is installed; nothing to rebuild"
    ]


def find_or_create_space(name: str | None, *, source: str = "") -> Space:
    """The space called `name` (by slug or name), created if absent and marked with the import's
    source; the default space when no name is given."""
    from knowhow.spaces.selectors import default_space

    if not name:
        return default_space()
    space = Space.objects.filter(slug=name).first() or Space.objects.filter(name=name).first()
    if space is None:
        slug = slugify(name)[:100]
        if not slug:
            raise ValidationFailed(f"“{name}” cannot be used as a space name.")
        space = Space.objects.create(name=name[:100], slug=slug, source=source)
    return space
