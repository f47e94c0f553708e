"""`core.csrf.response_token`: the same masked token as Django's `get_token`, from a buffer of
random bytes; Django's CSRF check accepts it, and refuses a wrong one."""

import re

from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_TOKEN_LENGTH,
    _get_new_csrf_string,
    _unmask_cipher_token,
)
from django.test import Client, RequestFactory

from knowhow.core.csrf import response_token


def _request_with_cookie(secret: str):
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = secret
    return request


def test_the_token_unmasks_to_the_cookies_secret_and_renews_the_cookie():
    secret = _get_new_csrf_string()
    request = _request_with_cookie(secret)
    token = response_token(request)
    assert len(token) == CSRF_TOKEN_LENGTH
    assert set(token) <= set(CSRF_ALLOWED_CHARS)
    assert _unmask_cipher_token(token) == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


def test_every_token_has_a_fresh_mask():
    request = _request_with_cookie(_get_new_csrf_string())
    tokens = {response_token(request) for _ in range(500)}  # crosses a buffer refill
    assert len(tokens) == 500
    assert len({t[:32] for t in tokens}) == 500


def test_without_a_cookie_a_secret_is_minted_as_django_does():
    request = RequestFactory().get("/")
    token = response_token(request)
    assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


def _token_on_the_question_page(client: Client, question) -> str:
    html = client.get(question.get_absolute_url()).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_post_with_a_cached_pages_token_passes_the_csrf_check(user, question):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    _token_on_the_question_page(client, question)
    token = _token_on_the_question_page(client, question)  # the cached page
    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_a_post_with_a_wrong_token_is_refused(user, question):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    _token_on_the_question_page(client, question)
    token = _token_on_the_question_page(client, question)
    wrong = token[:32] + ("a" if token[32] != "a" else "b") + token[33:]
    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": wrong})
    assert response.status_code == 403
