"""Who may see which analytics."""

from knowhow.core.errors import PermissionRefused
from knowhow.spaces.selectors import Viewer


def can_view_dashboard(user: Viewer) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and (user.is_staff or user.has_perm("analytics.view_dashboard"))  # type: ignore[union-attr]
    )


def check_view_dashboard(user: Viewer) -> None:
    if not can_view_dashboard(user):
        raise PermissionRefused(
            "The learning dashboards are for the learning team and administrators."
        )


def can_view_people(user: Viewer) -> bool:
    """Person-level data (top contributors, rising stars) is for administrators only."""
    return bool(user is not None and user.is_authenticated and user.is_staff)  # type: ignore[union-attr]
