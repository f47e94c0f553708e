"""Content actions that need the qa app's own bookkeeping, registered by qa in AppConfig.ready().

Moderation sits below qa in the dependency order, so it cannot import qa.services; qa registers
`delete_post(post, by)` and `apply_edit(post, by, approved_by, payload)` here instead. Apps with
their own kind of post (curation's resource discussion posts) register `PostTypeHooks` for it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_handlers: dict[str, Callable[..., Any]] = {}


def register(name: str, handler: Callable[..., Any]) -> None:
    _handlers[name] = handler


def call(name: str, **kwargs: Any) -> Any:
    if name not in _handlers:
        raise RuntimeError(f"No content handler registered for {name!r}; is the qa app installed?")
    return _handlers[name](**kwargs)


@dataclass(frozen=True)
class PostTypeHooks:
    """What a higher app tells moderation about its own kind of post (curation's resource
    discussion posts): whether a reviewer may edit one, and what to do after moderation hid,
    restored, deleted or took one down (e.g. mirror that on the row the post stands for)."""

    moderated: Callable[..., Any] | None = None  # called with post_id=...
    editable: bool = True
    # The flag reasons (FlagReason values) that fit this kind of post; None: those of posts.
    flag_reasons: tuple[str, ...] | None = None


_post_types: dict[str, PostTypeHooks] = {}


def register_post_type(post_type: str, hooks: PostTypeHooks) -> None:
    _post_types[post_type] = hooks


def post_editable(post: Any) -> bool:
    hooks = _post_types.get(post.post_type)
    return hooks is None or hooks.editable


def post_flag_reasons(post: Any) -> tuple[str, ...] | None:
    hooks = _post_types.get(post.post_type)
    return hooks.flag_reasons if hooks is not None else None


def post_moderated(post: Any) -> None:
    """Moderation changed the post's hidden or deleted state (or took it down)."""
    hooks = _post_types.get(post.post_type)
    if hooks is not None and hooks.moderated is not None:
        hooks.moderated(post_id=post.pk)
