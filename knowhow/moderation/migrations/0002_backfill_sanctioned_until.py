"""Fill User.sanctioned_until for the sanctions already in force, so that the fast check
(nothing in force unless the user row says so) does not miss them."""

import datetime

from django.db import migrations
from django.utils import timezone

WARNING_NOTICE_DAYS = 7


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Sanction = apps.get_model("moderation", "Sanction")
    User = apps.get_model("accounts", "User")
    now = timezone.now()
    until: dict[int, datetime.datetime] = {}
    for sanction in Sanction.objects.filter(lifted_at__isnull=True):
        if sanction.kind == "warn":
            end = sanction.created_at + datetime.timedelta(days=WARNING_NOTICE_DAYS)
        else:
            end = sanction.ends_at
        if end is not None and end > now and end > until.get(sanction.user_id, now):
            until[sanction.user_id] = end
    for user_id, end in until.items():
        User.objects.filter(pk=user_id).update(sanctioned_until=end)


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("accounts", "0004_user_sanctioned_until"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
