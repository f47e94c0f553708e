"""Accounts: sign-up, log in and out, password reset, profile, avatars and API tokens."""

import re
from xml.etree import ElementTree

import pytest
from django.core import mail
from django.urls import reverse

from knowhow.accounts import services
from knowhow.accounts.models import ApiToken, User
from knowhow.core.errors import NotFound, ValidationFailed
from knowhow.core.tests.factories import UserFactory
from knowhow.spaces.models import SpaceMembership

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
SIGN_UP = {
    "username": "newcomer",
    "email": "newcomer@example.com",
    "display_name": "New Comer",
    "password": "a-long-and-unusual-passphrase",
}


# --- sign up --------------------------------------------------------------------------------


def test_sign_up_logs_in_and_joins_the_default_space(client, default_space):
    response = client.post(reverse("accounts:signup"), SIGN_UP)
    assert response.status_code == 302
    assert response["Location"] == reverse("qa:tag_list")
    user = User.objects.get(username="newcomer")
    assert user.display_name == "New Comer" and user.check_password(SIGN_UP["password"])
    assert SpaceMembership.objects.filter(user=user, space=default_space).exists()
    assert int(client.session["_auth_user_id"]) == user.pk
    assert "Welcome" in client.get(reverse("qa:tag_list")).content.decode()


def test_the_sign_up_page_renders_and_a_signed_in_person_is_sent_home(client, user):
    assert client.get(reverse("accounts:signup")).status_code == 200
    client.force_login(user)
    assert client.get(reverse("accounts:signup")).status_code == 302


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"username": "Person0"}, "username", "That username is taken."),
        ({"email": "PERSON0@example.com"}, "email", "An account with that email already exists."),
        ({"password": "password"}, "password", "This password is too common."),
        ({"password": "12345678901"}, "password", "This password is entirely numeric."),
        ({"password": "short"}, "password", "This password is too short."),
        ({"password": "newcomer-x"}, "password", "too similar"),
        ({"username": "bad name!"}, "username", "Enter a valid username"),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"username": ""}, "username", "This field is required."),
    ],
)
def test_sign_up_refuses_bad_input_with_a_message(client, default_space, change, field, message):
    UserFactory(username="person0", email="person0@example.com")
    response = client.post(reverse("accounts:signup"), {**SIGN_UP, **change})
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors
    assert message.split("“")[0] in response.content.decode().replace("&#x27;", "'")
    assert not User.objects.filter(email="newcomer@example.com").exists()


def test_the_sign_up_service_refuses_taken_names_and_emails(default_space):
    services.user_sign_up(username="alice", email="alice@example.com", password="x")
    with pytest.raises(ValidationFailed) as error:
        services.user_sign_up(username="ALICE", email="other@example.com", password="x")
    assert error.value.field == "username"
    with pytest.raises(ValidationFailed) as error:
        services.user_sign_up(username="alice2", email="Alice@Example.com", password="x")
    assert error.value.field == "email"


# --- log in and out -------------------------------------------------------------------------


def test_log_in_and_out(client, user):
    assert client.get(reverse("accounts:login")).status_code == 200
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_log_in_with_a_wrong_password_shows_an_error(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": "wrong"}
    )
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_log_in_honours_next_but_not_an_outside_url(client, user):
    data = {"username": user.username, "password": PASSWORD}
    response = client.post(reverse("accounts:login") + "?next=/tags/", data)
    assert response["Location"] == "/tags/"
    client.logout()
    response = client.post(reverse("accounts:login") + "?next=https://evil.example/", data)
    assert "evil" not in response["Location"]


def test_logout_by_get_is_refused(client, user):
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.session.get("_auth_user_id")


# --- password reset -------------------------------------------------------------------------


def test_password_reset_by_email_end_to_end(client, user):
    assert client.get(reverse("accounts:password_reset")).status_code == 200
    response = client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert user.username in message.body
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)
    # The link redirects to a URL without the token, which shows the form.
    response = client.get(link, follow=True)
    assert response.status_code == 200 and response.context["validlink"]
    form_url = response.redirect_chain[-1][0]
    new_password = "a-brand-new-passphrase"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    client.logout()
    assert not client.login(username=user.username, password=PASSWORD)
    assert client.login(username=user.username, password=new_password)
    # The link works once.
    client.logout()
    response = client.get(link, follow=True)
    assert not response.context["validlink"]
    assert "expired" in response.content.decode()


def test_password_reset_for_an_unknown_email_sends_nothing_and_does_not_tell(client, user):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_reset_refuses_mismatched_passwords(client, user):
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "one-long-passphrase", "new_password2": "another-one"}
    )
    assert response.status_code == 200
    assert "didn" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change(client, user):
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-brand-new-passphrase",
            "new_password2": "a-brand-new-passphrase",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-brand-new-passphrase")


# --- profile and avatar ---------------------------------------------------------------------


def test_profile_edit_saves_and_shows_on_the_public_profile(client, user):
    client.force_login(user)
    assert client.get(reverse("accounts:profile")).status_code == 200
    response = client.post(
        reverse("accounts:profile"),
        {
            "display_name": "  Grace Hopper ",
            "job_title": "Rear admiral",
            "department": "Navy",
            "bio": "I like **compilers**.",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.display_name == "Grace Hopper" and user.department == "Navy"
    assert "<strong>compilers</strong>" in user.bio_html
    page = client.get(user.get_absolute_url()).content.decode()
    assert (
        "Grace Hopper" in page and "Rear admiral" in page and "<strong>compilers</strong>" in page
    )


def test_profile_edit_refuses_too_long_fields(client, user):
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"), {"display_name": "x" * 81, "bio": "b" * 5001}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"display_name", "bio"}


def test_profile_edit_needs_a_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_public_profile_lists_followed_tags(client, question, user):
    from knowhow.qa.models import Tag
    from knowhow.qa.services import tag_follow

    tag_follow(user=user, tag=Tag.objects.get(name="reporting"))
    page = client.get(user.get_absolute_url()).content.decode()
    assert "Follows" in page and "/tags/reporting/" in page


def test_an_unknown_profile_is_not_found(client):
    assert client.get(reverse("qa:user_detail", args=[999999])).status_code == 404


def test_the_generated_avatar_is_a_stable_svg(client, user, other_user):
    response = client.get(user.avatar_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "max-age=86400" in response["Cache-Control"]
    root = ElementTree.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert client.get(user.avatar_url).content == response.content
    assert client.get(other_user.avatar_url).content != response.content


def test_the_avatar_escapes_the_initial(client):
    person = UserFactory(display_name='<script>alert(1)</script>"')
    response = client.get(person.avatar_url)
    ElementTree.fromstring(response.content)
    assert b"<script" not in response.content


def test_an_unknown_avatar_is_not_found(client):
    assert client.get(reverse("accounts:avatar", args=[999999])).status_code == 404


# --- API tokens -----------------------------------------------------------------------------


def test_creating_a_token_shows_the_secret_once(client, user):
    client.force_login(user)
    response = client.post(reverse("accounts:tokens"), {"name": "reporting script"})
    assert response.status_code == 200
    raw = response.context["new_token"]
    assert raw.startswith("kh_") and raw in response.content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.name == "reporting script" and token.key_hash != raw and raw not in token.prefix
    listing = client.get(reverse("accounts:tokens")).content.decode()
    assert "reporting script" in listing and raw not in listing and token.prefix in listing
    assert services.api_token_authenticate(raw=raw) == user


def test_a_token_needs_a_name(client, user):
    client.force_login(user)
    response = client.post(reverse("accounts:tokens"), {"name": "   "})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()
    with pytest.raises(ValidationFailed):
        services.api_token_create(user=user, name="  ")


def test_at_most_twenty_active_tokens(user):
    for i in range(20):
        services.api_token_create(user=user, name=f"t{i}")
    with pytest.raises(ValidationFailed, match="20 active tokens"):
        services.api_token_create(user=user, name="one too many")
    services.api_token_revoke(user=user, token_id=ApiToken.objects.first().pk)
    services.api_token_create(user=user, name="now it fits")


def test_revoking_a_token_stops_it_working(client, user):
    token, raw = services.api_token_create(user=user, name="script")
    client.force_login(user)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]), follow=True)
    assert response.status_code == 200 and "Token revoked." in response.content.decode()
    token.refresh_from_db()
    assert not token.is_active
    assert "revoked" in response.content.decode()
    assert services.api_token_authenticate(raw=raw) is None
    # Revoking again changes nothing.
    revoked_at = token.revoked_at
    services.api_token_revoke(user=user, token_id=token.pk)
    token.refresh_from_db()
    assert token.revoked_at == revoked_at


def test_another_persons_token_cannot_be_revoked(client, user, other_user):
    token, raw = services.api_token_create(user=other_user, name="theirs")
    client.force_login(user)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert services.api_token_authenticate(raw=raw) == other_user
    with pytest.raises(NotFound):
        services.api_token_revoke(user=user, token_id=token.pk)


def test_revoking_needs_post_and_a_login(client, user):
    token, _ = services.api_token_create(user=user, name="script")
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 302
    client.force_login(user)
    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405
    assert ApiToken.objects.get().is_active


@pytest.mark.parametrize("raw", ["", "kh_", "kh_unknown-token", "not-a-token", "Bearer kh_x"])
def test_unknown_tokens_are_refused(user, raw):
    services.api_token_create(user=user, name="script")
    assert services.api_token_authenticate(raw=raw) is None


def test_a_token_of_an_inactive_user_is_refused(user):
    _, raw = services.api_token_create(user=user, name="script")
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert services.api_token_authenticate(raw=raw) is None


def test_authenticating_records_last_use(user):
    token, raw = services.api_token_create(user=user, name="script")
    assert token.last_used_at is None
    services.api_token_authenticate(raw=raw)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_profile_and_token_services_drop_null_characters_and_cap_lengths(user):
    services.profile_update(
        user=user,
        display_name="Gr\x00ace" + "e" * 100,
        job_title="x\x00",
        department="",
        bio="b\x00",
    )
    user.refresh_from_db()
    assert user.display_name.startswith("Grace") and len(user.display_name) == 80
    assert user.job_title == "x" and user.bio == "b"
    token, _ = services.api_token_create(user=user, name="scr\x00ipt")
    assert token.name == "script"


def test_a_sign_up_that_loses_a_race_for_the_name_gets_a_message(default_space, monkeypatch):
    """Two sign-ups for one name at once: the second hits the unique index, not a 500."""
    UserFactory(username="racer")
    monkeypatch.setattr(
        User.objects.__class__, "filter", lambda self, **kw: User.objects.none(), raising=False
    )
    with pytest.raises(ValidationFailed, match="taken"):
        services.user_sign_up(username="racer", email="racer2@example.com", password="x")
