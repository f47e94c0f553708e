"""Two-factor authentication with real TOTP codes (pyotp) and recovery codes."""

import time

import pyotp
import pytest
from django.urls import reverse

from knowhow.accounts import two_factor
from knowhow.accounts.models import RecoveryCode, TotpDevice
from knowhow.core.errors import Conflict

PASSWORD = "correct horse battery"


def _code(device: TotpDevice, offset_steps: int = 0) -> str:
    return pyotp.TOTP(device.secret).at(time.time() + 30 * offset_steps)


def _turn_on(user) -> tuple[TotpDevice, list[str]]:
    device = two_factor.totp_start(user=user)
    codes = two_factor.totp_confirm(user=user, code=_code(device, -1))
    device.refresh_from_db()
    return device, codes


@pytest.mark.django_db
def test_setting_up_from_the_page_shows_a_qr_code_then_recovery_codes(client, user):
    client.force_login(user)
    page = client.post(reverse("accounts:two_factor"), {"action": "start"})
    device = TotpDevice.objects.get(user=user)
    html = page.content.decode()
    assert device.secret in html and "<svg" in html
    assert not two_factor.has_two_factor(user)

    response = client.post(
        reverse("accounts:two_factor"), {"action": "confirm", "code": _code(device)}
    )
    assert response.status_code == 200
    assert two_factor.has_two_factor(user)
    assert RecoveryCode.objects.filter(user=user).count() == 10
    assert response.content.decode().count("<li><code>") == 10


@pytest.mark.django_db
def test_a_wrong_first_code_does_not_turn_it_on(client, user):
    client.force_login(user)
    client.post(reverse("accounts:two_factor"), {"action": "start"})
    response = client.post(reverse("accounts:two_factor"), {"action": "confirm", "code": "000000"})
    assert response.status_code == 400
    assert "not right" in response.content.decode()
    assert not two_factor.has_two_factor(user)


@pytest.mark.django_db
def test_login_asks_for_the_code_and_accepts_a_current_one(client, user):
    device, _ = _turn_on(user)
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response["Location"] == reverse("accounts:login_verify")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accounts:profile")).status_code == 302

    response = client.post(reverse("accounts:login_verify"), {"code": _code(device)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_a_code_cannot_be_used_twice(user):
    device, _ = _turn_on(user)
    code = _code(device)
    assert two_factor.two_factor_verify(user=user, code=code) == "totp"
    with pytest.raises(two_factor.WrongCode):
        two_factor.two_factor_verify(user=user, code=code)


@pytest.mark.django_db
def test_a_code_from_the_distant_past_is_refused(user):
    device, _ = _turn_on(user)
    with pytest.raises(two_factor.WrongCode):
        two_factor.two_factor_verify(user=user, code=_code(device, -5))


@pytest.mark.django_db
def test_a_recovery_code_works_once(client, user):
    _, codes = _turn_on(user)
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    response = client.post(reverse("accounts:login_verify"), {"code": codes[0].upper()})
    assert response.status_code == 302
    assert two_factor.recovery_codes_left(user=user) == 9
    with pytest.raises(two_factor.WrongCode):
        two_factor.two_factor_verify(user=user, code=codes[0])


@pytest.mark.django_db
def test_five_wrong_codes_end_the_login_attempt(client, user):
    _turn_on(user)
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    for _ in range(4):
        assert client.post(reverse("accounts:login_verify"), {"code": "123456"}).status_code == 400
    response = client.post(reverse("accounts:login_verify"), {"code": "123456"})
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("accounts:login_verify"))["Location"] == reverse("accounts:login")


@pytest.mark.django_db
def test_the_verify_step_without_a_password_first_goes_back_to_login(client, user):
    _turn_on(user)
    response = client.post(reverse("accounts:login_verify"), {"code": "123456"})
    assert response["Location"] == reverse("accounts:login")


@pytest.mark.django_db
def test_turning_off_needs_the_password_and_a_code(client, user):
    device, _ = _turn_on(user)
    client.force_login(user)
    response = client.post(
        reverse("accounts:two_factor"),
        {"action": "disable", "password": "wrong", "code": _code(device, 1)},
    )
    assert response.status_code == 400
    assert two_factor.has_two_factor(user)
    response = client.post(
        reverse("accounts:two_factor"),
        {"action": "disable", "password": PASSWORD, "code": _code(device, 1)},
    )
    assert response.status_code == 302
    assert not two_factor.has_two_factor(user)
    assert not RecoveryCode.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_starting_again_when_on_is_refused(user):
    _turn_on(user)
    with pytest.raises(Conflict):
        two_factor.totp_start(user=user)


@pytest.mark.django_db
def test_people_without_a_password_are_sent_to_their_identity_provider(client, user):
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    page = client.get(reverse("accounts:two_factor"))
    assert "single sign-on" in page.content.decode()
    client.post(reverse("accounts:two_factor"), {"action": "start"})
    assert not TotpDevice.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_administrators_can_be_required_to_use_two_factor(client, staff, user, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = True
    client.force_login(staff)
    response = client.get(reverse("accounts:profile"))
    assert response["Location"] == reverse("accounts:two_factor")
    assert client.get(reverse("accounts:two_factor")).status_code == 200
    _turn_on(staff)
    assert client.get(reverse("accounts:profile")).status_code == 200
    client.force_login(user)  # not an administrator: not required
    assert client.get(reverse("accounts:profile")).status_code == 200
