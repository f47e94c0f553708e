"""Queue again the transcodes whose worker died and drop abandoned uploads (run at worker
start, or from cron)."""

from django.core.management.base import BaseCommand

from knowhow.videos.services import transcode_requeue_stale, upload_expire_stale


class Command(BaseCommand):
    help = "Queue again every transcode job whose worker stopped renewing its lease."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        requeued = transcode_requeue_stale()
        if requeued:
            self.stdout.write(f"Queued again: transcode jobs {', '.join(map(str, requeued))}")
        expired = upload_expire_stale()
        if expired:
            self.stdout.write(f"Removed {expired} abandoned upload(s).")
