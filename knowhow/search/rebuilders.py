"""A registry of derived indexes that `knowhow reindex` rebuilds from the source tables.

Apps that keep a derived index (full-text, embeddings, ...) register a `Rebuilder` in their
`AppConfig.ready()`; the command runs them in registration order.
"""

from collections.abc import Callable
from dataclasses import dataclass

# Called with the number of items done so far.
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Rebuilder:
    name: str
    label: str
    count: Callable[[], int]
    rebuild: Callable[[Progress], int]
    # Queues the same rebuild as a background task (`knowhow reindex --in-background`), for an
    # index too slow to rebuild while someone waits, such as one computed by a model.
    queue: Callable[[], None] | None = None


_registry: dict[str, Rebuilder] = {}


def register(rebuilder: Rebuilder) -> None:
    _registry[rebuilder.name] = rebuilder


def registered() -> list[Rebuilder]:
    return list(_registry.values())


def get(name: str) -> Rebuilder | None:
    return _registry.get(name)
