"""Q&A pages and endpoints: a happy path, a permission failure and bad input for each."""

import pytest
from django.test import Client
from django.urls import reverse

from knowhow.core.tests.factories import AnswerFactory, QuestionFactory, UserFactory
from knowhow.qa import services
from knowhow.qa.models import Comment, Post, Tag, TagFollow, Vote

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
GOOD_ASK = {
    "title": "How do I share a dashboard with my team?",
    "body": "I built a dashboard and want my whole team to see it, but not edit it.",
    "tags": "dashboards sharing",
}


def _text(response) -> str:
    return response.content.decode()


def _ask_data(default_space, **change):
    return {**GOOD_ASK, "space": default_space.pk, **change}


@pytest.fixture
def answer(question, other_user):
    return AnswerFactory(question=question, author=other_user)


@pytest.fixture
def asker_client(question):
    client = Client()
    client.force_login(question.author)
    return client


@pytest.fixture
def other_client(other_user):
    client = Client()
    client.force_login(other_user)
    return client


def _assert_htmx_refusal(response, status, message):
    assert response.status_code == status
    assert response["HX-Retarget"] == "#flash"
    assert response["HX-Reswap"] == "innerHTML"
    text = _text(response)
    assert message in text and "<html" not in text


# --- question list --------------------------------------------------------------------------


def test_the_question_list_shows_questions_with_tags(client, question):
    response = client.get(reverse("qa:question_list"))
    assert response.status_code == 200
    text = _text(response)
    assert question.title in text and "/tags/reporting/" in text
    assert client.get(reverse("qa:home")).status_code == 200


@pytest.mark.parametrize("sort", ["newest", "active", "top", "unanswered"])
def test_every_sort_lists_the_question(client, question, sort):
    response = client.get(reverse("qa:question_list"), {"sort": sort})
    assert response.status_code == 200 and question.title in _text(response)


def test_unanswered_leaves_out_answered_questions(client, question, answer):
    response = client.get(reverse("qa:question_list"), {"sort": "unanswered"})
    assert question.title not in _text(response)


def test_top_orders_by_score(client, question, other_user):
    better = QuestionFactory(title="A question with a better score")
    services.vote_cast(post=better, user=other_user, value=1)
    page = client.get(reverse("qa:question_list"), {"sort": "top"}).context["page"]
    assert [q.pk for q in page] == [better.pk, question.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "<script>"},
        {"page": "abc"},
        {"page": "99999"},
        {"page": "-1"},
        {"tag": "no-such-tag"},
        {"tag": "x" * 500},
    ],
)
def test_the_question_list_tolerates_bad_parameters(client, question, params):
    response = client.get(reverse("qa:question_list"), params)
    assert response.status_code == 200
    assert "<script>" not in _text(response).split("<main", 1)[1]


def test_the_list_filters_by_tag_and_paginates(client, default_space, user):
    for i in range(25):
        QuestionFactory(author=user, title=f"Numbered question {i:02d} here", tags=["many"])
    QuestionFactory(author=user, title="Another topic entirely", tags=["other"])
    response = client.get(reverse("qa:question_list"), {"tag": "many"})
    assert response.context["page"].paginator.count == 25
    assert len(response.context["page"].object_list) == 20
    assert "Another topic" not in _text(response)
    second = client.get(reverse("qa:question_list"), {"tag": "many", "page": 2})
    assert len(second.context["page"].object_list) == 5
    assert "tag=many" in _text(response) and "page=2" in _text(response)


@pytest.mark.parametrize("sort", ["active", "newest", "top", "unanswered"])
def test_a_frequent_tag_lists_the_same_questions_by_either_plan(
    client, default_space, user, settings, monkeypatch, sort
):
    from knowhow.qa import selectors

    for i in range(7):
        QuestionFactory(author=user, title=f"Tagged question number {i}", tags=["busy"])
    QuestionFactory(author=user, title="Untagged question here", tags=["quiet"])
    urls = [
        reverse("qa:question_list") + f"?tag=busy&sort={sort}",
        reverse("qa:question_list") + f"?tag=BUSY&sort={sort}",
        f"/tags/busy/?sort={sort}",
    ]

    def listed():
        pages = [[q.pk for q in client.get(url).context["page"].object_list] for url in urls]
        api = client.get(f"/api/v1/questions?tag=busy&sort={sort}").json()
        return pages, sorted(item["id"] for item in api["results"])

    by_join = listed()
    monkeypatch.setattr(selectors, "FREQUENT_TAG_QUESTIONS", 1)  # every tag counts as frequent
    from django.core.cache import cache

    cache.clear()
    by_exists = listed()
    assert by_exists == by_join
    assert len(by_join[0][0]) == 7 and by_join[0][0] == by_join[0][1] == by_join[0][2]
    # The unknown tag still lists nothing, by either plan.
    assert (
        list(client.get(reverse("qa:question_list") + "?tag=nosuch").context["page"].object_list)
        == []
    )


# --- question page --------------------------------------------------------------------------


def test_the_question_page_shows_question_answers_and_comments(client, question, answer):
    services.comment_add(post=answer, author=question.author, body="Thanks, **works**")
    response = client.get(question.get_absolute_url())
    assert response.status_code == 200
    text = _text(response)
    assert question.title in text and "export button" in text
    assert "<strong>works</strong>" in text and "Log in</a> or" in text


def test_the_question_page_redirects_to_its_slug(client, question):
    response = client.get(reverse("qa:question_detail", args=[question.pk]))
    assert response.status_code == 301
    assert response["Location"] == question.get_absolute_url()
    wrong = reverse("qa:question_detail_slug", args=[question.pk, "wrong-slug"])
    assert client.get(wrong)["Location"] == question.get_absolute_url()


@pytest.mark.parametrize("pk", [999999, 0])
def test_an_unknown_question_is_not_found(client, pk):
    response = client.get(reverse("qa:question_detail", args=[pk]))
    assert response.status_code == 404
    assert "does not exist" in _text(response)


def test_an_answer_id_is_not_a_question_page(client, answer):
    assert client.get(reverse("qa:question_detail", args=[answer.pk])).status_code == 404


def test_a_view_is_counted_once_per_viewer(client, question, other_client):
    url = question.get_absolute_url()
    client.get(url)
    client.get(url)
    other_client.get(url)
    other_client.get(url)
    question.refresh_from_db()
    assert question.view_count == 2


def test_a_deleted_question_is_seen_by_its_author_only(client, question, asker_client):
    services.post_delete(post=question, by=question.author)
    assert client.get(question.get_absolute_url()).status_code == 404
    response = asker_client.get(question.get_absolute_url())
    assert response.status_code == 200 and "This question is deleted" in _text(response)
    assert "Undelete" in _text(response)


def test_a_deleted_answer_is_hidden_from_others(client, question, answer, other_client):
    services.post_delete(post=answer, by=answer.author)
    assert "export button" not in _text(client.get(question.get_absolute_url()))
    assert "This answer is deleted" in _text(other_client.get(question.get_absolute_url()))


# --- asking ---------------------------------------------------------------------------------


def test_asking_needs_a_login(client):
    response = client.get(reverse("qa:ask"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_ask_happy_path(logged_in_client, default_space, user):
    assert logged_in_client.get(reverse("qa:ask")).status_code == 200
    response = logged_in_client.post(reverse("qa:ask"), _ask_data(default_space))
    question = Post.objects.get(title=GOOD_ASK["title"])
    assert response.status_code == 302 and response["Location"] == question.get_absolute_url()
    assert question.author == user and question.space == default_space


def test_the_ask_form_prefills_tags_and_space(logged_in_client, user, private_space):
    from knowhow.core.tests.factories import add_member

    add_member(private_space, user)
    response = logged_in_client.get(
        reverse("qa:ask"), {"tags": "excel", "space": private_space.slug}
    )
    form = response.context["form"]
    assert form.initial["tags"] == "excel" and form.initial["space"] == private_space
    # An unknown space falls back to the default one.
    response = logged_in_client.get(reverse("qa:ask"), {"space": "nope"})
    assert response.context["form"].initial["space"].is_default


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"title": "   "}, "title", "This field is required."),
        ({"title": "Too short"}, "title", "at least 10 characters"),
        ({"title": "t" * 151}, "title", "at most 150 characters"),
        ({"body": ""}, "body", "This field is required."),
        ({"body": "tiny"}, "body", "at least 20 characters"),
        ({"tags": ""}, "tags", "This field is required."),
        ({"tags": "a b c d e f"}, "tags", "Use at most 5 tags."),
        ({"tags": "bad_tag!"}, "tags", "is not a valid tag"),
        ({"space": "999999"}, "space", "Select a valid choice"),
        ({"space": "abc"}, "space", "Select a valid choice"),
    ],
)
def test_ask_refuses_bad_input_with_a_clear_message(
    logged_in_client, default_space, change, field, message
):
    response = logged_in_client.post(reverse("qa:ask"), _ask_data(default_space, **change))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert message.split("“")[0] in _text(response).replace("&#x27;", "'")
    assert not Post.objects.exists()


def test_a_five_megabyte_body_gets_a_clear_message(logged_in_client, default_space):
    body = "word " * (1024 * 1024)
    response = logged_in_client.post(reverse("qa:ask"), _ask_data(default_space, body=body))
    assert response.status_code == 400
    assert "The body is too long" in _text(response)
    assert not Post.objects.exists()


def test_a_request_over_the_upload_limit_gets_a_clear_400(logged_in_client, default_space):
    from django.conf import settings

    body = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = logged_in_client.post(reverse("qa:ask"), _ask_data(default_space, body=body))
    assert response.status_code == 400
    assert "too large" in _text(response)
    assert not Post.objects.exists()


def test_one_cannot_ask_in_a_private_space_one_is_not_in(logged_in_client, private_space):
    response = logged_in_client.post(reverse("qa:ask"), {**GOOD_ASK, "space": private_space.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in _text(response)
    assert not Post.objects.exists()


def test_a_forged_form_gets_a_clear_403(user, default_space):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("qa:ask"), _ask_data(default_space))
    assert response.status_code == 403
    assert "did not come from this site" in _text(response)
    assert not Post.objects.exists()


def test_a_forged_vote_over_htmx_is_refused(question, other_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(other_user)
    response = client.post(reverse("qa:vote", args=[question.pk]), {"value": "1"}, headers=HX)
    _assert_htmx_refusal(response, 403, "did not come from this site")
    assert not Vote.objects.exists()


def test_a_real_form_with_its_token_passes_the_csrf_check(user, default_space):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get(reverse("qa:ask"))
    token = page.context["csrf_token"]
    response = client.post(
        reverse("qa:ask"), {**_ask_data(default_space), "csrfmiddlewaretoken": str(token)}
    )
    assert response.status_code == 302


# --- answering ------------------------------------------------------------------------------


def test_answer_happy_path(other_client, question):
    response = other_client.post(
        reverse("qa:answer_create", args=[question.pk]),
        {"body": "Use the export button at the top right of the report."},
    )
    answer = Post.objects.get(question=question)
    assert response.status_code == 302 and response["Location"] == answer.get_absolute_url()


def test_a_too_short_answer_shows_the_message_on_the_page(other_client, question):
    response = other_client.post(reverse("qa:answer_create", args=[question.pk]), {"body": "ok"})
    assert response.status_code == 400
    assert "at least 20 characters" in _text(response)
    assert question.title in _text(response)


def test_an_answer_to_a_deleted_question_is_refused(other_client, asker_client, question):
    services.post_delete(post=question, by=question.author)
    body = {"body": "An answer that arrives after the question was deleted."}
    # Others no longer see the question at all.
    response = other_client.post(reverse("qa:answer_create", args=[question.pk]), body)
    assert response.status_code == 404
    # The asker still sees it and is told why.
    response = asker_client.post(reverse("qa:answer_create", args=[question.pk]), body)
    assert response.status_code == 400
    assert "has been deleted" in _text(response)
    assert not Post.objects.filter(question=question).exists()


def test_an_answer_to_a_closed_question_is_refused(other_client, question):
    from django.utils import timezone

    Post.objects.filter(pk=question.pk).update(closed_at=timezone.now())
    response = other_client.post(
        reverse("qa:answer_create", args=[question.pk]),
        {"body": "An answer that arrives after the question was closed."},
    )
    assert response.status_code == 400 and "closed" in _text(response)


def test_answering_an_answer_is_refused(other_client, answer):
    response = other_client.post(
        reverse("qa:answer_create", args=[answer.pk]),
        {"body": "An answer to an answer is not a thing."},
    )
    assert response.status_code == 400 and "only be posted to questions" in _text(response)


def test_answering_needs_post(other_client, question):
    assert other_client.get(reverse("qa:answer_create", args=[question.pk])).status_code == 405


# --- voting ---------------------------------------------------------------------------------


def test_vote_happy_path_redirects_back(other_client, question):
    response = other_client.post(reverse("qa:vote", args=[question.pk]), {"value": "1"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.score == 1


def test_vote_over_htmx_returns_the_vote_partial(other_client, question):
    response = other_client.post(reverse("qa:vote", args=[question.pk]), {"value": "1"}, headers=HX)
    assert response.status_code == 200
    text = _text(response)
    assert text.lstrip().startswith(f'<div class="vote" id="vote-{question.pk}"')
    assert 'aria-pressed="true"' in text and ">1<" in text and "<html" not in text
    # Pressing again withdraws.
    response = other_client.post(reverse("qa:vote", args=[question.pk]), {"value": "0"}, headers=HX)
    assert ">0<" in _text(response) and not Vote.objects.exists()


def test_a_vote_on_ones_own_post_is_refused_with_a_message(asker_client, question):
    response = asker_client.post(reverse("qa:vote", args=[question.pk]), {"value": "1"})
    assert response.status_code == 403
    assert "You cannot vote on your own post." in _text(response)
    response = asker_client.post(reverse("qa:vote", args=[question.pk]), {"value": "1"}, headers=HX)
    _assert_htmx_refusal(response, 403, "You cannot vote on your own post.")
    assert not Vote.objects.exists()


@pytest.mark.parametrize("value", ["", "abc", "2", "1.5"])
def test_a_vote_with_a_bad_value_is_refused(other_client, question, value):
    response = other_client.post(reverse("qa:vote", args=[question.pk]), {"value": value})
    assert response.status_code == 400
    assert "A vote is up (1), down (-1) or withdrawn (0)." in _text(response)


def test_voting_on_an_unknown_post_is_not_found(other_client):
    response = other_client.post(reverse("qa:vote", args=[999999]), {"value": "1"}, headers=HX)
    _assert_htmx_refusal(response, 404, "No such post.")


def test_voting_needs_post(other_client, question):
    assert other_client.get(reverse("qa:vote", args=[question.pk])).status_code == 405


# --- accepting ------------------------------------------------------------------------------


def test_accept_and_unaccept(asker_client, question, answer):
    response = asker_client.post(reverse("qa:accept", args=[answer.pk]))
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.accepted_answer_id == answer.pk
    asker_client.post(reverse("qa:accept", args=[answer.pk]), {"undo": "1"})
    question.refresh_from_db()
    assert question.accepted_answer_id is None


def test_accept_over_htmx_returns_the_answers_partial(asker_client, question, answer):
    response = asker_client.post(reverse("qa:accept", args=[answer.pk]), headers=HX)
    assert response.status_code == 200
    text = _text(response)
    assert text.lstrip().startswith('<section id="answers"')
    assert "is-accepted" in text and 'aria-pressed="true"' in text and "<html" not in text


def test_only_the_asker_may_accept(other_client, question, answer):
    response = other_client.post(reverse("qa:accept", args=[answer.pk]))
    assert response.status_code == 403
    assert "Only the person who asked" in _text(response)
    response = other_client.post(reverse("qa:accept", args=[answer.pk]), headers=HX)
    _assert_htmx_refusal(response, 403, "Only the person who asked")
    question.refresh_from_db()
    assert question.accepted_answer_id is None


def test_a_question_cannot_be_accepted_through_the_endpoint(asker_client, question):
    response = asker_client.post(reverse("qa:accept", args=[question.pk]))
    assert response.status_code == 400 and "Only answers can be accepted." in _text(response)


# --- comments -------------------------------------------------------------------------------


def test_comment_happy_path(other_client, question):
    response = other_client.post(
        reverse("qa:comment_create", args=[question.pk]), {"body": "Which version?"}
    )
    assert response.status_code == 302
    assert Comment.objects.get().body == "Which version?"


def test_comment_over_htmx_returns_the_comments_partial(other_client, question):
    response = other_client.post(
        reverse("qa:comment_create", args=[question.pk]), {"body": "Which *version*?"}, headers=HX
    )
    assert response.status_code == 200
    text = _text(response)
    assert text.lstrip().startswith(f'<div class="comments" id="comments-{question.pk}"')
    assert "<em>version</em>" in text and "<html" not in text


def test_an_empty_comment_is_refused_with_a_message(other_client, question):
    response = other_client.post(reverse("qa:comment_create", args=[question.pk]), {"body": ""})
    assert response.status_code == 400
    assert "The comment is empty or too long." in _text(response)
    response = other_client.post(
        reverse("qa:comment_create", args=[question.pk]), {"body": "x" * 1001}, headers=HX
    )
    _assert_htmx_refusal(response, 400, "Comments are limited to 1000 characters.")
    assert not Comment.objects.exists()


def test_a_comment_on_a_deleted_post_is_refused(asker_client, question):
    services.post_delete(post=question, by=question.author)
    response = asker_client.post(
        reverse("qa:comment_create", args=[question.pk]), {"body": "Hello"}, headers=HX
    )
    _assert_htmx_refusal(response, 400, "has been deleted")
    assert not Comment.objects.exists()


def test_comment_delete_happy_path_and_refusals(other_client, asker_client, question, other_user):
    comment = services.comment_add(post=question, author=other_user, body="Which version?")
    # Someone else's comment: refused.
    response = asker_client.post(reverse("qa:comment_delete", args=[comment.pk]), headers=HX)
    _assert_htmx_refusal(response, 403, "You can only delete your own comments.")
    # Over htmx the author gets an empty response that removes the comment.
    response = other_client.post(reverse("qa:comment_delete", args=[comment.pk]), headers=HX)
    assert response.status_code == 200 and response.content == b""
    assert Comment.objects.get().is_deleted
    # Deleting twice, or an unknown comment: a message.
    response = other_client.post(reverse("qa:comment_delete", args=[comment.pk]))
    assert response.status_code == 400 and "already deleted" in _text(response)
    assert other_client.post(reverse("qa:comment_delete", args=[999999])).status_code == 404


def test_comment_delete_without_htmx_redirects(other_client, question, other_user):
    comment = services.comment_add(post=question, author=other_user, body="Which version?")
    response = other_client.post(reverse("qa:comment_delete", args=[comment.pk]))
    assert response.status_code == 302


# --- editing --------------------------------------------------------------------------------


def test_edit_page_and_save(asker_client, question):
    response = asker_client.get(reverse("qa:post_edit", args=[question.pk]))
    assert response.status_code == 200 and question.body in _text(response)
    response = asker_client.post(
        reverse("qa:post_edit", args=[question.pk]),
        {
            "title": "How do I export a monthly report to CSV?",
            "body": question.body,
            "tags": "reporting csv",
            "summary": "more precise",
        },
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.title == "How do I export a monthly report to CSV?"
    assert question.revisions.count() == 2


def test_an_answer_can_be_edited_by_its_author(other_client, answer):
    response = other_client.get(reverse("qa:post_edit", args=[answer.pk]))
    assert response.status_code == 200 and 'name="title"' not in _text(response)
    response = other_client.post(
        reverse("qa:post_edit", args=[answer.pk]), {"body": "A much better answer than before."}
    )
    assert response.status_code == 302


def test_strangers_cannot_edit(other_client, question):
    assert other_client.get(reverse("qa:post_edit", args=[question.pk])).status_code == 403
    response = other_client.post(
        reverse("qa:post_edit", args=[question.pk]),
        {"title": question.title, "body": "Vandalism that is long enough to count.", "tags": "x"},
    )
    assert response.status_code == 403
    # Even invalid input is refused for permission first.
    response = other_client.post(reverse("qa:post_edit", args=[question.pk]), {"body": ""})
    assert response.status_code == 403
    question.refresh_from_db()
    assert question.revisions.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"body": "short"}, "at least 20 characters"),
        ({"body": ""}, "This field is required."),
        ({"title": "Short"}, "at least 10 characters"),
        ({"tags": "a b c d e f"}, "Use at most 5 tags."),
        ({}, "Nothing changed"),
    ],
)
def test_edit_refuses_bad_input(asker_client, question, change, message):
    data = {"title": question.title, "body": question.body, "tags": "reporting", **change}
    response = asker_client.post(reverse("qa:post_edit", args=[question.pk]), data)
    assert response.status_code == 400
    assert message in _text(response)


def test_a_deleted_post_cannot_be_edited(asker_client, question):
    services.post_delete(post=question, by=question.author)
    response = asker_client.get(reverse("qa:post_edit", args=[question.pk]))
    assert response.status_code == 400 and "Undelete the post" in _text(response)


# --- deleting -------------------------------------------------------------------------------


def test_delete_and_undelete(asker_client, question):
    response = asker_client.post(reverse("qa:post_delete", args=[question.pk]))
    assert response.status_code == 302
    assert Post.objects.get(pk=question.pk).is_deleted
    response = asker_client.post(reverse("qa:post_undelete", args=[question.pk]))
    assert response.status_code == 302
    assert not Post.objects.get(pk=question.pk).is_deleted


def test_strangers_cannot_delete(other_client, question):
    response = other_client.post(reverse("qa:post_delete", args=[question.pk]))
    assert response.status_code == 403
    assert "You can only delete your own posts." in _text(response)
    assert not Post.objects.get(pk=question.pk).is_deleted


def test_deleting_twice_gives_a_message(asker_client, question):
    asker_client.post(reverse("qa:post_delete", args=[question.pk]))
    response = asker_client.post(reverse("qa:post_delete", args=[question.pk]))
    assert response.status_code == 400 and "already deleted" in _text(response)
    assert asker_client.get(reverse("qa:post_delete", args=[question.pk])).status_code == 405


# --- revisions ------------------------------------------------------------------------------


def test_revision_list_and_diff_show_insertions_and_deletions(client, question):
    services.post_edit(
        post=question,
        by=question.author,
        title="How do I export a monthly report to CSV?",
        body="I need the monthly numbers as a spreadsheet for the finance team.",
        tags="reporting csv",
        summary="clearer",
    )
    response = client.get(reverse("qa:revisions", args=[question.pk]))
    assert response.status_code == 200
    text = _text(response)
    assert "Revision 2" in text and "clearer" in text and "Revision 1" in text
    response = client.get(reverse("qa:revision_detail", args=[question.pk, 2]))
    assert response.status_code == 200
    text = _text(response)
    assert "<ins>monthly</ins>" in text
    assert "<del>CSV file</del>" in text and "<ins>spreadsheet</ins>" in text
    assert "<ins>csv</ins>" in text
    first = _text(client.get(reverse("qa:revision_detail", args=[question.pk, 1])))
    assert "<ins>" in first and "<del>" not in first


def test_the_diff_of_a_multi_line_body_is_by_line(client, question):
    services.post_edit(
        post=question, by=question.author, body="First line stays.\nSecond line <b>changed</b>."
    )
    services.post_edit(
        post=question, by=question.author, body="First line stays.\nSecond line is new now."
    )
    text = _text(client.get(reverse("qa:revision_detail", args=[question.pk, 3])))
    assert "<del>Second line &lt;b&gt;changed&lt;/b&gt;.</del>" in text
    assert "<ins>Second line is new now.</ins>" in text


@pytest.mark.parametrize("number", [0, 3, 999])
def test_an_unknown_revision_is_not_found(client, question, number):
    response = client.get(reverse("qa:revision_detail", args=[question.pk, number]))
    assert response.status_code == 404


def test_revisions_of_an_answer(client, answer):
    response = client.get(reverse("qa:revisions", args=[answer.pk]))
    assert response.status_code == 200 and "an answer to" in _text(response)


# --- tags -----------------------------------------------------------------------------------


def test_tag_list_and_filter(client, question):
    QuestionFactory(title="Another question about excel", tags=["excel"])
    response = client.get(reverse("qa:tag_list"))
    assert response.status_code == 200
    names = [t.name for t in response.context["page"]]
    assert names == ["excel", "reporting"]
    response = client.get(reverse("qa:tag_list"), {"q": "EXC"})
    assert [t.name for t in response.context["page"]] == ["excel"]
    response = client.get(reverse("qa:tag_list"), {"q": "zzz", "sort": "bogus", "page": "x"})
    assert response.status_code == 200 and "No tags match." in _text(response)


def test_tag_detail_shows_the_description_and_questions(client, question, staff):
    tag = Tag.objects.get(name="reporting")
    services.tag_update_description(
        tag=tag, by=staff, excerpt="Reports", description="All *reports*"
    )
    response = client.get(tag.get_absolute_url())
    assert response.status_code == 200
    text = _text(response)
    assert "<em>reports</em>" in text and question.title in text


def test_an_unknown_tag_is_not_found(client):
    assert client.get(reverse("qa:tag_detail", args=["nope"])).status_code == 404


def test_follow_and_unfollow_a_tag(logged_in_client, question, user):
    url = reverse("qa:tag_follow", args=["reporting"])
    response = logged_in_client.post(url)
    assert response.status_code == 302
    assert TagFollow.objects.filter(user=user).count() == 1
    response = logged_in_client.post(url, {"follow": "0"}, headers=HX)
    assert response.status_code == 200
    text = _text(response)
    assert text.lstrip().startswith("<form") and 'aria-pressed="false"' in text
    assert not TagFollow.objects.exists()
    response = logged_in_client.post(url, {"follow": "1"}, headers=HX)
    assert 'aria-pressed="true"' in _text(response) and "Following" in _text(response)


def test_following_needs_a_login_post_and_a_real_tag(logged_in_client, question):
    url = reverse("qa:tag_follow", args=["reporting"])
    assert Client().post(url).status_code == 302
    assert logged_in_client.get(url).status_code == 405
    response = logged_in_client.post(reverse("qa:tag_follow", args=["nope"]), headers=HX)
    _assert_htmx_refusal(response, 404, "No such tag.")
    assert not TagFollow.objects.exists()


def test_the_tag_list_marks_followed_tags(logged_in_client, question, user):
    services.tag_follow(user=user, tag=Tag.objects.get(name="reporting"))
    assert "Unfollow reporting" in _text(logged_in_client.get(reverse("qa:tag_list")))


# --- people, search, spaces, misc -----------------------------------------------------------


def test_the_user_page_lists_questions_answers_and_stats(client, question, answer):
    services.answer_accept(answer=answer, by=question.author)
    response = client.get(reverse("qa:user_detail", args=[answer.author.pk]))
    assert response.status_code == 200
    assert response.context["stats"] == {"questions": 0, "answers": 1, "accepted": 1}
    assert question.title in _text(response)


def test_search_finds_by_title_and_body(client, question):
    from knowhow.search.services import question_index_rebuild

    question_index_rebuild()  # the index is filled after commit, which this test never reaches
    response = client.get(reverse("search:search"), {"q": "finance"})
    assert response.status_code == 200 and question.title in _text(response)
    response = client.get(reverse("search:search"), {"q": ""})
    assert response.context["page"].paginator.count == 0
    response = client.get(reverse("search:search"), {"q": "x" * 5000, "page": "zz"})
    assert response.status_code == 200


def test_spaces_pages(client, question, default_space):
    response = client.get(reverse("spaces:list"))
    assert response.status_code == 200 and default_space.name in _text(response)
    response = client.get(default_space.get_absolute_url())
    assert response.status_code == 200 and question.title in _text(response)
    assert client.get(reverse("spaces:detail", args=["nope"])).status_code == 404


def test_a_private_space_lists_its_members_to_members(private_space):
    from knowhow.core.tests.factories import add_member

    member = UserFactory(display_name="Pilot Person")
    add_member(private_space, member)
    client = Client()
    client.force_login(member)
    response = client.get(private_space.get_absolute_url())
    assert response.status_code == 200 and "Pilot Person" in _text(response)


def test_an_unknown_url_gets_the_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "That page does not exist" in _text(response)


def test_health_and_ping(client):
    assert client.get(reverse("health")).json() == {"status": "ok"}
    assert client.get(reverse("ping")).content == b"ok"


def test_tag_names_are_case_insensitive_in_addresses(client, question):
    response = client.get(reverse("qa:tag_detail", args=["Reporting"]))
    assert response.status_code == 301 and response["Location"] == "/tags/reporting/"
    response = client.get(reverse("qa:question_list"), {"tag": "REPORTING"})
    assert question.title in _text(response)


def test_the_question_page_only_answers_get(other_client, question):
    response = other_client.post(question.get_absolute_url(), {"body": "x" * 40})
    assert response.status_code == 405
    assert not Post.objects.filter(question=question).exists()


def test_on_a_deleted_question_the_asker_sees_frozen_answers(asker_client, question, answer):
    services.post_delete(post=question, by=question.author)
    page = asker_client.get(question.get_absolute_url())
    assert page.status_code == 200
    (shown,) = page.context["answers"]
    assert not any(shown.actions[k] for k in ("vote", "comment", "edit", "delete", "undelete"))
    assert page.context["question"].actions["undelete"]


def test_an_oversized_request_with_csrf_checks_on_gets_a_clear_400(user, default_space):
    from django.conf import settings

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    token = str(client.get(reverse("qa:ask")).context["csrf_token"])
    body = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(
        reverse("qa:ask"), {**_ask_data(default_space, body=body), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 400
    assert "too large" in _text(response)
