"""Time each phase of one Stack Exchange import (wall and the importing process's CPU).

    .venv/bin/python bench/import_phases.py DUMP_DIR var/phases.sqlite3

The SQLite file is deleted, migrated afresh and imported into (`DATABASE_URL` overrides it);
the import runs as `knowhow import-stackexchange DUMP_DIR --no-progress --skip-post-import`
would, with the importer's phases wrapped in timers. To time another checkout's importer, put
its directory first on PYTHONPATH and run from it. Phases under 0.2 s are not printed.
"""

import functools
import os
import sys
import time
from typing import Any

PHASES = (
    "_defer_checks",
    "_import_users",
    "_import_tags",
    "_import_posts",
    "_import_post_history",
    "_import_comments",
    "_import_votes",
    "_import_post_links",
    "_import_badges",
    "_finish_new_posts",
    "_insert_staged_posts",
    "_bodies_from_revisions",
    "_apply_closes",
    "_add_tag_counts",
    "_recompute_counts",
)


def main() -> None:
    dump, database = sys.argv[1], sys.argv[2]
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(database + suffix):
            os.unlink(database + suffix)
    os.environ["DATABASE_URL"] = os.environ.get("DATABASE_URL") or f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.backends.base.base import BaseDatabaseWrapper

    from knowhow.stackexchange import importer

    call_command("migrate", verbosity=0)
    times: list[tuple[str, float, float]] = []

    def wrap(owner: Any, name: str) -> None:
        function = getattr(owner, name, None)
        if function is None:
            return

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                times.append((name, time.perf_counter() - wall, time.process_time() - cpu))

        setattr(owner, name, timed)

    for name in PHASES:
        wrap(importer.DumpImport, name)
    wrap(importer.DeferredChecks, "restore")
    wrap(BaseDatabaseWrapper, "commit")
    started = time.perf_counter()
    with open(os.devnull, "w") as out:
        call_command(
            "import_stackexchange", dump, "--no-progress", "--skip-post-import", stdout=out
        )
    for name, wall, cpu in times:
        if wall >= 0.2:
            print(f"{name:24} {wall:7.1f} s wall {cpu:7.1f} s CPU")
    print(f"{'whole import':24} {time.perf_counter() - started:7.1f} s wall")


if __name__ == "__main__":  # the reader process re-imports this module: run only once
    main()
