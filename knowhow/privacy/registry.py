"""Which models hold personal data, for export, erasure and retention.

Every row with a foreign key to the person goes into their export. At erasure, rows of the
models registered here are deleted; rows of other models are content and stay, attributed to
the anonymised "former member" profile. Apps register their personal-data models and their
retention rules in `AppConfig.ready()`:

    from knowhow.privacy.registry import register_personal_model, register_retention
    register_personal_model("feed.Notification")
    register_retention("analytics.Event", date_field="occurred_at", setting="analytics_events")

Files kept by storage name in a plain text field (a video's original, a captions file) are
registered with `register_personal_files("videos.Video", "original")`, so that the export puts
the file itself in the archive, not only its name; FileFields are found without registering.

Rows without a direct foreign key to the person (a path item marked done belongs to an
enrolment), and content that needs its own counters kept right under the "delete" policy, are
handled by an app's export and erasure steps:

    register_export_step(curation.privacy.export_records)   # (user) -> {"label": [rows]}
    register_erasure_step(curation.privacy.erase)           # (user, policy) -> None
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_personal_models: set[str] = {
    "accounts.ApiToken",
    "accounts.UserSession",
    "accounts.TotpDevice",
    "accounts.RecoveryCode",
    "spaces.SpaceMembership",
    "qa.TagFollow",
    "provisioning.ScimUser",
    "account.EmailAddress",
    "socialaccount.SocialAccount",
}


_personal_files: dict[str, tuple[str, ...]] = {}


def register_personal_files(label: str, *fields: str) -> None:
    """Fields of `label` that hold the storage name of a file the person uploaded."""
    _personal_files[label] = tuple(dict.fromkeys(_personal_files.get(label, ()) + fields))


def personal_file_fields(label: str) -> tuple[str, ...]:
    return _personal_files.get(label, ())


# Plain-text fields outside the Q&A app that may quote an @mention (e.g. a notification's
# excerpt); erasure rewrites the person's @username there as in posts and comments.
_mention_fields: dict[str, tuple[str, ...]] = {}


def register_mention_fields(label: str, *fields: str) -> None:
    _mention_fields[label] = tuple(dict.fromkeys(_mention_fields.get(label, ()) + fields))


def mention_fields() -> dict[str, tuple[str, ...]]:
    return dict(_mention_fields)


@dataclass(frozen=True)
class RetentionRule:
    model: str
    date_field: str
    setting: str  # key in settings.KNOWHOW["RETENTION_DAYS"]
    extra_filter: tuple[tuple[str, object], ...] = ()


_retention: dict[str, RetentionRule] = {}


def register_personal_model(label: str) -> None:
    _personal_models.add(label)


def personal_models() -> frozenset[str]:
    return frozenset(_personal_models)


# Run by the export (extra records, already visibility-filtered) and by erasure (before the
# personal models' rows are deleted), in registration order.
_export_steps: list[Callable[[Any], dict[str, list[Any]]]] = []
_erasure_steps: list[Callable[[Any, str], None]] = []


def register_export_step(step: Callable[[Any], dict[str, list[Any]]]) -> None:
    if step not in _export_steps:
        _export_steps.append(step)


def register_erasure_step(step: Callable[[Any, str], None]) -> None:
    if step not in _erasure_steps:
        _erasure_steps.append(step)


def export_steps() -> list[Callable[[Any], dict[str, list[Any]]]]:
    return list(_export_steps)


def erasure_steps() -> list[Callable[[Any, str], None]]:
    return list(_erasure_steps)


def register_retention(
    label: str, *, date_field: str, setting: str, **extra_filter: object
) -> None:
    _retention[label] = RetentionRule(
        model=label,
        date_field=date_field,
        setting=setting,
        extra_filter=tuple(extra_filter.items()),
    )


def retention_rules() -> list[RetentionRule]:
    return list(_retention.values())


register_retention("accounts.LoginFailure", date_field="at", setting="logs")
register_retention("qa.Post", date_field="deleted_at", setting="deleted_content", is_deleted=True)
register_retention(
    "privacy.DataRequest", date_field="completed_at", setting="data_requests", status="done"
)
