"""A private space's questions, answers and comments never reach anyone outside it.

The matrix below visits every page and endpoint as an anonymous visitor, a signed-in person who
is not a member, a member and a superuser, and checks what each one gets.
"""

import pytest
from django.test import Client
from django.urls import reverse

from knowhow.core.tests.factories import AnswerFactory, QuestionFactory, UserFactory, add_member
from knowhow.qa import services
from knowhow.qa.models import Comment, Post, Vote
from knowhow.qa.selectors import QuestionSort
from knowhow.search.services import question_index_rebuild
from knowhow.spaces import selectors
from knowhow.spaces.models import Space

pytestmark = pytest.mark.django_db

# Words that appear only in the private space's content.
MARKERS = ("Zanzibar", "Quokka", "Narwhal", "zanzibar-tag")


@pytest.fixture
def world(default_space, private_space):
    member = UserFactory(username="member")
    answerer = UserFactory(username="answerer")
    add_member(private_space, member)
    add_member(private_space, answerer)
    outsider = UserFactory(username="outsider")
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    public_q = QuestionFactory(
        author=outsider,
        space=default_space,
        title="A public pilot question about reports",
        tags=["reporting"],
    )
    secret_q = QuestionFactory(
        author=member,
        space=private_space,
        title="Zanzibar pilot launch checklist",
        body="The Zanzibar pilot starts next month; what do we prepare?",
        tags=["zanzibar-tag", "reporting"],
    )
    secret_a = AnswerFactory(
        question=secret_q, author=answerer, body="Quokka: prepare the pilot data room first."
    )
    comment = services.comment_add(post=secret_a, author=member, body="Narwhal thanks, pilot ok")
    services.comment_add(post=secret_q, author=answerer, body="Narwhal second pilot note")
    services.post_edit(
        post=secret_q,
        by=member,
        body="The Zanzibar pilot starts next month; what must we prepare?",
    )
    from knowhow.qa.models import Tag

    services.tag_follow(user=member, tag=Tag.objects.get(name="zanzibar-tag"))
    question_index_rebuild()  # the search index is filled after commit, which tests skip
    return {
        "member": member,
        "answerer": answerer,
        "outsider": outsider,
        "superuser": superuser,
        "public_q": public_q,
        "secret_q": secret_q,
        "secret_a": secret_a,
        "comment": comment,
        "space": private_space,
    }


def _client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _list_pages(world) -> list[str]:
    member = world["member"]
    pages = [reverse("qa:home"), reverse("qa:question_list")]
    pages += [f"{reverse('qa:question_list')}?sort={key}" for key, _ in QuestionSort.CHOICES]
    pages += [
        f"{reverse('qa:question_list')}?tag=zanzibar-tag",
        f"{reverse('qa:question_list')}?tag=reporting&sort=top",
        reverse("qa:tag_list"),
        f"{reverse('qa:tag_list')}?sort=name",
        f"{reverse('qa:tag_list')}?q=zan",
        reverse("qa:tag_detail", args=["zanzibar-tag"]),
        reverse("qa:tag_detail", args=["reporting"]),
        f"{reverse('search:search')}?q=pilot",
        f"{reverse('search:search')}?q=checklist",
        reverse("spaces:list"),
        reverse("spaces:detail", args=[Space.objects.get(is_default=True).slug]),
        reverse("qa:user_detail", args=[member.pk]),
        reverse("qa:user_detail", args=[world["answerer"].pk]),
    ]
    return pages


def _private_pages(world) -> list[str]:
    q, a = world["secret_q"], world["secret_a"]
    return [
        reverse("qa:question_detail", args=[q.pk]),
        reverse("qa:question_detail_slug", args=[q.pk, q.slug]),
        reverse("qa:question_detail", args=[a.pk]),
        reverse("qa:revisions", args=[q.pk]),
        reverse("qa:revisions", args=[a.pk]),
        reverse("qa:revision_detail", args=[q.pk, 1]),
        reverse("qa:revision_detail", args=[q.pk, 2]),
        reverse("qa:revision_detail", args=[a.pk, 1]),
        reverse("spaces:detail", args=[world["space"].slug]),
    ]


def _assert_no_marker(response, url):
    text = response.content.decode()
    for marker in MARKERS:
        # The tag page names its own tag in the heading; that is the URL, not leaked content.
        if marker == "zanzibar-tag" and "zanzibar-tag" in url:
            continue
        assert marker not in text, f"{marker!r} leaked on {url}"


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_lists_and_profiles_never_show_private_content_to_outsiders(world, who):
    client = _client_for(None if who == "anonymous" else world["outsider"])
    for url in _list_pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_no_marker(response, url)
    # The private-only tag shows no questions (and no count) to an outsider.
    tag_page = client.get(reverse("qa:tag_detail", args=["zanzibar-tag"])).content.decode()
    assert "No questions here yet" in tag_page
    profile = client.get(reverse("qa:user_detail", args=[world["member"].pk])).context
    assert profile["stats"] == {"questions": 0, "answers": 0, "accepted": 0}


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_private_pages_are_not_found_for_outsiders(world, who):
    client = _client_for(None if who == "anonymous" else world["outsider"])
    for url in _private_pages(world):
        response = client.get(url)
        assert response.status_code == 404, url
        _assert_no_marker(response, url)


def test_private_question_is_not_found_on_htmx_requests_either(world):
    client = _client_for(world["outsider"])
    response = client.get(
        reverse("qa:question_detail", args=[world["secret_q"].pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 404
    _assert_no_marker(response, "")


def test_outsiders_get_not_found_from_every_endpoint_and_nothing_changes(world):
    client = _client_for(world["outsider"])
    q, a, comment = world["secret_q"], world["secret_a"], world["comment"]
    posts = [
        (reverse("qa:vote", args=[q.pk]), {"value": "1"}),
        (reverse("qa:vote", args=[a.pk]), {"value": "-1"}),
        (reverse("qa:accept", args=[a.pk]), {}),
        (reverse("qa:comment_create", args=[q.pk]), {"body": "I should not be here"}),
        (reverse("qa:comment_create", args=[a.pk]), {"body": "I should not be here"}),
        (reverse("qa:comment_delete", args=[comment.pk]), {}),
        (reverse("qa:answer_create", args=[q.pk]), {"body": "An answer from outside the space."}),
        (
            reverse("qa:post_edit", args=[q.pk]),
            {"title": "Hijacked title here", "body": "Hijacked body text here.", "tags": "x"},
        ),
        (reverse("qa:post_edit", args=[a.pk]), {"body": "Hijacked answer body here."}),
        (reverse("qa:post_delete", args=[q.pk]), {}),
        (reverse("qa:post_delete", args=[a.pk]), {}),
        (reverse("qa:post_undelete", args=[q.pk]), {}),
    ]
    for url, data in posts:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.post(url, data, headers=headers)
            assert response.status_code == 404, url
            _assert_no_marker(response, url)
    assert client.get(reverse("qa:post_edit", args=[q.pk])).status_code == 404
    assert not Vote.objects.exists()
    assert Comment.objects.filter(is_deleted=False).count() == 2
    q.refresh_from_db()
    assert q.title == "Zanzibar pilot launch checklist"
    assert not q.is_deleted and q.answer_count == 1 and q.accepted_answer_id is None
    assert Post.objects.filter(question=q).count() == 1


def test_anonymous_visitors_are_sent_to_log_in_by_every_write_endpoint(world):
    client = Client()
    q = world["secret_q"]
    for name in ("vote", "accept", "comment_create", "post_edit", "post_delete"):
        response = client.post(reverse(f"qa:{name}", args=[q.pk]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["member", "superuser"])
def test_members_and_superusers_see_private_content_everywhere(world, who):
    client = _client_for(world[who])
    q = world["secret_q"]
    for url in [
        reverse("qa:question_list"),
        f"{reverse('qa:question_list')}?sort=newest",
        f"{reverse('qa:question_list')}?sort=top",
        reverse("qa:tag_detail", args=["zanzibar-tag"]),
        f"{reverse('search:search')}?q=Zanzibar",
        reverse("spaces:detail", args=[world["space"].slug]),
        reverse("qa:user_detail", args=[world["member"].pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        # Search results highlight the matched words with <mark>.
        text = response.content.decode().replace("<mark>", "").replace("</mark>", "")
        assert "Zanzibar pilot launch checklist" in text, url
    page = client.get(q.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "Quokka" in text and "Narwhal" in text
    for url in _private_pages(world)[3:]:
        assert client.get(url).status_code == 200, url
    answerer_page = client.get(reverse("qa:user_detail", args=[world["answerer"].pk])).text
    assert "Zanzibar pilot launch checklist" in answerer_page
    assert "zanzibar-tag" in client.get(reverse("qa:tag_list")).content.decode()


def test_a_member_can_take_part_in_the_private_space(world):
    client = _client_for(world["answerer"])
    q = world["secret_q"]
    assert client.post(reverse("qa:vote", args=[q.pk]), {"value": "1"}).status_code == 302
    response = client.post(reverse("qa:comment_create", args=[q.pk]), {"body": "Member comment"})
    assert response.status_code == 302
    q.refresh_from_db()
    assert q.score == 1 and q.comment_count == 2


def test_tag_counts_only_count_questions_the_viewer_can_see(world):
    """The cached Tag.question_count includes private questions; the tag list must not show it."""
    outsider_page = _client_for(world["outsider"]).get(reverse("qa:tag_list"))
    reporting = next(t for t in outsider_page.context["page"] if t.name == "reporting")
    assert reporting.visible_count == 1
    member_page = _client_for(world["member"]).get(reverse("qa:tag_list"))
    reporting = next(t for t in member_page.context["page"] if t.name == "reporting")
    assert reporting.visible_count == 2


def test_the_selector_decides_visibility_for_each_kind_of_viewer(world):
    space = world["space"]
    assert not selectors.can_view_space(None, space)
    assert not selectors.can_view_space(world["outsider"], space)
    assert selectors.can_view_space(world["member"], space)
    assert selectors.can_view_space(world["superuser"], space)
    assert space not in selectors.spaces_visible_to(world["outsider"])
    assert space in selectors.spaces_visible_to(world["member"])
    assert set(selectors.spaces_visible_to(world["superuser"])) == set(Space.objects.all())
    visible = Post.objects.filter(selectors.visible_space_q(world["outsider"]))
    assert world["secret_q"] not in visible and world["public_q"] in visible
    assert not selectors.can_post_in_space(None, Space.objects.get(is_default=True))
    assert not selectors.is_space_moderator(world["member"], space)
    assert selectors.is_space_moderator(world["superuser"], space)
    with pytest.raises(Exception, match="No such space"):
        selectors.space_get_for_viewer(slug=space.slug, viewer=world["outsider"])


def test_a_removed_member_loses_access(world):
    from knowhow.spaces.services import space_remove_member

    space_remove_member(space=world["space"], user=world["member"])
    client = _client_for(world["member"])
    assert client.get(world["secret_q"].get_absolute_url()).status_code == 404
