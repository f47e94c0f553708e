"""The full-text index of questions: an FTS5 table on SQLite, a tsvector table on PostgreSQL."""

from django.db import migrations

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_question_fts USING fts5("
    "title, body, tags, answers, tokenize = 'porter unicode61 remove_diacritics 2')"
)
SQLITE_DROP = "DROP TABLE IF EXISTS search_question_fts"

POSTGRES_CREATE = [
    """CREATE TABLE IF NOT EXISTS search_question_document (
        question_id bigint PRIMARY KEY,
        title text NOT NULL,
        body text NOT NULL,
        tags text NOT NULL,
        answers text NOT NULL,
        document tsvector NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS search_question_document_gin"
    " ON search_question_document USING GIN (document)",
]
POSTGRES_DROP = ["DROP TABLE IF EXISTS search_question_document"]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        for sql in POSTGRES_CREATE:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)
    elif vendor == "postgresql":
        for sql in POSTGRES_DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("qa", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
