"""Following a question: the button on the question page, the API, and what following brings."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from knowhow.accounts.services import api_token_create
from knowhow.core.tests.factories import QuestionFactory, UserFactory
from knowhow.feed.models import Notification, QuestionFollow
from knowhow.qa.services import answer_post, comment_add


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # API rate-limit counters
    yield
    cache.clear()


def _bearer(user):
    return {"Authorization": f"Bearer {api_token_create(user=user, name='t')[1]}"}


def test_the_question_page_loads_the_button_and_it_follows_and_unfollows(client, user, question):
    client.force_login(user)
    page = client.get(question.get_absolute_url())
    url = reverse("feed:question_follow", args=[question.pk])
    assert f'hx-get="{url}"'.encode() in page.content
    button = client.get(url)
    assert b"Follow this question" in button.content and b'aria-pressed="false"' in button.content
    followed = client.post(url, {"follow": "1"}, headers={"HX-Request": "true"})
    assert b"Following this question" in followed.content
    assert QuestionFollow.objects.filter(user=user, question=question).exists()
    assert b'aria-pressed="true"' in client.get(url).content
    assert client.post(url, {"follow": "0"}).status_code == 302
    assert not QuestionFollow.objects.filter(user=user, question=question).exists()


def test_anonymous_visitors_get_no_button_and_cannot_follow(client, question):
    url = reverse("feed:question_follow", args=[question.pk])
    assert client.get(url).content == b""
    response = client.post(url)
    assert response.status_code == 302 and "login" in response["Location"]
    assert not QuestionFollow.objects.exists()


def test_the_page_refuses_a_question_you_cannot_see_and_non_questions(
    client, user, private_space, question
):
    client.force_login(user)
    secret = QuestionFactory(space=private_space)
    url = reverse("feed:question_follow", args=[secret.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    answer = answer_post(author=UserFactory(), question=question, body="An answer long enough.")
    assert client.post(reverse("feed:question_follow", args=[answer.pk])).status_code == 400
    assert not QuestionFollow.objects.filter(user=user).exists()


def test_the_api_follows_and_unfollows(client, user, question):
    headers = _bearer(user)
    path = f"/api/v1/questions/{question.pk}/follow"
    assert client.get(path, headers=headers).json() == {"following": False}
    assert client.put(path, headers=headers).status_code == 204
    assert client.put(path, headers=headers).status_code == 204  # idempotent
    assert client.get(path, headers=headers).json() == {"following": True}
    assert client.delete(path, headers=headers).status_code == 204
    assert client.get(path, headers=headers).json() == {"following": False}


def test_the_api_refuses_anonymous_unseen_and_unknown_questions(client, user, private_space):
    secret = QuestionFactory(space=private_space)
    assert client.put(f"/api/v1/questions/{secret.pk}/follow").status_code == 401
    headers = _bearer(user)
    assert client.put(f"/api/v1/questions/{secret.pk}/follow", headers=headers).status_code == 404
    assert client.get(f"/api/v1/questions/{secret.pk}/follow", headers=headers).status_code == 404
    assert client.put("/api/v1/questions/999999/follow", headers=headers).status_code == 404
    assert not QuestionFollow.objects.exists()


def test_following_brings_answer_and_comment_notifications(client, question, run_on_commit):
    follower = UserFactory()
    client.put(f"/api/v1/questions/{question.pk}/follow", headers=_bearer(follower))
    answer = run_on_commit(
        answer_post, author=UserFactory(), question=question, body="Here is how to do it well."
    )
    run_on_commit(comment_add, post=answer, author=UserFactory(), body="Worked for me as well.")
    kinds = set(Notification.objects.filter(recipient=follower).values_list("kind", flat=True))
    assert kinds == {"answer", "comment"}
