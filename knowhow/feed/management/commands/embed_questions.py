"""(Re)compute the stored question vectors for similar-question suggestions."""

from django.core.management.base import BaseCommand

from knowhow.feed import embeddings
from knowhow.feed.similar import question_embed_many
from knowhow.qa.models import Post


class Command(BaseCommand):
    help = "Compute sentence vectors for every question whose text changed since its last vector."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--batch", type=int, default=256)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if embeddings.embedder() is None:
            self.stdout.write(
                "The embedding model is not installed (make install-semantic); "
                "similar questions use full-text only."
            )
            return
        batch = max(1, options["batch"])
        qs = Post.objects.filter(post_type=Post.PostType.QUESTION, is_deleted=False).order_by("pk")
        done = 0
        last = 0
        while True:
            chunk = list(qs.filter(pk__gt=last)[:batch])
            if not chunk:
                break
            done += question_embed_many(questions=chunk)
            last = chunk[-1].pk
        self.stdout.write(f"Computed {done} question vector(s).")
