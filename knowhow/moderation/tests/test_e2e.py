"""In a real browser: a new user's spam is flagged by two trusted members and leaves the list;
a reviewer restores a post that was wrongly flagged."""

import pytest

from knowhow.core.tests.factories import QuestionFactory, UserFactory
from knowhow.moderation import services
from knowhow.moderation.models import ReviewTask
from knowhow.qa.models import Post, Tag

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


@pytest.fixture
def browser_page(browser):
    """A fresh context on the session's shared Chromium (knowhow/core/tests/browser.py)."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def log_in(page, base: str, user) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def flag_as(page, base: str, user, post, reason: str) -> None:
    log_in(page, base, user)
    page.goto(f"{base}{post.get_absolute_url()}")
    page.get_by_role("link", name="Flag", exact=True).first.click()
    page.get_by_label(reason, exact=True).check()
    page.get_by_role("button", name="Flag").click()
    page.wait_for_url(lambda url: "/flag/" not in url)


def test_spam_is_flagged_away_and_a_reviewer_restores_a_good_post(live_server, browser_page):
    page, base = browser_page, live_server.url
    Tag.objects.get_or_create(name="reporting")
    spammer = UserFactory(reputation=1)
    spam = QuestionFactory(
        author=spammer,
        title="Cheap watches and pills for sale",
        body="Buy cheap watches and pills today, best prices guaranteed!",
    )
    good = QuestionFactory(title="How do I rotate the VPN certificate?")
    first, second = UserFactory(reputation=400), UserFactory(reputation=400)
    reviewer = UserFactory(reputation=400)

    page.goto(f"{base}/questions/")
    assert page.get_by_text(spam.title).is_visible()

    flag_as(page, base, first, spam, "Spam")
    flag_as(page, base, second, spam, "Spam")
    assert Post.objects.get(pk=spam.pk).is_hidden

    page.context.clear_cookies()
    page.goto(f"{base}/questions/")
    assert page.get_by_text(good.title).is_visible()
    assert page.get_by_text(spam.title).count() == 0

    # Two hostile flags hide a good post; a reviewer disagrees and it comes back.
    for hostile in (UserFactory(reputation=400), UserFactory(reputation=400)):
        services.flag_create(flagger=hostile, post=good, reason="rude")
    page.goto(f"{base}/questions/")
    assert page.get_by_text(good.title).count() == 0
    task = ReviewTask.objects.get(queue="flagged", post=good)

    log_in(page, base, reviewer)
    page.goto(f"{base}/moderation/review/flagged/")
    page.locator(f"#task-{task.pk}").get_by_role("button", name="Disagree (restore)").click()
    page.wait_for_load_state()
    assert page.get_by_text("Review recorded.").is_visible()

    page.context.clear_cookies()
    page.goto(f"{base}/questions/")
    assert page.get_by_text(good.title).is_visible()
    assert page.get_by_text(spam.title).count() == 0


def test_a_suspended_person_sees_the_banner_from_login_and_appeals_once(live_server, browser_page):
    from knowhow.core.tests.factories import UserFactory as People

    page, base = browser_page, live_server.url
    staff = People(is_staff=True)
    person = People(reputation=300)
    services.sanction_apply(
        user=person, by=staff, kind="suspend", reason="Spamming links in comments.", days=7
    )
    log_in(page, base, person)
    banner = page.locator("[data-sanction-banner]")
    assert banner.get_by_text("Your account is suspended").is_visible()
    assert banner.get_by_text("Spamming links in comments.").is_visible()
    banner.get_by_role("link", name="Appeal (you can appeal once)").click()
    page.get_by_label("Your appeal").fill("Those links were to our own internal wiki.")
    page.get_by_role("button", name="Appeal (once)").click()
    page.wait_for_load_state()
    assert banner.get_by_text("Your appeal is with the moderators.").is_visible()
    assert page.get_by_role("button", name="Appeal (once)").count() == 0
    # Reading works; asking does not.
    page.goto(f"{base}/questions/")
    assert banner.is_visible()
