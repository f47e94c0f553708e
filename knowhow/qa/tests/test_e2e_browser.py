"""End-to-end Q&A in real Chromium: sign up, ask, answer, vote, comment and accept through the
pages as a person would, with htmx doing the in-page updates."""

import pytest
from playwright.sync_api import expect

from knowhow.accounts.models import User
from knowhow.core.tests.browser import MOBILE
from knowhow.core.tests.factories import AnswerFactory, QuestionFactory, UserFactory
from knowhow.qa.models import Post, Tag

pytestmark = pytest.mark.e2e

PASSWORD = "violet-harbour-1874"
QUESTION_TITLE = "How do I read a CSV file with a header row in Python?"
QUESTION_BODY = """I have a monthly export and want each row as a dict.

```python
import csv

with open("export.csv") as f:
    rows = list(csv.reader(f))
```

This gives me lists, not dicts. What should I use instead?"""


def sign_up(page, username: str) -> None:
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.com")
    page.get_by_label("Display name").fill(username.title())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("link", name="Ask", exact=True)).to_be_visible()


def log_out(page) -> None:
    page.get_by_label("Account menu").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def log_in(page, username: str) -> None:
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Ask", exact=True)).to_be_visible()


def mark_document(page) -> None:
    """Tag the live document; if the page reloads or navigates, the tag is gone."""
    page.evaluate("window.__stillTheSamePage = true")


def assert_same_document(page) -> None:
    assert page.evaluate("window.__stillTheSamePage === true"), "the page reloaded"


def test_ask_answer_vote_comment_accept_and_see_it_answered_on_the_list(page):
    # Tags exist already: who may create new tags is a reputation rule, not what is tested here.
    Tag.objects.create(name="python")
    Tag.objects.create(name="csv")

    sign_up(page, "asker")
    page.get_by_role("link", name="Ask", exact=True).click()
    page.get_by_label("Title").fill(QUESTION_TITLE)
    page.get_by_label("Body").fill(QUESTION_BODY)
    page.get_by_label("Tags").fill("python csv")
    page.get_by_role("button", name="Post your question").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(QUESTION_TITLE)
    code = page.locator(".question .prose pre code")
    expect(code).to_contain_text("csv.reader(f)")
    # Highlighted on the server: the keyword is wrapped in a token span.
    expect(page.locator(".question .prose pre span", has_text="import").first).to_be_visible()
    expect(page.locator(".question .tags .tag")).to_have_text(["csv", "python"])
    question_url = page.url

    log_out(page)
    sign_up(page, "helper")
    # Voting and commenting on others' posts are privileges of established members.
    User.objects.filter(username="helper").update(reputation=1000)
    page.goto(question_url)
    page.get_by_role("textbox", name="Your answer").fill(
        "Use `csv.DictReader`: it reads the header row and gives you one dict per row."
    )
    page.get_by_role("button", name="Post your answer").click()
    answer = page.locator("article.answer")
    expect(answer).to_have_count(1)
    expect(answer).to_contain_text("csv.DictReader")

    # Vote the question up: the score changes in place, without a reload.
    mark_document(page)
    question = page.locator("article.question")
    expect(question.locator(".score")).to_have_text("0")
    question.get_by_role("button", name="Vote up").click()
    expect(question.locator(".score")).to_have_text("1")
    expect(question.get_by_role("button", name="Withdraw up vote")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert_same_document(page)

    # Comment on the question, also in place. A comment too short is refused with a message.
    question.get_by_text("Add a comment").click()
    question.get_by_label("Your comment").fill("x")
    question.get_by_role("button", name="Comment").click()
    expect(page.locator("#flash .message.error")).to_be_visible()
    expect(question.locator(".comment")).to_have_count(0)
    question.get_by_label("Your comment").fill("Which Python version are you on?")
    question.get_by_role("button", name="Comment").click()
    expect(question.locator(".comment")).to_contain_text("Which Python version are you on?")
    # Keyboard focus lands back on "Add a comment", not on the page's <body>.
    expect(question.get_by_text("Add a comment")).to_be_focused()
    assert_same_document(page)

    log_out(page)
    log_in(page, "asker")
    page.goto(question_url)
    mark_document(page)
    page.get_by_role("button", name="Accept this answer").click()
    expect(page.locator("article.answer.is-accepted")).to_have_count(1)
    expect(page.get_by_role("button", name="Accepted answer. Press to unaccept")).to_be_focused()
    expect(page.locator("article.answer.is-accepted")).to_contain_text("Accepted by the asker")
    assert_same_document(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Questions").click()
    row = page.locator(".question-row", has_text=QUESTION_TITLE)
    expect(row.locator(".stat.accepted")).to_contain_text("1 answer")
    expect(row.locator(".stat").first).to_contain_text("1 vote")

    asked = Post.objects.get(title=QUESTION_TITLE)
    assert asked.accepted_answer is not None
    assert asked.accepted_answer.author.username == "helper"


def test_vote_buttons_and_ask_form_are_reachable_and_usable_by_keyboard(page, login_as):
    question = QuestionFactory()
    voter = UserFactory(reputation=1000)
    login_as(page, voter)
    page.goto(question.get_absolute_url())

    def tab_to(selector: str, limit: int = 60) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"{selector} is not reachable with Tab")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()

    mark_document(page)
    tab_to("article.question .vote-up")
    page.keyboard.press("Enter")
    expect(page.locator("article.question .score")).to_have_text("1")
    # The swapped-in button keeps the focus, so the keyboard user carries on from there.
    expect(page.get_by_role("button", name="Withdraw up vote")).to_be_focused()
    # htmx wires up swapped-in forms after its settle delay; on a loaded machine a fast key
    # press can beat it (and falls back to a full-page submit), so wait for the wiring.
    page.wait_for_function(
        "() => { const f = document.querySelector('article.question .vote form');"
        " return !!(f && f['htmx-internal-data'] && f['htmx-internal-data'].initHash); }"
    )
    tab_to("article.question .vote-down")
    page.keyboard.press("Space")
    expect(page.locator("article.question .score")).to_have_text("-1")
    assert_same_document(page)

    page.goto("/questions/ask/")
    for field in ("#id_title", "#id_body", "#id_tags", "button[type=submit].primary"):
        tab_to(field)
    # The focus ring is visible: the focused button draws an outline.
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")


def test_the_theme_toggle_switches_to_dark_and_the_choice_survives_a_reload(page):
    page.goto("/")
    html = page.locator("html")
    expect(html).to_have_attribute("data-theme", "light")
    page.get_by_role("button", name="Switch between light and dark theme").click()
    expect(html).to_have_attribute("data-theme", "dark")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.reload()
    expect(html).to_have_attribute("data-theme", "dark")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == background
    page.get_by_role("button", name="Switch between light and dark theme").click()
    expect(html).to_have_attribute("data-theme", "light")


def test_a_phone_shows_the_list_and_a_question_without_sideways_scrolling(new_page):
    long_tag = "a-very-long-tag-name-for-testing"
    question = QuestionFactory(
        title="Why does " + "averyveryverylongunbrokenword" * 3 + " overflow the layout?",
        body="See this:\n\n```\n" + "x = 1  # " + "y" * 200 + "\n```\n\nAnd " + "z" * 120,
        tags=("python", long_tag, "reporting", "excel", "onboarding"),
    )
    AnswerFactory(question=question)
    page = new_page(viewport=MOBILE)

    def assert_no_horizontal_scroll() -> None:
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"page is {widths[0]}px wide on a {widths[1]}px screen"

    page.goto("/")
    expect(page.locator(".question-row")).to_have_count(1)
    assert_no_horizontal_scroll()
    page.goto(question.get_absolute_url())
    expect(page.locator("article.answer")).to_have_count(1)
    assert_no_horizontal_scroll()
