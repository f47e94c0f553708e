"""Which privileges a person holds: thresholds from the preset, overridden by administrators."""

from dataclasses import dataclass

from django.core.cache import cache

from knowhow.accounts.models import User
from knowhow.reputation.config import Privilege, preset_thresholds, reputation_setting
from knowhow.reputation.models import PrivilegeThreshold

CACHE_KEY = "reputation:privilege-thresholds"


def thresholds() -> dict[str, int]:
    """Privilege -> reputation needed. Cached; PrivilegeThreshold saves clear the cache."""
    cached = cache.get(CACHE_KEY)
    if cached is None:
        cached = preset_thresholds()
        cached.update(dict(PrivilegeThreshold.objects.values_list("privilege", "reputation")))
        cache.set(CACHE_KEY, cached, 300)
    return cached


def thresholds_changed() -> None:
    cache.delete(CACHE_KEY)


def _is_staff(user: object) -> bool:
    return bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))


def threshold_in(privilege: str, space: object = None) -> int:
    """Reputation needed for `privilege`, in `space` when given (a pilot's preset scales it)."""
    needed = thresholds()[str(privilege)]
    if space is None:
        return needed
    from knowhow.spaces.selectors import space_privilege_threshold

    return space_privilege_threshold(space, needed)  # type: ignore[arg-type]


def has_privilege(
    user: object, privilege: str, *, moderator: bool = False, space: object = None
) -> bool:
    """`moderator` is True when the caller knows the user moderates the space in question;
    `space`, when given, applies that space's privilege preset (pilots often lower the bar)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if moderator or _is_staff(user):
        return True
    return int(getattr(user, "reputation", 0)) >= threshold_in(privilege, space)


def is_new_user(user: User) -> bool:
    return not _is_staff(user) and user.reputation < reputation_setting("NEW_USER_UNTIL")


def trust_level(user: User, *, moderator: bool = False) -> int:
    """0 new, 1 basic (may flag), 2 member (reviews), 3 regular (close votes), 4 leader."""
    if moderator or _is_staff(user):
        return 4
    limits = thresholds()
    rep = user.reputation
    if rep >= limits[Privilege.TRUSTED]:
        return 4
    if rep >= limits[Privilege.CLOSE_REOPEN]:
        return 3
    if rep >= limits[Privilege.REVIEW]:
        return 2
    if rep >= limits[Privilege.FLAG]:
        return 1
    return 0


@dataclass
class PrivilegeStatus:
    privilege: str
    label: str
    threshold: int
    held: bool
    missing: int


def privileges_for(user: User) -> list[PrivilegeStatus]:
    """Every privilege with its threshold, in order, and whether `user` holds it."""
    out = []
    for key, value in sorted(thresholds().items(), key=lambda kv: kv[1]):
        held = has_privilege(user, key)
        out.append(
            PrivilegeStatus(
                privilege=key,
                label=Privilege(key).label,
                threshold=value,
                held=held,
                missing=0 if held else max(0, value - user.reputation),
            )
        )
    return out


def next_privilege(user: User) -> PrivilegeStatus | None:
    return next((p for p in privileges_for(user) if not p.held), None)
