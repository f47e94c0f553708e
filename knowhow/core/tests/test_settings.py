"""Settings that the deployment relies on."""

import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

sqlite_only = pytest.mark.skipif(
    settings.DB_VENDOR != "sqlite", reason="the SQLite tuning applies to SQLite only"
)


@sqlite_only
def test_sqlite_connections_use_wal_a_busy_timeout_and_immediate_transactions(
    tmp_path, django_db_blocker
):
    """A file database opened with the configured options: the test database lives in memory,
    where WAL does not apply, so open a real file with the same settings."""
    config = {**settings.DATABASES["default"], "NAME": str(tmp_path / "check.sqlite3")}
    wrapper = DatabaseWrapper(config, alias="settings-check")
    with django_db_blocker.unblock():
        _check_pragmas(wrapper)


def _check_pragmas(wrapper: DatabaseWrapper) -> None:
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] >= 5000
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 1  # NORMAL
        assert wrapper.transaction_mode == "IMMEDIATE"
    finally:
        wrapper.close()


@sqlite_only
@pytest.mark.django_db
def test_the_test_connection_has_the_busy_timeout_too():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000


def test_uploads_big_enough_for_a_clear_message_about_a_long_body():
    # A body over the limit must reach the form (and get a message), not be cut off as a 400.
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE > 5 * 1024 * 1024
    assert settings.KNOWHOW["BODY_MAX"] < settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_production_defaults():
    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.X_FRAME_OPTIONS == "DENY"
    assert settings.CSRF_FAILURE_VIEW == "knowhow.core.views.csrf_failure"
    assert settings.SECRET_KEY and len(settings.SECRET_KEY) >= 40
