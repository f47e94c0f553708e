"""knowhow export-stackexchange SPACE DIR: write a space out in the Stack Exchange dump format."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from knowhow.spaces.models import Space
from knowhow.stackexchange.exporter import export_space


class Command(BaseCommand):
    help = "Export a space's questions, answers, comments, users, tags, links and badges as a Stack Exchange data dump."

    def add_arguments(self, parser):
        parser.add_argument("space", help="name or slug of the space")
        parser.add_argument("directory", type=Path, help="where to write the XML files")

    def handle(self, *args, space: str, directory: Path, **options):
        found = Space.objects.filter(Q(slug=space) | Q(name=space)).first()
        if found is None:
            raise CommandError(f"No space named “{space}”.")
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"{directory} exists and is not a directory.")
        summary = export_space(space=found, directory=directory)
        for line in summary.lines():
            self.stdout.write(line)
