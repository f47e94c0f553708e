"""What a collection can hold. Each kind says how to load the items a viewer may see; the videos
app (or any later one) adds its own with `register_item_kind` in its AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet

from knowhow.core.errors import NotFound, ValidationFailed
from knowhow.spaces.selectors import Viewer


@dataclass(frozen=True)
class ItemKind:
    label: str
    model: type[models.Model]
    visible: Callable[[Viewer], QuerySet]  # everything of this kind the viewer may see


ITEM_KINDS: dict[str, ItemKind] = {}


def register_item_kind(kind: ItemKind) -> None:
    ITEM_KINDS[kind.label] = kind


def kind_for_model(model: type[models.Model]) -> ItemKind | None:
    for kind in ITEM_KINDS.values():
        if kind.model is model:
            return kind
    return None


def check_item_target(viewer: Viewer, target: models.Model) -> None:
    kind = kind_for_model(type(target))
    if kind is None:
        raise ValidationFailed("That kind of thing cannot go into a collection.")
    if not kind.visible(viewer).filter(pk=target.pk).exists():
        raise NotFound("That item does not exist or is not visible to you.")


def target_get(*, label: str, pk: int, viewer: Viewer) -> models.Model:
    kind = ITEM_KINDS.get(label)
    if kind is None:
        raise ValidationFailed("Add a question or a resource.")
    target = kind.visible(viewer).filter(pk=pk).first()
    if target is None:
        raise NotFound("That item does not exist or is not visible to you.")
    return target


def visible_targets(viewer: Viewer, refs: list[tuple[int, int]]) -> dict[tuple[int, int], object]:
    """Load (content_type_id, object_id) pairs, one query per kind, dropping what is hidden."""
    by_type: dict[int, list[int]] = {}
    for ct_id, obj_id in refs:
        by_type.setdefault(ct_id, []).append(obj_id)
    found: dict[tuple[int, int], object] = {}
    for ct_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        kind = kind_for_model(model) if model else None
        if kind is None:
            continue
        for obj in kind.visible(viewer).filter(pk__in=ids):
            found[(ct_id, obj.pk)] = obj
    return found


def visible_items_q(viewer: Viewer) -> Q:
    """Collection items whose target the viewer may see, as a filter on CollectionItem (one
    subquery per kind, joined to the content type by name: no query of its own)."""
    shown = Q(pk__in=[])
    for kind in ITEM_KINDS.values():
        shown |= Q(
            content_type__app_label=kind.model._meta.app_label,
            content_type__model=kind.model._meta.model_name,
            object_id__in=kind.visible(viewer).values("pk"),
        )
    return shown


def item_visible_to(viewer: Viewer, content_type_id: int, object_id: int) -> bool:
    """Whether the viewer may see one item's target (for notifying about a new item)."""
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    kind = kind_for_model(model) if model else None
    return kind is not None and kind.visible(viewer).filter(pk=object_id).exists()


def _visible_questions(viewer: Viewer) -> QuerySet:
    from knowhow.qa.models import Post
    from knowhow.qa.selectors import visible_posts

    return visible_posts(viewer).filter(post_type=Post.PostType.QUESTION, is_deleted=False)


def _visible_resources(viewer: Viewer) -> QuerySet:
    from knowhow.curation.selectors import visible_resources

    return visible_resources(viewer)


def register_builtin_kinds() -> None:
    from knowhow.curation.models import Resource
    from knowhow.qa.models import Post

    register_item_kind(ItemKind(label="question", model=Post, visible=_visible_questions))
    register_item_kind(ItemKind(label="resource", model=Resource, visible=_visible_resources))
