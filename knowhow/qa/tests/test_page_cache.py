"""The question page's cached thread: every write shows at once, controls and CSRF tokens stay
per viewer, visibility is checked on every request, and a cached page costs few queries."""

import re

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from knowhow.core.tests.factories import AnswerFactory, QuestionFactory, UserFactory, add_member
from knowhow.moderation import services as moderation
from knowhow.qa import services
from knowhow.qa.models import Comment, Post
from knowhow.reputation.privileges import thresholds
from knowhow.spaces.models import Space

pytestmark = pytest.mark.django_db

BODY = "A longer answer body that explains which setting to change and why it works."


def _page(client: Client, question: Post) -> str:
    response = client.get(question.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def answer(question, other_user):
    return AnswerFactory(question=question, author=other_user, body=BODY)


@pytest.fixture
def voter(db):
    return UserFactory(reputation=10_000)


def test_a_repeat_anonymous_view_is_one_query(client, question, answer, django_assert_num_queries):
    first = _page(client, question)
    with django_assert_num_queries(1):
        again = _page(client, question)
    assert "explains which setting" in again
    # Same page apart from the per-response CSRF token.
    strip = re.compile(r'"X-CSRFToken": "[^"]*"')
    assert strip.sub("", first) == strip.sub("", again)


def test_a_repeat_signed_in_view_is_a_few_queries(
    logged_in_client, question, answer, django_assert_max_num_queries
):
    _page(logged_in_client, question)
    # Session and user, the thread state, the viewer's votes.
    with django_assert_max_num_queries(4):
        assert "explains which setting" in _page(logged_in_client, question)


def test_a_first_view_stays_within_ten_queries(
    logged_in_client, client, question, answer, django_assert_max_num_queries
):
    services.comment_add(post=answer, author=answer.author, body="Which version is this about?")
    thresholds()  # cached per process for every page, not the question page's cost
    with django_assert_max_num_queries(10):
        _page(client, question)
    with django_assert_max_num_queries(10):
        _page(logged_in_client, question)


def _edit_question(question, answer, staff):
    services.post_edit(
        post=question, by=question.author, body=question.body + " Edited: now on v2."
    )
    return "Edited: now on v2."


def _new_answer(question, answer, staff):
    AnswerFactory(question=question, body="A second answer: restart the scheduler service first.")
    return "restart the scheduler service"


def _edit_answer(question, answer, staff):
    services.post_edit(post=answer, by=answer.author, body=BODY + " Update: fixed in 2.1.")
    return "Update: fixed in 2.1."


def _vote(question, answer, staff):
    services.vote_cast(post=answer, user=UserFactory(reputation=10_000), value=1)
    return '<span class="score">1</span>'


def _comment(question, answer, staff):
    services.comment_add(post=answer, author=answer.author, body="Also works on the beta build.")
    return "Also works on the beta build."


def _accept(question, answer, staff):
    services.answer_accept(answer=answer, by=question.author)
    return "Accepted by the asker"


def _close(question, answer, staff):
    # Another app's direct write, with no Q&A signal: the fingerprint still changes.
    Post.objects.filter(pk=question.pk).update(closed_at=timezone.now(), close_reason="duplicate")
    return "Closed <time"


def _lock(question, answer, staff):
    moderation.post_lock(post=answer, by=staff, locked=True, reason="Heated.")
    return "Unlock"  # the moderator's control, shown to the staff viewer below


@pytest.mark.parametrize(
    "write", [_edit_question, _new_answer, _edit_answer, _vote, _comment, _accept, _close, _lock]
)
def test_every_write_to_the_thread_shows_on_the_next_view(client, question, answer, staff, write):
    viewer = Client()
    viewer.force_login(staff)
    before_anonymous, before_staff = _page(client, question), _page(viewer, question)
    expected = write(question, answer, staff)
    assert expected not in (before_staff if write is _lock else before_anonymous)
    assert expected in _page(viewer, question)
    if write is not _lock:
        assert expected in _page(client, question)


def test_deleting_a_comment_or_hiding_an_answer_shows_at_once(client, question, answer, staff):
    comment = services.comment_add(post=answer, author=answer.author, body="Obsolete remark here.")
    assert "Obsolete remark here." in _page(client, question)
    services.comment_delete(comment=comment, by=answer.author)
    assert not Comment.objects.filter(pk=comment.pk, is_deleted=False).exists()
    assert "Obsolete remark here." not in _page(client, question)
    moderation.post_set_hidden(post=answer, by=staff, hidden=True, reason="Spam.")
    assert "explains which setting" not in _page(client, question)


def test_a_viewer_sees_their_own_votes_and_controls_not_someone_elses(
    question, answer, voter, other_user
):
    services.vote_cast(post=answer, user=voter, value=1)
    voting, author, anonymous = Client(), Client(), Client()
    voting.force_login(voter)
    author.force_login(other_user)
    for _ in range(2):  # the second round is served from the cache
        mine = _page(voting, question)
        assert re.search(rf'id="vote-up-{answer.pk}"[^>]*aria-pressed="true"', mine)
        theirs = _page(author, question)
        # The answer's author cannot vote on it, but may edit and delete it.
        assert f'id="vote-up-{answer.pk}"' not in theirs
        assert f'action="/posts/{answer.pk}/delete/"' in theirs or "Delete</button>" in theirs
        assert "Delete</button>" not in _page(anonymous, question)


def test_each_response_carries_its_own_csrf_token(question, answer, voter):
    first, second = Client(), Client()
    first.force_login(voter)
    second.force_login(UserFactory(reputation=10_000))
    pages = [_page(first, question), _page(second, question), _page(first, question)]
    for page in pages:
        assert "knowhow-csrf-placeholder" not in page
        assert re.search(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"', page)
    # A vote posted with the token from a cached page is accepted.
    token = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', pages[2])[0]
    first_csrf = Client(enforce_csrf_checks=True)
    first_csrf.cookies = first.cookies
    response = first_csrf.post(
        f"/posts/{answer.pk}/vote/", {"value": "-1", "csrfmiddlewaretoken": token}
    )
    assert response.status_code in (200, 302), response.content[:300]


def test_visibility_is_checked_on_every_request(client, question, answer):
    assert "explains which setting" in _page(client, question)
    Space.objects.filter(pk=question.space_id).update(visibility=Space.Visibility.PRIVATE)
    assert client.get(question.get_absolute_url()).status_code == 404


def test_a_hidden_question_cached_for_its_author_stays_hidden_from_others(client, question, staff):
    moderation.post_set_hidden(post=question, by=staff, hidden=True, reason="Spam.")
    author = Client()
    author.force_login(question.author)
    assert "pending review" in _page(author, question) or "Hidden:" in _page(author, question)
    assert client.get(question.get_absolute_url()).status_code == 404


def test_a_private_question_is_not_served_from_a_members_cache(question, private_space):
    member = UserFactory()
    add_member(private_space, member)
    secret = QuestionFactory(space=private_space, title="Secret reorganisation plan for Q3")
    inside = Client()
    inside.force_login(member)
    assert "Secret reorganisation plan" in _page(inside, secret)
    outsider = Client()
    outsider.force_login(UserFactory())
    assert outsider.get(secret.get_absolute_url()).status_code == 404
    assert Client().get(secret.get_absolute_url()).status_code == 404


# --- The whole page for anonymous visitors ---------------------------------------------------


def _anonymous(address: str = "203.0.113.7") -> Client:
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT="test-agent")


def test_a_repeat_anonymous_view_is_served_without_rendering(question, answer):
    visitor = _anonymous()
    first = visitor.get(question.get_absolute_url())
    assert first.templates  # rendered once
    again = visitor.get(question.get_absolute_url())
    assert again.status_code == 200
    assert again.templates == []  # from the page cache: no template rendered
    assert again.content == first.content


def test_an_anonymous_page_sets_no_cookie_and_keeps_the_headers(question, answer):
    visitor = _anonymous()
    responses = [visitor.get(question.get_absolute_url()) for _ in range(2)]
    for response in responses:
        assert response.cookies == {}  # no session, no CSRF cookie: nothing on it posts
        assert "Cookie" in response["Vary"]
        assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
        assert "default-src" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["Content-Type"] == "text/html; charset=utf-8"
        body = response.content.decode()
        assert "knowhow-" not in body.replace("knowhow/", "")  # no placeholder left
        assert '"X-CSRFToken": ""' in body
    assert sorted(responses[0].headers.items()) == sorted(responses[1].headers.items())


def test_the_cached_anonymous_page_counts_and_shows_every_new_view(question, answer):
    Post.objects.filter(pk=question.pk).update(view_count=998)
    _anonymous("203.0.113.1").get(question.get_absolute_url())
    second = _page(_anonymous("203.0.113.2"), question)
    third = _page(_anonymous("203.0.113.2"), question)  # the same viewer again: not counted
    assert "1,000 times" in second and "1,000 times" in third
    question.refresh_from_db()
    assert question.view_count == 1000
    Post.objects.filter(pk=question.pk).update(view_count=0)
    assert "Viewed</span> 1 time<" in _page(_anonymous("203.0.113.3"), question)


def test_a_signed_in_person_is_never_served_the_anonymous_page(logged_in_client, question, answer):
    anonymous = _anonymous()
    _page(anonymous, question)
    _page(anonymous, question)
    mine = _page(logged_in_client, question)
    assert "Log out</button>" in mine and "Your answer" in mine
    assert re.search(r'"X-CSRFToken": "[A-Za-z0-9]{64}"', mine)
    assert "Log out</button>" not in _page(anonymous, question)


def test_a_pending_message_is_shown_and_not_cached(client, question, answer):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory

    _page(client, question)
    storage = CookieStorage(RequestFactory().get("/"))
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "You signed out.")])
    assert "You signed out." in _page(client, question)
    assert "You signed out." not in _page(client, question)
    assert "You signed out." not in _page(_anonymous(), question)


def test_the_login_link_keeps_the_query_string(client, question, answer):
    url = question.get_absolute_url()
    _page(client, question)
    response = client.get(url + "?utm=x")
    assert f"?next={url}%3Futm%3Dx" in response.content.decode()


def _hide_question(question, staff):
    moderation.post_set_hidden(post=question, by=staff, hidden=True, reason="Spam.")


def _delete_question(question, staff):
    services.post_delete(post=question, by=staff)


def _private_space(question, staff):
    Space.objects.filter(pk=question.space_id).update(visibility=Space.Visibility.PRIVATE)


@pytest.mark.parametrize("write", [_hide_question, _delete_question, _private_space])
def test_a_cached_anonymous_page_is_gone_once_the_question_is_not_public(
    client, question, answer, staff, write
):
    _page(client, question)
    _page(client, question)
    write(question, staff)
    assert client.get(question.get_absolute_url()).status_code == 404


def test_hiding_an_answer_and_a_bounty_show_to_anonymous_visitors_at_once(
    client, question, answer, staff
):
    import datetime

    from knowhow.reputation.bounties import bounty_offer

    Post.objects.filter(pk=question.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )
    question.refresh_from_db()
    assert "explains which setting" in _page(client, question)
    moderation.post_set_hidden(post=answer, by=staff, hidden=True, reason="Spam.")
    assert "explains which setting" not in _page(client, question)
    question.author.reputation = 500
    question.author.save(update_fields=["reputation"])
    bounty_offer(question=question, by=question.author, amount=100, reason="Needs a reference")
    assert "data-bounty" in _page(client, question)


def test_a_repeat_anonymous_view_of_a_new_viewer_is_a_few_queries(
    question, answer, django_assert_max_num_queries
):
    _page(_anonymous("203.0.113.1"), question)
    # The thread state, then counting the view: the update, the day's row, the view event.
    with django_assert_max_num_queries(4):
        _page(_anonymous("203.0.113.9"), question)


# --- The whole page for a signed-in person ---------------------------------------------------


def test_a_repeat_signed_in_view_is_served_without_rendering(
    logged_in_client, question, answer, django_assert_num_queries
):
    first = logged_in_client.get(question.get_absolute_url())
    assert first.templates  # rendered once
    # The user (the session comes from the cache) and the thread state.
    with django_assert_num_queries(2):
        again = logged_in_client.get(question.get_absolute_url())
    assert again.templates == []
    strip = re.compile(r'(value="|"X-CSRFToken": ")[A-Za-z0-9]{64}"')
    assert strip.sub("", again.content.decode()) == strip.sub("", first.content.decode())


def test_a_signed_in_page_is_never_served_to_another_person(question, answer, user, other_user):
    mine, theirs = Client(), Client()
    mine.force_login(user)
    theirs.force_login(other_user)
    for _ in range(2):
        assert f"Your profile ({user.name})" in _page(mine, question)
        assert f"Your profile ({other_user.name})" in _page(theirs, question)


def test_a_change_to_the_persons_row_shows_on_the_next_view(logged_in_client, question, user):
    _page(logged_in_client, question)
    _page(logged_in_client, question)
    user.display_name = "Renamed Person"
    user.save(update_fields=["display_name"])
    assert "Your profile (Renamed Person)" in _page(logged_in_client, question)


def test_a_signed_in_pending_message_is_shown_once(logged_in_client, question, answer):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage

    _page(logged_in_client, question)
    _page(logged_in_client, question)
    storage = CookieStorage(RequestFactory().get("/"))
    logged_in_client.cookies["messages"] = storage._encode(
        [Message(constants.SUCCESS, "Profile saved.")]
    )
    assert "Profile saved." in _page(logged_in_client, question)
    assert "Profile saved." not in _page(logged_in_client, question)


def test_a_sanctioned_person_sees_the_banner_on_every_view(logged_in_client, question, user, staff):
    _page(logged_in_client, question)
    _page(logged_in_client, question)
    moderation.sanction_apply(
        user=user, by=staff, kind="silence", reason="Repeated rude comments.", days=3
    )
    for _ in range(2):
        assert "Your account is silenced" in _page(logged_in_client, question)
