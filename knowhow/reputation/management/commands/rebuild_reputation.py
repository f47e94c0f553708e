"""Recompute cached reputation totals and per-tag scores from the ledger."""

from django.core.management.base import BaseCommand

from knowhow.reputation.services import reputation_rebuild


class Command(BaseCommand):
    help = "Rebuild User.reputation and tag scores from the reputation ledger."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        changed = reputation_rebuild()
        self.stdout.write(f"Reputation rebuilt; {changed} totals changed.")
