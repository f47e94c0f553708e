"""The search app's one table of its own: the index generation (the index itself is created
by migration 0001 as an FTS5 table or a tsvector table, outside the ORM)."""

from django.db import models


class IndexGeneration(models.Model):
    """One row whose value changes, in the same transaction, with every write to the index:
    results ranked at one value are valid while it is unchanged, in every process."""

    value = models.BigIntegerField(default=0)

    class Meta:
        db_table = "search_index_generation"

    def __str__(self) -> str:
        return f"search index generation {self.value}"
