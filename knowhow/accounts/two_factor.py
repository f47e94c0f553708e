"""Two-factor authentication for local accounts: TOTP (RFC 6238) and one-time recovery codes."""

import hashlib
import secrets
import time

import pyotp
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from knowhow.accounts.models import RecoveryCode, TotpDevice, User
from knowhow.core.errors import Conflict, ValidationFailed

RECOVERY_CODE_COUNT = 10
STEP_SECONDS = 30


class WrongCode(ValidationFailed):
    """That code is not right. Check the time on your phone and try the current code."""


def _hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").strip().lower().encode()).hexdigest()


def has_two_factor(user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def provisioning_uri(device: TotpDevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(
        name=device.user.email or device.user.username, issuer_name=settings.SITE_NAME
    )


@transaction.atomic
def totp_start(*, user: User) -> TotpDevice:
    """A new, unconfirmed secret (replacing an earlier unconfirmed one)."""
    device = TotpDevice.objects.filter(user=user).first()
    if device is not None and device.is_confirmed:
        raise Conflict("Two-factor authentication is already on.")
    if device is None:
        device = TotpDevice(user=user)
    device.secret = pyotp.random_base32()
    device.last_step = 0
    device.save()
    return device


def _accept_code(device: TotpDevice, code: str) -> bool:
    code = code.replace(" ", "").strip()
    if not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(device.secret)
    now_step = int(time.time()) // STEP_SECONDS
    # One step either side tolerates clock drift; a step already used is refused (no replay).
    for step in (now_step - 1, now_step, now_step + 1):
        if step <= device.last_step:
            continue
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            updated = TotpDevice.objects.filter(pk=device.pk, last_step__lt=step).update(
                last_step=step
            )
            device.last_step = step
            return updated == 1
    return False


@transaction.atomic
def totp_confirm(*, user: User, code: str) -> list[str]:
    """Turn two-factor on with a first code; returns the recovery codes (shown once)."""
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        raise ValidationFailed("Start setting up two-factor authentication first.")
    if device.is_confirmed:
        raise Conflict("Two-factor authentication is already on.")
    if not _accept_code(device, code):
        raise WrongCode(field="code")
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed_at"])
    return recovery_codes_regenerate(user=user)


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5)
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_hash(c)) for c in codes)
    return codes


@transaction.atomic
def two_factor_verify(*, user: User, code: str) -> str:
    """Check a login's second factor: a current TOTP code or an unused recovery code.

    Returns "totp" or "recovery"; raises WrongCode otherwise.
    """
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is None or not device.is_confirmed:
        raise ValidationFailed("Two-factor authentication is not on for this account.")
    if _accept_code(device, code):
        return "totp"
    used = RecoveryCode.objects.filter(
        user=user, code_hash=_hash(code), used_at__isnull=True
    ).update(used_at=timezone.now())
    if used:
        return "recovery"
    raise WrongCode(field="code")


@transaction.atomic
def totp_disable(*, user: User, password: str, code: str) -> None:
    if not user.check_password(password):
        raise ValidationFailed("That password is not right.", field="password")
    two_factor_verify(user=user, code=code)
    TotpDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()


def recovery_codes_left(*, user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
