"""Running a write on another database connection, for tests of what one connection (or, to
SQLite, another process) sees of another's commits."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def in_another_connection(write: Callable[..., Any], *args: Any) -> None:
    """Run a write in a thread, which has its own database connection; its exception, if any,
    is raised again here."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            write(*args)
        except BaseException as error:  # noqa: BLE001  (re-raised in the test's thread)
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
