"""axe-core in Chromium on the main pages, light and dark: no serious or critical violations."""

import pytest
from playwright.sync_api import expect

from knowhow.accounts.services import api_token_create, profile_update
from knowhow.core.tests.browser import AXE_COLOUR_RULES, MOBILE
from knowhow.core.tests.factories import (
    AnswerFactory,
    QuestionFactory,
    SpaceFactory,
    UserFactory,
    add_member,
)
from knowhow.qa import services as qa
from knowhow.qa.models import Tag

pytestmark = pytest.mark.e2e

RICH_BODY = """Our monthly report needs **bold** totals, `inline code`, a [link](https://example.com)
and this table:

| month | total |
| --- | ---: |
| May | 1,204 |

> A quoted note from finance.

```python
def total(rows):
    return sum(r["amount"] for r in rows)  # keep it simple
```
"""


@pytest.fixture
def site():
    """A small site with every kind of content the main pages show."""
    staff = UserFactory(username="staffer", is_staff=True)
    asker = UserFactory(
        username="asker", display_name="Asker Person", job_title="Analyst", reputation=1000
    )
    viewer = UserFactory(username="viewer", display_name="Viewer Person", reputation=1000)
    profile_update(
        user=viewer,
        display_name="Viewer Person",
        job_title="Developer",
        department="Engineering",
        bio="I know *Python* and `SQL`.",
    )
    private = SpaceFactory(private=True, name="Finance team", slug="finance")
    add_member(private, viewer)
    question = QuestionFactory(
        author=asker, title="How do I total a column in the report?", body=RICH_BODY,
        tags=("reporting", "python"),
    )  # fmt: skip
    QuestionFactory(author=viewer, space=private, title="Where is the budget template kept?")
    answer = AnswerFactory(question=question, author=viewer, body="Use `sum()` over the rows.")
    AnswerFactory(question=question, body="Or let the database add it up with SQL.")
    qa.answer_accept(answer=answer, by=asker)
    qa.post_edit(
        post=question,
        by=asker,
        title=question.title + " quickly",
        body=RICH_BODY + "\nEdit: the report is the monthly sales one.",
        tags=["reporting", "python", "excel"],
        summary="Said which report",
    )
    qa.vote_cast(post=question, user=viewer, value=1)
    qa.comment_add(post=question, author=viewer, body="Which report do you mean?")
    qa.comment_add(post=answer, author=asker, body="Thanks, that worked.")
    qa.tag_follow(user=viewer, tag=Tag.objects.get(name="python"))
    qa.tag_update_description(
        tag=Tag.objects.get(name="reporting"),
        by=staff,
        excerpt="Building, scheduling and sharing reports.",
        description="Building and **sharing** reports.",
    )
    api_token_create(user=viewer, name="reporting script")
    return {"question": question, "viewer": viewer, "asker": asker, "space": private}


def pages_to_check(site) -> list[tuple[str, str | None]]:
    """(path, who is logged in) for every main page; a visitor sees fewer controls, so the
    pages that differ most for one are checked both ways."""
    question_url = site["question"].get_absolute_url()
    return [
        ("/", None),
        (question_url, None),
        ("/accounts/signup/", None),
        ("/accounts/login/", None),
        (site["viewer"].get_absolute_url(), None),
        ("/", "viewer"),
        ("/questions/?sort=unanswered", "viewer"),
        (question_url, "viewer"),
        (question_url, "asker"),
        ("/questions/ask/", "viewer"),
        ("/tags/", "viewer"),
        ("/tags/reporting/", "viewer"),
        ("/accounts/profile/", "viewer"),
        ("/accounts/tokens/", "viewer"),
        ("/spaces/", "viewer"),
        (site["space"].get_absolute_url(), "viewer"),
        ("/search/?q=report", "viewer"),
        (f"/posts/{site['question'].pk}/revisions/", None),
        (f"/posts/{site['question'].pk}/revisions/2/", None),
        (f"/posts/{site['question'].pk}/edit/", "asker"),
    ]


def switch_to_dark(page) -> None:
    """What the theme toggle does (tested on its own): the stylesheet follows data-theme."""
    page.evaluate("document.documentElement.setAttribute('data-theme', 'dark')")


def format_violations(found: dict[str, list[dict]]) -> str:
    lines = []
    for where, violations in found.items():
        for v in violations:
            lines.append(f"{where}: [{v['impact']}] {v['id']}: {v['help']}")
            lines.extend(f"    {node}" for node in v["nodes"][:5])
    return "\n".join(lines)


def test_main_pages_have_no_serious_accessibility_violations_in_light_or_dark(
    new_page, login_as, axe, site
):
    as_visitor = new_page()
    as_member = {"viewer": new_page(), "asker": new_page()}
    for who, page in as_member.items():
        login_as(page, site[who])
    found = {}
    for path, who in pages_to_check(site):
        page = as_member[who] if who else as_visitor
        response = page.goto(path)
        assert response is not None and response.ok, f"{path} answered {response.status}"
        expect(page.locator("html")).to_have_attribute("data-theme", "light")
        if violations := axe(page):
            found[f"{path} ({who or 'visitor'}, light)"] = violations
        # The markup is the same in both themes: dark needs only the colour rules again.
        switch_to_dark(page)
        if violations := axe(page, rules=AXE_COLOUR_RULES):
            found[f"{path} ({who or 'visitor'}, dark)"] = violations
    assert not found, "axe-core found problems:\n" + format_violations(found)


def test_forms_with_errors_and_the_open_menu_are_accessible(new_page, login_as, axe, site):
    page = new_page()

    def check(what: str) -> None:
        assert axe(page) == [], f"{what} (light)"
        switch_to_dark(page)
        assert axe(page, rules=AXE_COLOUR_RULES) == [], f"{what} (dark)"

    page.goto("/accounts/signup/")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".field-error").first).to_be_visible()
    check("sign-up with errors")

    login_as(page, site["viewer"])
    page.goto("/questions/ask/")
    page.get_by_role("button", name="Post your question").click()
    expect(page.locator(".field-error").first).to_be_visible()
    check("ask form with errors")

    page.get_by_label("Account menu").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    check("account menu open")

    response = page.goto("/questions/999999/")
    assert response is not None and response.status == 404
    check("a page that does not exist")


def test_the_question_page_on_a_phone_in_dark_theme_is_accessible(new_page, login_as, axe, site):
    page = new_page(color_scheme="dark", viewport=MOBILE)
    login_as(page, site["viewer"])
    page.goto(site["question"].get_absolute_url())
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert axe(page) == []
