"""Single sign-on end to end against a real OpenID Connect provider (npm oidc-provider).

The provider is driven through its own login and consent pages by a real HTTP client
(requests); Knowhow's side runs in the Django test client, and its back-channel calls
(discovery, token, userinfo) go over HTTP to the provider.
"""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from django.urls import reverse

from knowhow.accounts.models import User, UserSession
from knowhow.core.tests.factories import SpaceFactory, UserFactory
from knowhow.spaces.models import SpaceGroupLink, SpaceMembership
from knowhow.spaces.selectors import can_view_space


class _FirstForm(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._done = False

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        attrs = dict(attrs)
        if self._done:
            return
        if tag == "form" and self.action is None:
            self.action = attrs.get("action")
        elif tag == "input" and self.action is not None and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "form" and self.action is not None:
            self._done = True


def _form(html: str) -> _FirstForm:
    parser = _FirstForm()
    parser.feed(html)
    assert parser.action, html[:500]
    return parser


def sso_login(client, login: str, password: str = "idp password", next_url: str = "/"):
    """Log in through the provider like a browser would; returns Knowhow's last response."""
    start = client.post(reverse("openid_connect_login", args=["company"]), {"next": next_url})
    assert start.status_code == 302, start.content[:300]
    browser = requests.Session()
    url = start["Location"]
    for _ in range(12):
        if urlsplit(url).netloc == "testserver":
            parts = urlsplit(url)
            return client.get(parts.path, dict(p.split("=", 1) for p in parts.query.split("&")))
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            continue
        form = _form(response.text)
        if "login" in form.fields or form.fields.get("prompt") == "login":
            form.fields.update({"login": login, "password": password})
        response = browser.post(
            urljoin(url, form.action), data=form.fields, allow_redirects=False, timeout=10
        )
        assert response.is_redirect, response.text[:500]
        url = urljoin(url, response.headers["Location"])
    raise AssertionError("the SSO flow did not come back to Knowhow")


@pytest.mark.django_db
def test_the_login_page_offers_single_sign_on(client, sso_settings):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "Log in with Company account" in html
    assert reverse("openid_connect_login", args=["company"]) in html


@pytest.mark.django_db
def test_first_sso_login_creates_the_person_and_grants_group_spaces(client, sso_settings):
    pilot = SpaceFactory(private=True, name="Finance pilot")
    SpaceGroupLink.objects.create(space=pilot, group="pilot-finance")
    other = SpaceFactory(private=True, name="Legal pilot")
    SpaceGroupLink.objects.create(space=other, group="pilot-legal")

    response = sso_login(client, "ada", next_url="/spaces/")
    assert response.status_code == 302
    assert response["Location"] == "/spaces/"
    ada = User.objects.get(email="ada@example.com")
    assert client.session["_auth_user_id"] == str(ada.pk)
    assert ada.display_name == "Ada Lovelace"
    assert ada.source == "oidc:company"
    assert not ada.has_usable_password()
    assert can_view_space(ada, pilot)
    assert not can_view_space(ada, other)
    assert SpaceMembership.objects.get(space=pilot, user=ada).via_group == "pilot-finance"
    assert UserSession.objects.get(user=ada).method == "single sign-on"


@pytest.mark.django_db
def test_leaving_the_group_ends_the_granted_membership_at_next_login(client, sso_settings):
    from knowhow.accounts.tests import conftest

    pilot = SpaceFactory(private=True)
    SpaceGroupLink.objects.create(space=pilot, group="pilot-finance")
    hand_picked = SpaceFactory(private=True)
    sso_login(client, "grace")
    grace = User.objects.get(email="grace@example.com")
    SpaceMembership.objects.create(space=hand_picked, user=grace)
    SpaceMembership.objects.create(space=pilot, user=grace, via_group="pilot-finance")
    client.logout()

    assert conftest.ACCOUNTS["grace"]["groups"] == []
    sso_login(client, "grace")
    assert not can_view_space(grace, pilot)
    assert can_view_space(grace, hand_picked)  # granted by hand, kept


@pytest.mark.django_db
def test_sso_connects_to_an_existing_local_account_with_the_same_email(client, sso_settings):
    existing = UserFactory(username="ada.l", email="ada@example.com")
    sso_login(client, "ada")
    assert client.session["_auth_user_id"] == str(existing.pk)
    assert User.objects.filter(email__iexact="ada@example.com").count() == 1


@pytest.mark.django_db
def test_an_unknown_identity_is_refused_by_the_provider(client, sso_settings):
    with pytest.raises(AssertionError):
        sso_login(client, "mallory")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_deactivated_person_cannot_log_in_with_sso(client, sso_settings):
    sso_login(client, "grace")
    grace = User.objects.get(email="grace@example.com")
    client.logout()
    grace.is_active = False
    grace.save()
    response = sso_login(client, "grace")
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"], follow=True)
    assert "This account has been deactivated" in page.content.decode()


@pytest.mark.django_db
def test_local_accounts_can_be_turned_off(client, sso_settings, user):
    sso_settings.LOCAL_ACCOUNTS = False
    html = client.get(reverse("accounts:login")).content.decode()
    assert "Log in with Company account" in html
    assert 'name="password"' not in html
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": "correct horse battery"}
    )
    assert "Password login is turned off" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accounts:signup")).status_code == 403
    sso_login(client, "grace")
    assert client.session["_auth_user_id"]


@pytest.mark.django_db
def test_with_local_accounts_off_a_superuser_keeps_password_login(client, sso_settings, staff):
    sso_settings.LOCAL_ACCOUNTS = False
    response = client.post(
        reverse("accounts:login"),
        {"username": staff.username, "password": "correct horse battery"},
    )
    assert response.status_code == 302
