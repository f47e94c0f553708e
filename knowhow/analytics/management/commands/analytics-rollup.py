"""Roll up analytics for a period (backfill), with progress."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from knowhow.analytics import rollups


class Command(BaseCommand):
    help = "Roll up analytics events into daily metrics (default: the last 2 days)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--since", help="First day to roll up, YYYY-MM-DD (default: yesterday)."
        )
        parser.add_argument("--until", help="Last day, YYYY-MM-DD (default: today).")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            until = (
                date.fromisoformat(options["until"]) if options["until"] else timezone.localdate()
            )
            since = (
                date.fromisoformat(options["since"])
                if options["since"]
                else until - timedelta(days=1)
            )
        except ValueError as exc:
            raise CommandError("Dates must look like 2026-01-31.") from exc
        if since > until:
            raise CommandError("--since must not be after --until.")
        total = (until - since).days + 1

        def progress(day: date) -> None:
            done = (day - since).days + 1
            self.stdout.write(f"\r  rolled up {day} ({done}/{total})", ending="")
            self.stdout.flush()

        written = rollups.rollup_range(since, until, progress=progress)
        self.stdout.write("")
        outcomes = rollups.refresh_question_outcomes()
        self.stdout.write(
            self.style.SUCCESS(f"{written} daily metrics and {outcomes} question outcomes written.")
        )
