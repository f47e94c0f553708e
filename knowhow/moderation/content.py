"""Content actions that need the qa app's own bookkeeping, registered by qa in AppConfig.ready().

Moderation sits below qa in the dependency order, so it cannot import qa.services; qa registers
`delete_post(post, by)` and `apply_edit(post, by, approved_by, payload)` here instead.
"""

from collections.abc import Callable
from typing import Any

_handlers: dict[str, Callable[..., Any]] = {}


def register(name: str, handler: Callable[..., Any]) -> None:
    _handlers[name] = handler


def call(name: str, **kwargs: Any) -> Any:
    if name not in _handlers:
        raise RuntimeError(f"No content handler registered for {name!r}; is the qa app installed?")
    return _handlers[name](**kwargs)
