"""Moderation and reputation pages: a happy path, a refusal and bad input for each."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from knowhow.core.tests.factories import QuestionFactory, UserFactory
from knowhow.moderation import services
from knowhow.moderation.models import Flag, ReviewQueue, ReviewTask, Sanction

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_flag_page_flags_refuses_new_users_and_explains_bad_input(
    client, question, member, new_user
):
    url = reverse("moderation:flag", args=[question.pk])
    login(client, member)
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "other", "text": ""})
    assert response.status_code == 400 and "10 characters" in response.content.decode()
    response = client.post(url, {"reason": "spam"})
    assert response.status_code == 302 and Flag.objects.filter(flagger=member).exists()
    login(client, new_user)
    assert client.post(url, {"reason": "spam"}).status_code == 403


def test_review_queue_pages(client, question, reviewer, new_user):
    for _ in range(2):
        services.flag_create(flagger=UserFactory(reputation=400), post=question, reason="spam")
    task = ReviewTask.objects.get(queue=ReviewQueue.FLAGGED)
    login(client, reviewer)
    assert "Flagged posts" in client.get(reverse("moderation:review_index")).content.decode()
    page = client.get(reverse("moderation:review_queue", args=["flagged"]))
    assert page.status_code == 200 and question.title in page.content.decode()
    assert client.get(reverse("moderation:review_queue", args=["nope"])).status_code == 404
    assert client.get(reverse("moderation:review_queue", args=["legal"])).status_code == 403
    decide = reverse("moderation:review_decide", args=[task.pk])
    assert client.post(decide, {"decision": "bogus"}).status_code == 400
    assert client.post(decide, {"decision": "disagree"}).status_code == 302
    assert not type(question).objects.get(pk=question.pk).is_hidden
    login(client, new_user)
    assert client.get(reverse("moderation:review_index")).status_code == 403


def test_close_page(client, question):
    voter = UserFactory(reputation=500)
    login(client, voter)
    url = reverse("moderation:close", args=[question.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "duplicate"}).status_code == 400
    assert client.post(url, {"reason": "off_topic"}).status_code == 302
    login(client, UserFactory())
    assert client.post(url, {"reason": "off_topic"}).status_code == 403


def test_sanction_and_appeal_pages(client, staff):
    person = UserFactory()
    url = reverse("moderation:sanction_user", args=[person.pk])
    login(client, person)
    assert client.get(url).status_code == 403
    login(client, staff)
    assert client.post(url, {"kind": "silence", "reason": "Too rude to others."}).status_code == 400
    assert (
        client.post(
            url, {"kind": "silence", "days": 2, "reason": "Too rude to others."}
        ).status_code
        == 302
    )
    sanction = Sanction.objects.get(user=person)
    login(client, person)
    record = client.get(reverse("moderation:my_record")).content.decode()
    assert "Too rude to others." in record and "Appeal" in record
    appeal = reverse("moderation:appeal", args=[sanction.pk])
    assert client.post(appeal, {"text": "short"}).status_code == 400
    assert client.post(appeal, {"text": "I was having a bad day, sorry."}).status_code == 302
    assert client.post(appeal, {"text": "I was having a bad day, sorry."}).status_code == 400
    # The silenced person is refused when asking, with the reason.
    response = client.post(
        reverse("qa:ask"),
        {
            "space": 1,
            "title": "Can I still ask things?",
            "body": "Trying to post while silenced.",
            "tags": "reporting",
        },
    )
    assert response.status_code in (400, 403)


def test_audit_log_page(client, staff, question):
    services.post_lock(post=question, by=staff, locked=True, reason="Edit war")
    login(client, staff)
    assert "Edit war" in client.get(reverse("moderation:audit_log")).content.decode()
    login(client, UserFactory())
    assert "Edit war" not in client.get(reverse("moderation:audit_log")).content.decode()


def test_privileges_reputation_and_badge_pages(client, question, new_user):
    assert client.get(reverse("reputation:privileges")).status_code == 302
    login(client, new_user)
    page = client.get(reverse("reputation:privileges")).content.decode()
    assert "Vote up" in page and "14 to go" in page
    page = client.get(reverse("reputation:detail", args=[question.author.pk]))
    assert page.status_code == 200
    assert client.get(reverse("reputation:detail", args=[999999])).status_code == 404
    assert "Quick draw" in client.get(reverse("reputation:badges")).content.decode()
    profile = client.get(question.author.get_absolute_url()).content.decode()
    assert "Student" in profile  # first-question badge on the profile


def test_question_page_shows_badges_by_authors_and_hidden_notice(client, question):
    for _ in range(2):
        services.flag_create(flagger=UserFactory(reputation=400), post=question, reason="rude")
    login(client, question.author)
    page = client.get(question.get_absolute_url(), follow=True).content.decode()
    assert "data-hidden-notice" in page and "badge-count tier-3" in page
    login(client, UserFactory())
    assert client.get(question.get_absolute_url(), follow=True).status_code == 404
    assert question.title not in client.get(reverse("qa:question_list")).content.decode()


def test_suggest_edit_page(client, question, reviewer):
    suggester = UserFactory(reputation=50)
    login(client, suggester)
    assert client.get(reverse("qa:post_edit", args=[question.pk])).status_code == 403
    url = reverse("qa:post_suggest_edit", args=[question.pk])
    assert "Suggest an edit" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "title": question.title,
            "body": "A much clearer question body.",
            "tags": "reporting",
            "summary": "clarity",
        },
    )
    assert response.status_code == 302
    assert ReviewTask.objects.filter(
        queue=ReviewQueue.SUGGESTED_EDIT, suggested_by=suggester
    ).exists()


def test_the_review_queue_reads_a_fixed_number_of_queries(client, reviewer):
    def flagged(n):
        for i in range(n):
            services.flag_create(
                flagger=reviewer,
                post=QuestionFactory(title=f"Queue question {i} {n}"),
                reason="spam",
            )
        login(client, reviewer)
        with CaptureQueriesContext(connection) as ctx:
            assert (
                client.get(reverse("moderation:review_queue", args=["flagged"])).status_code == 200
            )
        return len(ctx.captured_queries)

    one = flagged(1)
    assert flagged(5) == one


def test_flagging_a_comment_from_the_page(client, question, member):
    from knowhow.qa import services as qa

    comment = qa.comment_add(post=question, author=UserFactory(), body="Go away, nobody cares.")
    login(client, question.author)
    page = client.get(question.get_absolute_url(), follow=True).content.decode()
    assert f"?comment={comment.pk}" in page
    url = reverse("moderation:flag", args=[question.pk])
    response = client.post(url, {"reason": "rude", "comment": comment.pk})
    assert response.status_code == 302
    assert Flag.objects.get(comment=comment).flagger == question.author
    assert client.post(url, {"reason": "rude", "comment": 999999}).status_code == 404


def test_moderator_tools_privilege_opens_the_whole_audit_log(client, staff, question):
    services.post_lock(post=question, by=staff, locked=True, reason="Edit war")
    login(client, UserFactory(reputation=2000))
    assert "Edit war" in client.get(reverse("moderation:audit_log")).content.decode()


def test_moderator_tools_on_a_post(client, staff, question, default_space):
    url = reverse("moderation:post_moderate", args=[question.pk])
    login(client, UserFactory())
    assert client.post(url, {"action": "lock"}).status_code == 403
    login(client, staff)
    page = client.get(question.get_absolute_url(), follow=True).content.decode()
    assert 'value="lock"' in page and 'value="hide"' in page
    assert client.post(url, {"action": "explode"}).status_code == 400
    assert client.post(url, {"action": "hide", "reason": "Checking"}).status_code == 302
    assert client.post(url, {"action": "lock"}).status_code == 302
    question.refresh_from_db()
    assert question.is_hidden and question.is_locked
    assert client.post(url, {"action": "unhide"}).status_code == 302
    assert not type(question).objects.get(pk=question.pk).is_hidden
    assert "Moderate: warn" in client.get(question.author.get_absolute_url()).content.decode()


def test_suggest_edit_refusals(client, question):
    url = reverse("qa:post_suggest_edit", args=[question.pk])
    login(client, question.author)
    assert client.get(url).status_code == 403
    login(client, UserFactory(reputation=1000))
    assert client.get(url).status_code == 403
    login(client, UserFactory())
    response = client.post(url, {"title": question.title, "body": "", "tags": "reporting"})
    assert response.status_code == 400


def test_close_voters_do_not_see_their_own_close_task_and_admin_lists_work(client, question, staff):
    voter = UserFactory(reputation=500)
    services.close_vote_cast(post=question, user=voter, reason="off_topic")
    from knowhow.moderation.selectors import review_tasks

    assert not review_tasks(viewer=voter, queue="close").exists()
    assert review_tasks(viewer=UserFactory(reputation=500), queue="close").count() == 1
    login(client, staff)
    for model in ("flag", "reviewtask", "closevote", "sanction", "userstanding", "auditentry"):
        assert client.get(f"/admin/moderation/{model}/").status_code == 200
    for model in ("reputationevent", "privilegethreshold", "badge", "userbadge"):
        assert client.get(f"/admin/reputation/{model}/").status_code == 200
