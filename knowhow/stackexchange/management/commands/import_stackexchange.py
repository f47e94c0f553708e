"""knowhow import-stackexchange DIR [--space NAME] [--site NAME]: import a Stack Exchange dump."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from knowhow.core.errors import ApplicationError
from knowhow.stackexchange.importer import DumpImport


class Command(BaseCommand):
    help = "Import a Stack Exchange data dump directory (Posts.xml, Users.xml, ...) into a space."

    def add_arguments(self, parser):
        parser.add_argument(
            "directory", type=Path, help="the dump directory, e.g. ai.stackexchange.com/"
        )
        parser.add_argument(
            "--space",
            help="name or slug of the space to import into (created if absent; default: the default space)",
        )
        parser.add_argument(
            "--site",
            help="the source site, e.g. ai.stackexchange.com (default: the directory's name)",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="do not show a progress bar per file"
        )
        parser.add_argument(
            "--skip-post-import",
            action="store_true",
            help="do not run the search-index and reputation rebuild commands afterwards",
        )
        parser.add_argument(
            "--single-process",
            action="store_true",
            help="read the XML in this process too (by default a big dump is read and"
            " sanitised in a second process, beside the database writes)",
        )

    def handle(self, *args, directory: Path, space: str | None, site: str | None, **options):
        show = not options["no_progress"] and options["verbosity"] > 0

        def progress(name: str, total: int):
            return tqdm(
                total=total,
                desc=f"{name:<16}",
                unit="B",
                unit_scale=True,
                file=sys.stderr,
                disable=not show,
                leave=True,
            )

        try:
            run = DumpImport(
                directory=directory,
                space=space,
                site=site,
                progress=progress,
                post_import=not options["skip_post_import"],
                reader_process=False if options["single_process"] else None,
            )
            summary = run.execute()
        except ApplicationError as error:
            raise CommandError(f"{error.message}\nNothing was imported.") from None
        for line in summary.lines():
            self.stdout.write(line)
