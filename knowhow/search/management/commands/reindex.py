"""Rebuild every derived index (full-text search, and whatever later apps register)."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from knowhow.search import rebuilders


class ProgressBar:
    def __init__(self, *, label: str, total: int, stream, width: int = 30) -> None:  # type: ignore[no-untyped-def]
        self.label, self.total, self.stream, self.width = label, total, stream, width
        self.started = time.monotonic()
        self.interactive = getattr(stream, "isatty", lambda: False)()
        self._last_percent = -1

    def __call__(self, done: int) -> None:
        percent = 100 if self.total == 0 else min(100, done * 100 // self.total)
        if not self.interactive and percent // 10 == self._last_percent // 10 and done < self.total:
            return
        self._last_percent = percent
        filled = self.width * percent // 100
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"{self.label:<12} [{bar}] {percent:3d}% {done:,}/{self.total:,}"
        self.stream.write(("\r" + line) if self.interactive else line + "\n")
        self.stream.flush()

    def finish(self, done: int) -> None:
        self(done)
        if self.interactive:
            self.stream.write("\n")
        elapsed = time.monotonic() - self.started
        self.stream.write(f"{self.label}: {done:,} indexed in {elapsed:.1f}s\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Rebuild the search index and every other registered derived index."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "names",
            nargs="*",
            help="Only these indexes (default: all). Known: "
            + ", ".join(r.name for r in rebuilders.registered()),
        )
        parser.add_argument("--quiet-progress", action="store_true", help="No progress bar.")
        parser.add_argument(
            "--in-background",
            action="store_true",
            help="Queue the indexes that can be rebuilt by the task worker (the question vectors)"
            " instead of rebuilding them here.",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        chosen = rebuilders.registered()
        if options["names"]:
            unknown = [n for n in options["names"] if rebuilders.get(n) is None]
            if unknown:
                raise CommandError(
                    f"Unknown index: {', '.join(unknown)}. Known: "
                    + ", ".join(r.name for r in chosen)
                )
            chosen = [r for r in chosen if r.name in options["names"]]
        for rebuilder in chosen:
            if options["in_background"] and rebuilder.queue is not None:
                rebuilder.queue()
                self.stdout.write(f"{rebuilder.name}: queued for the task worker")
                continue
            total = rebuilder.count()
            stream = getattr(self.stdout, "_out", sys.stdout)
            bar = ProgressBar(label=rebuilder.name, total=total, stream=stream)
            progress = (lambda done: None) if options["quiet_progress"] else bar
            done = rebuilder.rebuild(progress)
            bar.finish(done)
