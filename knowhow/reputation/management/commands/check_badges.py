"""Award badges that scheduled checks decide (tag badges, and any event badge missed)."""

from django.core.management.base import BaseCommand

from knowhow.reputation.badges import badges_check_all


class Command(BaseCommand):
    help = "Award tag badges and catch up on event badges."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        self.stdout.write(f"{badges_check_all()} badges awarded.")
