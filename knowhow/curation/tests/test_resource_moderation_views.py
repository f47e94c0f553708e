"""Resource flags in the pages and the API: the flag form, the review queue, decisions, refusals."""

import pytest
from django.urls import reverse

from knowhow.core.tests.factories import UserFactory, add_member
from knowhow.curation import services
from knowhow.moderation.models import Flag, ReviewQueue, ReviewTask


@pytest.fixture
def resource(curator, default_space):
    return services.resource_add(
        by=curator, space=default_space, url="https://example.com/a-guide", fetch=False
    )


def _flag_twice(resource, settings):
    settings.KNOWHOW_MODERATION = {"HIDE_SCORE": 1.0}
    for _ in range(2):
        services.resource_flag(resource=resource, user=UserFactory(reputation=400), reason="spam")
    return ReviewTask.objects.get(queue=ReviewQueue.FLAGGED, post=resource.post)


def test_the_flag_form_offers_link_reasons_and_explains_other(client, resource, user):
    client.force_login(user)
    page = client.get(reverse("curation:resource_detail", args=[resource.pk])).content.decode()
    assert 'value="broken"' in page and 'value="misleading"' in page and 'value="rude"' not in page
    url = reverse("curation:resource_flag", args=[resource.pk])
    assert client.post(url, {"reason": "other", "note": "bad"}).status_code == 400
    assert client.post(url, {"reason": "broken"}).status_code == 302
    assert Flag.objects.get(flagger=user).post_id == resource.post_id


def test_the_review_queue_shows_the_resource_and_a_reviewer_decides(client, resource, settings):
    task = _flag_twice(resource, settings)
    reviewer = UserFactory(reputation=400)
    client.force_login(reviewer)
    page = client.get(reverse("moderation:review_queue", args=["flagged"])).content.decode()
    assert resource.display_title in page and "Curated resource" in page
    assert 'value="edit"' not in page  # a resource is not edited on review
    link = reverse("curation:resource_for_post", args=[resource.post_id])
    assert link in page
    assert client.get(link)["Location"] == resource.get_absolute_url()
    response = client.post(
        reverse("moderation:review_decide", args=[task.pk]), {"decision": "disagree"}
    )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert not resource.is_hidden


def test_a_member_without_the_review_privilege_cannot_decide_in_the_page(
    client, resource, settings
):
    task = _flag_twice(resource, settings)
    client.force_login(UserFactory(reputation=200))
    decide = reverse("moderation:review_decide", args=[task.pk])
    assert client.post(decide, {"decision": "disagree"}).status_code == 403
    assert client.get(reverse("moderation:review_queue", args=["flagged"])).status_code == 403
    resource.refresh_from_db()
    assert resource.is_hidden


def test_the_flag_history_lists_resource_flags(client, resource, user):
    services.resource_flag(resource=resource, user=user, reason="misleading")
    client.force_login(user)
    mine = client.get("/api/v1/flags/mine").json()
    assert [(f["post_id"], f["reason"]) for f in mine] == [(resource.post_id, "misleading")]


def test_the_api_flags_and_reviews_a_resource_post(client, resource, settings):
    settings.KNOWHOW_MODERATION = {"HIDE_SCORE": 1.0}
    client.force_login(UserFactory(reputation=400))
    url = f"/api/v1/posts/{resource.post_id}/flags"
    bad = client.post(url, {"reason": "rude"}, content_type="application/json")
    assert bad.status_code == 400
    response = client.post(url, {"reason": "broken"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["post_hidden"] is True
    resource.refresh_from_db()
    assert resource.is_hidden
    client.force_login(UserFactory(reputation=400))
    tasks = client.get("/api/v1/review/queues/flagged").json()
    assert [t["post_id"] for t in tasks] == [resource.post_id]
    decided = client.post(
        f"/api/v1/review/tasks/{tasks[0]['id']}/decision",
        {"decision": "dismiss"},
        content_type="application/json",
    )
    assert decided.status_code == 200
    resource.refresh_from_db()
    assert not resource.is_hidden


def test_private_resources_stay_out_of_an_outsiders_queue_page(
    client, curator, private_space, settings
):
    add_member(private_space, curator)
    secret = services.resource_add(
        by=curator, space=private_space, url="https://example.com/secret", fetch=False
    )
    settings.KNOWHOW_MODERATION = {"HIDE_SCORE": 1.0}
    insider = UserFactory(reputation=400)
    add_member(private_space, insider)
    services.resource_flag(resource=secret, user=insider, reason="spam")
    task = ReviewTask.objects.get(post=secret.post)
    client.force_login(UserFactory(reputation=5000))
    page = client.get(reverse("moderation:review_queue", args=["flagged"])).content.decode()
    assert secret.display_title not in page
    assert (
        client.get(reverse("curation:resource_for_post", args=[secret.post_id])).status_code == 404
    )
    decide = reverse("moderation:review_decide", args=[task.pk])
    assert client.post(decide, {"decision": "disagree"}).status_code == 404
    assert client.get("/api/v1/review/queues/flagged").json() == []
