"""Database triggers that change the index generation whenever a search result could change.

Cached search results (`result_cache.py`) are valid while the index generation is unchanged.
Index writes change it (`services.index_generation_bump`); these triggers change it, in the same
transaction, for every other change that decides what matches a filter or who may see a result:
a post deleted, undeleted, hidden, moved to another space, given another author, answered for
the first time or no longer, accepted; a post removed; tags added to or taken from a post,
video or resource, or renamed; a space created, renamed, made private or public, or removed; a
video or resource published, deleted or hidden. Triggers rather than calls in the services, so
that no writer can forget one (the admin, imports, bulk updates, raw SQL, another app).

What the cached page shows without deciding what is shown (scores, answer counts beyond the
first, people's names, "3 minutes ago") does not change the generation: it may lag by at most
the cache's lifetime, as on the question page.

Who sees what is not here: the visible spaces of a result are computed from the audience's
`visibility_signature`, which is part of the cache key, so a membership change gives the person
another key.

SQLite: row triggers with a WHEN clause (an update of the one-row table costs about a
microsecond, even for a bulk import's millions of rows). PostgreSQL: statement triggers that
look at the transition tables, so that a bulk statement bumps once rather than rewriting the
one row per changed row. `install` is idempotent and runs after every `migrate`: on SQLite,
Django rebuilds a table to alter it, which drops its triggers.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

BUMP_SQLITE = (
    "UPDATE search_index_generation SET value = abs(random() % 4611686018427387904) WHERE id = 1;"
)


def _changed(columns: list[str], *, old: str = "OLD", new: str = "NEW", op: str) -> str:
    return " OR ".join(f"{old}.{c} {op} {new}.{c}" for c in columns)


# The qa_post columns that decide whether a result matches the filters or may be seen.
POST_COLUMNS = [
    "is_deleted",
    "is_hidden",
    "space_id",
    "post_type",
    "accepted_answer_id",
    "author_id",
    "created_at",
]
SPACE_COLUMNS = ["visibility", "slug", "name"]
VIDEO_COLUMNS = ["is_deleted", "status", "is_playable", "post_id", "space_id"]
RESOURCE_COLUMNS = ["is_deleted", "is_hidden", "post_id", "space_id"]
TAG_LINK_TABLES = ["qa_post_tags", "videos_video_tags", "curation_resource_tags"]
UPDATED_TABLES = ["qa_post", "qa_tag", "spaces_space", "videos_video", "curation_resource"]


def _sqlite_statements() -> list[str]:
    def trigger(name: str, event: str, table: str, when: str = "") -> str:
        when_sql = f" WHEN {when}" if when else ""
        return (
            f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table}{when_sql}"
            f" BEGIN {BUMP_SQLITE} END"
        )

    post_when = (
        _changed(POST_COLUMNS, op="IS NOT")
        + " OR (OLD.answer_count > 0) IS NOT (NEW.answer_count > 0)"
    )
    statements = [
        trigger("search_state_qa_post_update", "UPDATE", "qa_post", post_when),
        trigger("search_state_qa_post_delete", "DELETE", "qa_post"),
        trigger(
            "search_state_qa_tag_update", "UPDATE OF name", "qa_tag", "OLD.name IS NOT NEW.name"
        ),
        trigger("search_state_spaces_space_insert", "INSERT", "spaces_space"),
        trigger(
            "search_state_spaces_space_update",
            "UPDATE",
            "spaces_space",
            _changed(SPACE_COLUMNS, op="IS NOT"),
        ),
        trigger("search_state_spaces_space_delete", "DELETE", "spaces_space"),
        trigger(
            "search_state_videos_video_update",
            "UPDATE",
            "videos_video",
            _changed(VIDEO_COLUMNS, op="IS NOT"),
        ),
        trigger(
            "search_state_curation_resource_update",
            "UPDATE",
            "curation_resource",
            _changed(RESOURCE_COLUMNS, op="IS NOT"),
        ),
    ]
    for table in TAG_LINK_TABLES:
        statements.append(trigger(f"search_state_{table}_insert", "INSERT", table))
        statements.append(trigger(f"search_state_{table}_delete", "DELETE", table))
    return statements


PG_BUMP_IF_ROWS = """
CREATE OR REPLACE FUNCTION search_state_bump_if_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM changed_rows) THEN
    UPDATE search_index_generation
       SET value = floor(random() * 4611686018427387903)::bigint WHERE id = 1;
  END IF;
  RETURN NULL;
END $$;
"""


def _pg_update_function(table: str, columns: list[str], extra: str = "") -> str:
    condition = _changed(columns, old="o", new="n", op="IS DISTINCT FROM") + extra
    return f"""
CREATE OR REPLACE FUNCTION search_state_{table}_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {condition}) THEN
    UPDATE search_index_generation
       SET value = floor(random() * 4611686018427387903)::bigint WHERE id = 1;
  END IF;
  RETURN NULL;
END $$;
"""


def _pg_statements() -> list[str]:
    statements = [PG_BUMP_IF_ROWS]
    updates = [
        (
            "qa_post",
            POST_COLUMNS,
            " OR (o.answer_count > 0) IS DISTINCT FROM (n.answer_count > 0)",
        ),
        ("qa_tag", ["name"], ""),
        ("spaces_space", SPACE_COLUMNS, ""),
        ("videos_video", VIDEO_COLUMNS, ""),
        ("curation_resource", RESOURCE_COLUMNS, ""),
    ]

    def trigger(name: str, event: str, table: str, function: str, referencing: str) -> str:
        return (
            f"CREATE OR REPLACE TRIGGER {name} AFTER {event} ON {table} REFERENCING"
            f" {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )

    for table, columns, extra in updates:
        statements.append(_pg_update_function(table, columns, extra))
        statements.append(
            trigger(
                f"search_state_{table}_update",
                "UPDATE",
                table,
                f"search_state_{table}_update",
                "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            )
        )
    for table in ["qa_post", "spaces_space"]:
        statements.append(
            trigger(
                f"search_state_{table}_delete",
                "DELETE",
                table,
                "search_state_bump_if_rows",
                "OLD TABLE AS changed_rows",
            )
        )
    statements.append(
        trigger(
            "search_state_spaces_space_insert",
            "INSERT",
            "spaces_space",
            "search_state_bump_if_rows",
            "NEW TABLE AS changed_rows",
        )
    )
    for table in TAG_LINK_TABLES:
        for event, ref in (("INSERT", "NEW"), ("DELETE", "OLD")):
            statements.append(
                trigger(
                    f"search_state_{table}_{event.lower()}",
                    event,
                    table,
                    "search_state_bump_if_rows",
                    f"{ref} TABLE AS changed_rows",
                )
            )
    return statements


ALL_TABLES = {
    "search_index_generation",
    "qa_post",
    "qa_tag",
    "spaces_space",
    "videos_video",
    "curation_resource",
    *TAG_LINK_TABLES,
}


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers that are missing (all of them on PostgreSQL, replaced in place).
    Nothing while a table is missing (a migration back to zero)."""
    if not set(connection.introspection.table_names()) >= ALL_TABLES:
        return
    statements = _pg_statements() if connection.vendor == "postgresql" else _sqlite_statements()
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def names() -> set[str]:
    """The names of every search state trigger (the same on both databases)."""
    found = {f"search_state_{table}_update" for table in UPDATED_TABLES}
    found |= {f"search_state_{table}_delete" for table in ("qa_post", "spaces_space")}
    found.add("search_state_spaces_space_insert")
    found |= {f"search_state_{t}_{e}" for t in TAG_LINK_TABLES for e in ("insert", "delete")}
    return found


def installed(connection: BaseDatabaseWrapper) -> set[str]:
    """The names of the search state triggers in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'search_state_%%'"
                " AND NOT tgisinternal"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                " AND name LIKE 'search_state_%'"
            )
        return {row[0] for row in cursor.fetchall()}


def drop(connection: BaseDatabaseWrapper) -> set[str]:
    """Drop the search state triggers (for a bulk load into tables that are rewritten anyway,
    which then calls `install` and bumps the generation once); the names dropped."""
    present = installed(connection)
    with connection.cursor() as cursor:
        for name in sorted(present):
            if connection.vendor == "postgresql":
                table = name.removeprefix("search_state_").rsplit("_", 1)[0]
                cursor.execute(
                    f"DROP TRIGGER IF EXISTS {name} ON {connection.ops.quote_name(table)}"
                )
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    return present
