"""In a real browser: pages work under the strict Content-Security-Policy, and single sign-on
goes through the real identity provider's login and consent pages."""

import pyotp
import pytest

from knowhow.accounts import two_factor
from knowhow.accounts.models import User
from knowhow.core.tests.factories import SpaceFactory, UserFactory
from knowhow.spaces.models import SpaceGroupLink
from knowhow.spaces.selectors import can_view_space

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"


def _log_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url or "/verify/" in url)


def test_pages_run_their_scripts_and_styles_under_the_policy(platform_server, chromium_page):
    page = chromium_page
    base = platform_server.url
    staff = UserFactory(is_staff=True, is_superuser=True)
    _log_in(page, base, staff.username)
    for path in [
        "/accounts/sessions/",
        "/accounts/tokens/",
        "/privacy/",
        "/privacy/my-data/",
        "/privacy/requests/",
        "/spaces/pilots/new/",
    ]:
        response = page.goto(base + path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
    # Scripts from our files run: htmx is loaded and the theme toggle works.
    assert page.evaluate("typeof window.htmx") == "object"
    before = page.evaluate("document.documentElement.getAttribute('data-theme')")
    page.click("[data-theme-toggle]")
    assert page.evaluate("document.documentElement.getAttribute('data-theme')") != before
    # Styles from our files apply.
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != ""
    assert page.csp_violations == []
    # The check above would see a violation: an inline handler is refused and reported.
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<img src=\"/nope\" onerror=\"x=1\">')"
    )
    page.wait_for_timeout(300)
    assert page.csp_violations and "inline event handler" in page.csp_violations[0]


def test_two_factor_setup_and_login_in_the_browser(platform_server, chromium_page):
    page = chromium_page
    base = platform_server.url
    person = UserFactory()
    _log_in(page, base, person.username)
    page.goto(base + "/accounts/two-factor/")
    page.click("button:has-text('Set up')")
    assert page.locator(".qr svg").is_visible()
    secret = page.locator("code[data-copy]").inner_text()
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("button:has-text('Turn on')")
    assert page.locator(".recovery-codes li").count() == 10
    assert two_factor.has_two_factor(person)

    page.context.clear_cookies()
    _log_in(page, base, person.username)
    page.wait_for_url(base + "/accounts/login/verify/")
    recovery = page.locator(".recovery-codes li").count()  # not shown here
    assert recovery == 0
    codes = two_factor.recovery_codes_regenerate(user=person)
    page.fill("input[name=code]", codes[0])
    page.click("button:has-text('Continue')")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert "You used a recovery code" in page.content()
    assert page.csp_violations == []


def test_single_sign_on_through_the_real_provider(sso_settings, platform_server, chromium_page):
    # sso_settings comes first so that the server starts with the provider configured (its
    # Content-Security-Policy then allows the form post that redirects to the provider).
    oidc_provider = {
        "issuer": sso_settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"][0]["settings"][
            "server_url"
        ]
    }
    pilot = SpaceFactory(private=True, name="Finance pilot")
    SpaceGroupLink.objects.create(space=pilot, group="pilot-finance")
    page = chromium_page
    base = platform_server.url
    page.goto(base + "/accounts/login/?next=/spaces/")
    page.click("button:has-text('Log in with Company account')")
    page.wait_for_url(oidc_provider["issuer"] + "/interaction/**")
    page.fill("input[name=login]", "ada")
    page.fill("input[name=password]", "anything")
    page.click("button[type=submit]")
    page.wait_for_url(oidc_provider["issuer"] + "/interaction/**")
    page.click("button[type=submit]")  # consent
    page.wait_for_url(base + "/spaces/")
    assert "Finance pilot" in page.content()
    ada = User.objects.get(email="ada@example.com")
    assert can_view_space(ada, pilot)
    assert page.csp_violations == []
