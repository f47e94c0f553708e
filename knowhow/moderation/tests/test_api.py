"""The moderation and reputation routers: happy paths, refusals and bad input."""

import pytest

from knowhow.core.tests.factories import AnswerFactory, QuestionFactory, UserFactory
from knowhow.moderation.models import ReviewTask
from knowhow.qa import services as qa

pytestmark = [pytest.mark.django_db, pytest.mark.urls("knowhow.moderation.tests.api_urls")]


def as_user(client, user):
    client.force_login(user)
    return client


def test_flag_then_review_through_the_api(client, question, reviewer):
    for _ in range(2):
        as_user(client, UserFactory(reputation=400))
        response = client.post(
            f"/api/posts/{question.pk}/flags", {"reason": "spam"}, content_type="application/json"
        )
        assert response.status_code == 201
    assert response.json()["post_hidden"] is True
    as_user(client, reviewer)
    assert client.get("/api/review/queues").json()["flagged"] == 1
    tasks = client.get("/api/review/queues/flagged").json()
    decided = client.post(
        f"/api/review/tasks/{tasks[0]['id']}/decision",
        {"decision": "disagree"},
        content_type="application/json",
    )
    assert decided.json()["status"] == "done"


def test_api_refusals_and_bad_input(client, question, new_user):
    url = f"/api/posts/{question.pk}/flags"
    assert client.post(url, {"reason": "spam"}, content_type="application/json").status_code == 403
    as_user(client, new_user)
    response = client.post(url, {"reason": "spam"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    as_user(client, UserFactory())
    response = client.post(url, {"reason": "whatever"}, content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "reason"
    assert client.post(url, {}, content_type="application/json").status_code == 422
    assert client.get("/api/review/queues").status_code == 403
    assert client.get("/api/review/queues/nope").status_code == 404


def test_close_and_reopen_through_the_api(client, question):
    original = QuestionFactory(title="The original question about CSV")
    for _ in range(3):
        as_user(client, UserFactory(reputation=500))
        response = client.post(
            f"/api/posts/{question.pk}/close-votes",
            {"reason": "duplicate", "duplicate_of": original.pk},
            content_type="application/json",
        )
    assert response.json()["close_reason"] == "duplicate"
    response = client.post(
        f"/api/posts/{question.pk}/close-votes",
        {"reason": "duplicate", "duplicate_of": 999999},
        content_type="application/json",
    )
    assert response.status_code == 400


def test_sanctions_appeal_and_audit_through_the_api(client, staff):
    person = UserFactory()
    as_user(client, staff)
    response = client.post(
        f"/api/users/{person.pk}/sanctions",
        {"kind": "suspend", "reason": "Posting spam links.", "days": 2},
        content_type="application/json",
    )
    assert response.status_code == 201
    sanction_id = response.json()["id"]
    assert (
        client.post(
            f"/api/users/{person.pk}/sanctions",
            {"kind": "suspend", "reason": "x"},
            content_type="application/json",
        ).status_code
        == 400
    )
    as_user(client, person)
    assert client.get("/api/sanctions/mine").json()[0]["kind"] == "suspend"
    assert (
        client.post(
            f"/api/users/{staff.pk}/sanctions",
            {"kind": "warn", "reason": "Revenge is sweet."},
            content_type="application/json",
        ).status_code
        == 403
    )
    appeal = client.post(
        f"/api/sanctions/{sanction_id}/appeal",
        {"text": "It was a mistake, sorry."},
        content_type="application/json",
    )
    assert appeal.json()["appeal_status"] == "pending"
    assert [e["action"] for e in client.get("/api/audit").json()] == ["appeal", "sanction"]
    as_user(client, staff)
    granted = client.post(
        f"/api/sanctions/{sanction_id}/appeal-decision",
        {"grant": True},
        content_type="application/json",
    )
    assert granted.json()["lifted_at"] is not None


def test_reputation_privileges_and_badges_through_the_api(client, question):
    answer = AnswerFactory(question=question)
    qa.vote_cast(post=answer, user=UserFactory(), value=1)
    data = client.get(f"/api/users/{answer.author.pk}/reputation").json()
    assert data["reputation"] == 210 and data["events"][0]["kind"] == "answer_upvoted"
    assert data["tags"] == [{"tag": "reporting", "score": 10}]
    assert client.get("/api/users/999999/reputation").status_code == 404
    privileges = client.get("/api/privileges").json()
    assert privileges[0]["privilege"] in ("vote_up", "flag") and not privileges[0]["held"]
    as_user(client, answer.author)
    assert client.get("/api/privileges").json()[0]["held"]
    badges = client.get(f"/api/users/{answer.author.pk}/badges").json()
    assert {b["slug"] for b in badges} >= {"first-answer", "teacher"}
    assert ReviewTask.objects.count() == 0


def test_my_flags_show_their_outcome(client, question, reviewer):
    flagger = UserFactory(reputation=400)
    as_user(client, flagger)
    client.post(
        f"/api/posts/{question.pk}/flags", {"reason": "rude"}, content_type="application/json"
    )
    mine = client.get("/api/flags/mine").json()
    assert [(f["post_id"], f["reason"], f["status"]) for f in mine] == [
        (question.pk, "rude", "pending")
    ]
    task = ReviewTask.objects.get(post=question, queue="flagged")
    from knowhow.moderation import services

    services.review_decide(task=task, reviewer=reviewer, decision="disagree")
    assert client.get("/api/flags/mine").json()[0]["status"] == "disagreed"
    client.logout()
    assert client.get("/api/flags/mine").status_code == 403
