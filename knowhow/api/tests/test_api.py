"""The public API: happy paths, refusals and bad input per endpoint, tokens, errors, caching."""

import re

import pytest
from django.test import Client

from knowhow.accounts.services import api_token_create, api_token_revoke
from knowhow.core.tests.factories import (
    AnswerFactory,
    QuestionFactory,
    SpaceFactory,
    UserFactory,
    add_member,
)
from knowhow.qa.models import Post, Tag, TagFollow
from knowhow.qa.services import comment_add

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
BODY = "A body that is comfortably longer than the minimum length."


def problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    data = response.json()
    assert data["status"] == status
    assert data["title"] and data["detail"] and data["type"].startswith("/api/v1/problems/")
    return data


# --- questions ------------------------------------------------------------------------------


def test_list_questions_is_paginated_and_filtered(anon, default_space):
    for i in range(3):
        QuestionFactory(title=f"Question number {i} about testing", tags=("testing",))
    QuestionFactory(title="Something else entirely here", tags=("other",))
    response = anon.get("/api/v1/questions", {"page_size": 2, "tag": "testing"})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3 and data["num_pages"] == 2 and len(data["results"]) == 2
    assert data["next"].endswith("page=2") and data["previous"] is None
    first = data["results"][0]
    assert {"id", "title", "tags", "author", "source", "source_id", "url"} <= set(first)
    past = anon.get("/api/v1/questions", {"page": 9}).json()
    assert past["results"] == [] and past["count"] == 4


def test_list_questions_refuses_bad_parameters(anon):
    data = problem(anon.get("/api/v1/questions", {"sort": "sideways"}), 422)
    assert data["errors"]
    problem(anon.get("/api/v1/questions", {"page_size": 1000}), 422)
    problem(anon.get("/api/v1/questions", {"space": "no-such-space"}), 404)


def test_list_questions_uses_a_fixed_number_of_queries(anon, django_assert_num_queries):
    for _ in range(5):
        q = QuestionFactory(tags=("alpha", "beta"))
        AnswerFactory(question=q)
    # count, page with author and space, tags
    with django_assert_num_queries(3):
        response = anon.get("/api/v1/questions")
    assert len(response.json()["results"]) == 5


def test_question_list_hides_private_spaces(anon, api, user):
    private = SpaceFactory(private=True)
    QuestionFactory(space=private, title="Secret reorganisation plan")
    QuestionFactory(title="Public lunch menu question")
    titles = [q["title"] for q in anon.get("/api/v1/questions").json()["results"]]
    assert titles == ["Public lunch menu question"]
    assert len(api.get("/questions").json()["results"]) == 1
    add_member(private, user)
    assert len(api.get("/questions").json()["results"]) == 2


def test_question_detail_and_private_question_is_not_found(anon, question):
    data = anon.get(f"/api/v1/questions/{question.pk}").json()
    assert data["title"] == question.title and data["body_html"]
    secret = QuestionFactory(space=SpaceFactory(private=True))
    problem(anon.get(f"/api/v1/questions/{secret.pk}"), 404)
    problem(anon.get("/api/v1/questions/999999"), 404)
    problem(anon.get("/api/v1/questions/0"), 422)


def test_ask_a_question_with_a_token(api, user):
    response = api.post(
        "/questions", {"title": "How do I rotate my API token?", "body": BODY, "tags": ["api"]}
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["author"]["id"] == user.pk and data["tags"] == ["api"]
    assert Post.objects.filter(pk=data["id"], author=user).exists()


def test_asking_needs_authentication(anon):
    data = problem(
        anon.post(
            "/api/v1/questions",
            {"title": "A fine title here", "body": BODY, "tags": ["x"]},
            content_type="application/json",
        ),
        401,
    )
    assert data["code"] == "not_authenticated"


def test_asking_with_bad_input_names_the_field(api):
    data = problem(api.post("/questions", {"title": "Short", "body": BODY, "tags": ["x"]}), 400)
    assert data["field"] == "title"
    problem(api.post("/questions", {"title": "No body given at all"}), 422)
    problem(
        api.post("/questions", {"title": "Nul \x00 title here", "body": BODY, "tags": ["x"]}), 422
    )
    problem(
        api.post(
            "/questions",
            {"title": "A fine title here", "body": BODY, "tags": ["x"], "space": "nope"},
        ),
        404,
    )


def test_asking_in_a_private_space_needs_membership(api, user):
    private = SpaceFactory(private=True)
    payload = {
        "title": "A question for the team",
        "body": BODY,
        "tags": ["x"],
        "space": private.slug,
    }
    problem(api.post("/questions", payload), 404)
    add_member(private, user)
    assert api.post("/questions", payload).status_code == 201


def test_edit_a_question(api, question, user):
    response = api.patch(f"/questions/{question.pk}", {"title": "An edited, better title"})
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "An edited, better title"
    assert len(api.get(f"/posts/{question.pk}/revisions").json()) == 2


def test_editing_someone_elses_question_is_refused(api):
    other = QuestionFactory()
    problem(api.patch(f"/questions/{other.pk}", {"body": BODY + " more"}), 403)


def test_editing_without_changes_is_refused(api, question):
    problem(api.patch(f"/questions/{question.pk}", {}), 400)


# --- answers, comments, votes, accept -------------------------------------------------------


def test_answer_list_and_post(api, anon, question):
    other = QuestionFactory()
    response = api.post(f"/questions/{other.pk}/answers", {"body": BODY})
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["question_id"] == other.pk and answer["is_accepted"] is False
    listed = anon.get(f"/api/v1/questions/{other.pk}/answers").json()
    assert listed["count"] == 1 and listed["num_pages"] == 1
    assert [a["id"] for a in listed["results"]] == [answer["id"]]
    assert anon.get(f"/api/v1/answers/{answer['id']}").json()["body"] == BODY
    problem(api.post(f"/questions/{other.pk}/answers", {"body": "short"}), 400)
    problem(anon.get(f"/api/v1/answers/{other.pk}"), 404)


def test_answering_needs_authentication(anon, question):
    problem(
        anon.post(
            f"/api/v1/questions/{question.pk}/answers",
            {"body": BODY},
            content_type="application/json",
        ),
        401,
    )


def test_edit_an_answer(api, user, question):
    answer = AnswerFactory(question=question, author=user)
    response = api.patch(f"/answers/{answer.pk}", {"body": BODY + " Edited."})
    assert response.status_code == 200
    someone_elses = AnswerFactory(question=question)
    problem(api.patch(f"/answers/{someone_elses.pk}", {"body": BODY + " Edited."}), 403)


def test_comments(api, anon, question):
    response = api.post(f"/posts/{question.pk}/comments", {"body": "Which version is this?"})
    assert response.status_code == 201, response.content
    comment = response.json()
    listed = anon.get(f"/api/v1/posts/{question.pk}/comments").json()
    assert [c["id"] for c in listed["results"]] == [comment["id"]]
    problem(api.post(f"/posts/{question.pk}/comments", {"body": " "}), 400)
    other = UserFactory()
    _, raw = api_token_create(user=other, name="t")
    response = anon.delete(
        f"/api/v1/comments/{comment['id']}", headers={"Authorization": f"Bearer {raw}"}
    )
    problem(response, 403)
    assert api.delete(f"/comments/{comment['id']}").status_code == 204


def test_votes(api, user):
    post = QuestionFactory()
    response = api.put(f"/posts/{post.pk}/vote", {"value": 1})
    assert response.status_code == 200
    assert response.json() == {
        "post_id": post.pk,
        "score": 1,
        "up_votes": 1,
        "down_votes": 0,
        "my_vote": 1,
    }
    assert api.put(f"/posts/{post.pk}/vote", {"value": 0}).json()["score"] == 0
    problem(api.put(f"/posts/{post.pk}/vote", {"value": 5}), 422)
    own = QuestionFactory(author=user)
    assert (
        problem(api.put(f"/posts/{own.pk}/vote", {"value": 1}), 403)["code"] == "permission_denied"
    )


def test_accept_and_unaccept(api, question):
    answer = AnswerFactory(question=question)
    response = api.post(f"/answers/{answer.pk}/accept")
    assert response.json() == {"question_id": question.pk, "accepted_answer_id": answer.pk}
    assert api.delete(f"/answers/{answer.pk}/accept").json()["accepted_answer_id"] is None


def test_only_the_asker_may_accept(api):
    other_question = QuestionFactory()
    answer = AnswerFactory(question=other_question)
    problem(api.post(f"/answers/{answer.pk}/accept"), 403)
    problem(api.post(f"/answers/{other_question.pk}/accept"), 404)


def test_delete_a_post(api, question):
    assert api.delete(f"/posts/{question.pk}").status_code == 204
    other = QuestionFactory()
    problem(api.delete(f"/posts/{other.pk}"), 403)


def test_revisions_of_a_private_post_are_not_visible(anon):
    secret = QuestionFactory(space=SpaceFactory(private=True))
    problem(anon.get(f"/api/v1/posts/{secret.pk}/revisions"), 404)
    problem(anon.get(f"/api/v1/posts/{secret.pk}/comments"), 404)


# --- imported content -----------------------------------------------------------------------


def test_lookup_by_source(anon, question):
    Post.objects.filter(pk=question.pk).update(source="stackexchange:ai", source_id=42)
    data = anon.get(
        "/api/v1/posts/by-source", {"source": "stackexchange:ai", "source_id": 42}
    ).json()
    assert data["id"] == question.pk and data["post_type"] == "question"
    listed = anon.get("/api/v1/questions", {"source": "stackexchange:ai", "source_id": 42}).json()
    assert [q["id"] for q in listed["results"]] == [question.pk]
    assert listed["results"][0]["source_id"] == 42
    problem(
        anon.get("/api/v1/posts/by-source", {"source": "stackexchange:ai", "source_id": 43}), 404
    )
    problem(anon.get("/api/v1/posts/by-source", {"source": "x"}), 422)


def test_lookup_by_source_respects_visibility(anon):
    secret = QuestionFactory(space=SpaceFactory(private=True))
    Post.objects.filter(pk=secret.pk).update(source="import", source_id=7)
    problem(anon.get("/api/v1/posts/by-source", {"source": "import", "source_id": 7}), 404)


def test_users_lookup_by_source(anon, user):
    type(user).objects.filter(pk=user.pk).update(source="stackexchange:ai", source_id=9)
    data = anon.get("/api/v1/users", {"source": "stackexchange:ai", "source_id": 9}).json()
    assert [u["id"] for u in data["results"]] == [user.pk]
    assert anon.get(f"/api/v1/users/{user.pk}").json()["source_id"] == 9
    problem(anon.get("/api/v1/users/987654"), 404)


# --- tags, users, spaces, search ------------------------------------------------------------


def test_tags_list_detail_and_follow(api, anon, user, question):
    data = anon.get("/api/v1/tags").json()
    assert [t["name"] for t in data["results"]] == ["reporting"]
    assert anon.get("/api/v1/tags/reporting").json()["question_count"] == 1
    problem(anon.get("/api/v1/tags/Not A Tag"), 422)
    problem(anon.get("/api/v1/tags/unknown"), 404)
    assert api.put("/tags/reporting/follow").status_code == 204
    assert TagFollow.objects.filter(user=user, tag__name="reporting").exists()
    assert [t["name"] for t in api.get("/users/me/followed-tags").json()] == ["reporting"]
    assert api.delete("/tags/reporting/follow").status_code == 204
    assert not TagFollow.objects.filter(user=user).exists()
    problem(anon.put("/api/v1/tags/reporting/follow", content_type="application/json"), 401)


def test_me_needs_authentication(api, anon, user):
    assert api.get("/users/me").json()["id"] == user.pk
    problem(anon.get("/api/v1/users/me"), 401)


def test_spaces_are_listed_by_visibility(anon, api, user, default_space):
    private = SpaceFactory(private=True)
    assert [s["slug"] for s in anon.get("/api/v1/spaces").json()] == [default_space.slug]
    problem(anon.get(f"/api/v1/spaces/{private.slug}"), 404)
    add_member(private, user)
    assert private.slug in [s["slug"] for s in api.get("/spaces").json()]
    assert api.get(f"/spaces/{private.slug}").json()["visibility"] == "private"


def test_search_endpoint(anon, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        QuestionFactory(title="Rotating kubernetes secrets", tags=("kubernetes",))
        QuestionFactory(
            title="Kubernetes secret in private space", space=SpaceFactory(private=True)
        )
    data = anon.get("/api/v1/search", {"q": "kubernetes"}).json()
    assert data["count"] == 1
    assert "<mark>" in data["results"][0]["title_html"]
    assert anon.get("/api/v1/search", {"q": '"unbalanced NEAR( *'}).status_code == 200
    problem(anon.get("/api/v1/search", {"sort": "nope"}), 422)
    problem(anon.get("/api/v1/search", {"created_from": "yesterday"}), 422)


# --- auth, errors, caching, limits ----------------------------------------------------------


def test_an_invalid_or_revoked_token_is_refused(anon, user):
    problem(anon.get("/api/v1/questions", headers={"Authorization": "Bearer kh_nope"}), 401)
    problem(anon.get("/api/v1/questions", headers={"Authorization": "Basic abc"}), 401)
    token, raw = api_token_create(user=user, name="old")
    api_token_revoke(user=user, token_id=token.pk)
    problem(anon.get("/api/v1/users/me", headers={"Authorization": f"Bearer {raw}"}), 401)


def test_session_writes_need_csrf(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    payload = {"title": "Session-authenticated question", "body": BODY, "tags": ["x"]}
    data = problem(client.post("/api/v1/questions", payload, content_type="application/json"), 403)
    assert data["code"] == "csrf_failed"
    client.get("/questions/")  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/questions", payload, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert response.status_code == 201, response.content
    assert client.get("/api/v1/users/me").json()["id"] == user.pk


def test_etag_and_not_modified(anon, question):
    first = anon.get(f"/api/v1/questions/{question.pk}")
    etag = first["ETag"]
    assert etag and "Authorization" in first["Vary"]
    again = anon.get(f"/api/v1/questions/{question.pk}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again["ETag"] == etag and again.content == b""
    Post.objects.filter(pk=question.pk).update(score=5)
    changed = anon.get(f"/api/v1/questions/{question.pk}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_writes_are_rate_limited_per_token(api, settings):
    settings.API_WRITE_LIMIT_PER_CALLER = 2
    question = QuestionFactory()
    for _ in range(2):
        assert api.put(f"/posts/{question.pk}/vote", {"value": 1}).status_code == 200
    response = api.put(f"/posts/{question.pk}/vote", {"value": 1})
    problem(response, 429)
    assert int(response["Retry-After"]) >= 1
    assert api.get(f"/questions/{question.pk}").status_code == 200  # reads are not limited


def test_writes_are_rate_limited_per_ip(anon, settings):
    """Several tokens from one address share the per-IP budget."""
    settings.API_WRITE_LIMIT_PER_IP = 3
    question = QuestionFactory()
    statuses = []
    for _ in range(4):
        _, raw = api_token_create(user=UserFactory(), name="t")
        response = anon.put(
            f"/api/v1/posts/{question.pk}/vote",
            {"value": 1},
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        )
        statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 429]
    assert response["Retry-After"]


def test_unknown_endpoints_answer_with_a_problem(anon):
    problem(anon.get("/api/v1/nothing/here"), 404)


def test_openapi_and_docs_load_nothing_from_elsewhere(anon):
    spec = anon.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/questions" in spec["paths"]
    error = spec["paths"]["/api/v1/questions"]["post"]["responses"]["401"]["content"]
    assert PROBLEM in error
    docs = anon.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert not re.findall(r"(?:src|href)=[\"']?(?:https?:)?//", html)


def test_the_footer_links_to_the_api_docs(anon):
    assert b'href="/api/v1/docs"' in anon.get("/questions/").content


def test_every_tag_in_an_answer_list_is_loaded_once(anon, question, django_assert_max_num_queries):
    for _ in range(3):
        AnswerFactory(question=question)
    assert Tag.objects.count() == 1
    with django_assert_max_num_queries(6):
        assert len(anon.get(f"/api/v1/questions/{question.pk}/answers").json()["results"]) == 3


def test_answer_lists_are_paginated_like_every_list(anon, question):
    """Accepted first then by score, across pages; past the last page the results are empty."""
    answers = [AnswerFactory(question=question) for _ in range(3)]
    for answer, score in zip(answers, (1, 5, 3), strict=True):
        Post.objects.filter(pk=answer.pk).update(score=score)
    Post.objects.filter(pk=question.pk).update(accepted_answer=answers[0])
    url = f"/api/v1/questions/{question.pk}/answers"
    first = anon.get(url, {"page_size": 2}).json()
    assert first["count"] == 3 and first["num_pages"] == 2 and first["previous"] is None
    assert [a["id"] for a in first["results"]] == [answers[0].pk, answers[1].pk]
    assert "page=2" in first["next"] and "page_size=2" in first["next"]
    second = anon.get(url, {"page_size": 2, "page": 2}).json()
    assert [a["id"] for a in second["results"]] == [answers[2].pk] and second["next"] is None
    assert anon.get(url, {"page": 9}).json()["results"] == []
    problem(anon.get(url, {"page_size": 101}), 422)
    problem(anon.get(url, {"page": 0}), 422)


def test_comment_lists_are_paginated_like_every_list(anon, question):
    comments = [
        comment_add(post=question, author=question.author, body=f"Comment number {i} here.")
        for i in range(3)
    ]
    url = f"/api/v1/posts/{question.pk}/comments"
    first = anon.get(url, {"page_size": 2}).json()
    assert first["count"] == 3 and first["num_pages"] == 2
    assert [c["id"] for c in first["results"]] == [c.pk for c in comments[:2]]
    second = anon.get(first["next"]).json()
    assert [c["id"] for c in second["results"]] == [comments[2].pk]
    problem(anon.get(url, {"page_size": 0}), 422)
