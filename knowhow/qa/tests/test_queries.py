"""Query counts pinned on the hot pages: they must not grow with the number of rows."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from knowhow.core.tests.factories import AnswerFactory, QuestionFactory, UserFactory, add_member
from knowhow.qa import services
from knowhow.qa.models import Post

pytestmark = pytest.mark.django_db

# The user (the session comes from the cache, cached_db): one query on every signed-in request.
AUTH = 1


def _questions(n: int, people, spaces) -> list:
    return [
        QuestionFactory(
            author=people[i % len(people)],
            space=spaces[i % len(spaces)],
            title=f"Question number {i} about reports",
            tags=[f"tag{i % 7}", f"topic{i % 3}"],
        )
        for i in range(n)
    ]


@pytest.fixture
def people(db):
    return [UserFactory() for _ in range(4)]


@pytest.fixture
def viewer(people, private_space):
    person = UserFactory()
    add_member(private_space, person)
    return person


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


# Cold: the list, its tags and the total; a signed-in person adds the session, the user and the
# private spaces they belong to (the key of the shared total). Warm, the total is cached.
@pytest.mark.parametrize(("who", "expected"), [("anonymous", 3), ("member", AUTH + 4)])
def test_the_question_list_takes_a_fixed_number_of_queries(
    people, viewer, default_space, private_space, django_assert_num_queries, who, expected
):
    _questions(21, people, [default_space, private_space])
    person = viewer if who == "member" else None
    client = _client(person)
    client.get(reverse("qa:question_list"))  # the session's first request records it
    from django.core.cache import cache

    from knowhow.qa.selectors import list_count_key

    for sort in ("active", "newest", "top", "unanswered"):
        url = f"{reverse('qa:question_list')}?sort={sort}"
        # Cold: totals are cached for a minute (one query fewer warm).
        cache.delete(list_count_key(viewer=person, sort=sort))
        with django_assert_num_queries(expected):
            response = client.get(url)
        assert len(response.context["page"].object_list) == (20 if who == "member" else 11)
        with django_assert_num_queries(expected - 1):
            client.get(url)
    _questions(10, people, [default_space, private_space])
    cache.delete(list_count_key(viewer=person, sort="active"))
    assert _count(client, reverse("qa:question_list")) == expected


def test_list_totals_are_shared_only_by_people_who_see_the_same_spaces(
    people, viewer, default_space, private_space
):
    """The cached total is per audience: a member of the private space, an outsider and an
    anonymous visitor each get their own, and the API uses the same totals."""
    from django.core.cache import cache

    cache.clear()
    _questions(3, people, [default_space])
    _questions(2, people, [private_space])
    outsider = UserFactory()
    url = reverse("qa:question_list")
    # The member asks first, so a wrongly shared key would leak their total to the others.
    assert _client(viewer).get(url).context["page"].paginator.count == 5
    assert _client(outsider).get(url).context["page"].paginator.count == 3
    assert _client().get(url).context["page"].paginator.count == 3
    assert _client(viewer).get("/api/v1/questions").json()["count"] == 5
    assert _client(outsider).get("/api/v1/questions").json()["count"] == 3
    assert _client().get("/api/v1/questions").json()["count"] == 3


def _busy_question(people, space, answers: int):
    question = QuestionFactory(author=people[0], space=space, tags=["a", "b", "c"])
    services.comment_add(post=question, author=people[1], body="A comment on the question")
    for i in range(answers):
        answer = AnswerFactory(question=question, author=people[(i % 3) + 1])
        services.comment_add(post=answer, author=people[0], body="Thanks for this")
        services.comment_add(post=answer, author=people[(i + 2) % 4], body="Agreed")
        services.vote_cast(post=answer, user=people[0], value=1 if i % 2 else -1)
    return question


# The question page reads its authors' badge counts for the bylines in one query (BADGES).
BADGES = 1
# ... and the answers' videos in one query (VIDEOS).
VIDEOS = 1


# The thread's state (visibility, fingerprint, the viewer's votes) in one query, first on every
# view; the rendered thread then comes from the cache (knowhow/qa/page_cache.py).
STATE = 1


@pytest.mark.parametrize(
    ("who", "first", "again"),
    # first: the state, the page (question, tags, answers, comments; the viewer's votes came with
    # the state), BADGES, VIDEOS (knowhow.videos attaching answer videos), counting the view
    # (update, insert). again: served from the cache.
    [
        ("anonymous", STATE + 4 + BADGES + VIDEOS + 2, STATE),
        ("member", AUTH + STATE + 4 + BADGES + VIDEOS + 2, AUTH + STATE),
        ("superuser", AUTH + STATE + 4 + BADGES + VIDEOS + 2, AUTH + STATE),
    ],
)
def test_the_question_page_takes_a_fixed_number_of_queries(
    people, viewer, private_space, django_assert_num_queries, who, first, again
):
    for person in people:
        add_member(private_space, person)
    question = _busy_question(people, private_space, answers=4)
    services.vote_cast(post=question, user=viewer, value=1)
    services.post_delete(post=question.answers.first(), by=question.answers.first().author)
    services.answer_accept(answer=question.answers.last(), by=people[0])
    if who == "anonymous":
        from knowhow.spaces.models import Space

        Space.objects.filter(pk=private_space.pk).update(visibility="organisation")
    user = {"anonymous": None, "member": viewer, "superuser": UserFactory(is_superuser=True)}[who]
    client = _client(user)
    url = question.get_absolute_url()
    with django_assert_num_queries(first):
        page = client.get(url)
    assert len(page.context["answers"]) == (4 if who == "superuser" else 3)
    with django_assert_num_queries(again):
        client.get(url)
    # Twice the answers and comments: the same number of queries.
    more = _busy_question(people, question.space, answers=8)
    assert _count(client, more.get_absolute_url()) == first


def test_a_space_moderator_sees_deleted_answers_without_extra_queries(
    people, private_space, django_assert_num_queries
):
    from knowhow.spaces.models import SpaceMembership

    for person in people:
        add_member(private_space, person)
    moderator = UserFactory()
    add_member(private_space, moderator, role=SpaceMembership.Role.MODERATOR)
    question = _busy_question(people, private_space, answers=3)
    for answer in question.answers.all():
        services.post_delete(post=answer, by=answer.author)
    client = _client(moderator)
    client.get(question.get_absolute_url())
    # Any write to the thread makes the next view render it again (the view is counted already).
    Post.objects.filter(pk=question.pk).update(last_activity_at=timezone.now())
    with django_assert_num_queries(AUTH + STATE + 4 + BADGES + VIDEOS):
        page = client.get(question.get_absolute_url())
    assert len(page.context["answers"]) == 3
    assert all(a.actions["undelete"] for a in page.context["answers"])


def test_no_page_issues_more_than_ten_queries(people, viewer, default_space, private_space):
    questions = _questions(22, people, [default_space, private_space])
    busy = _busy_question(people, default_space, answers=5)
    services.tag_follow(user=people[0], tag=busy.tags.first())
    services.post_edit(post=busy, by=people[0], body=busy.body + " More detail here.")
    for client in (_client(), _client(viewer)):
        for url in [
            reverse("qa:home"),
            reverse("qa:question_list"),
            f"{reverse('qa:question_list')}?tag=tag1",
            busy.get_absolute_url(),
            questions[0].get_absolute_url(),
            reverse("qa:tag_list"),
            reverse("qa:tag_detail", args=["tag1"]),
            f"{reverse('search:search')}?q=reports",
            reverse("qa:user_detail", args=[people[0].pk]),
            reverse("spaces:list"),
            default_space.get_absolute_url(),
            reverse("qa:revisions", args=[busy.pk]),
            reverse("qa:revision_detail", args=[busy.pk, 2]),
        ]:
            assert _count(client, url) <= 10, url
    member = _client(viewer)
    assert _count(member, private_space.get_absolute_url()) <= 10
    assert _count(member, questions[1].get_absolute_url()) <= 10
    for url in [reverse("accounts:profile"), reverse("accounts:tokens"), reverse("qa:ask")]:
        assert _count(member, url) <= 10, url


def test_htmx_partials_take_few_queries(people, default_space, django_assert_max_num_queries):
    """Writes: the counts include the savepoints the test transaction adds, and the tag names
    the activity signal carries."""
    question = _busy_question(people, default_space, answers=5)
    voter = _client(people[2])
    # A vote also checks for a silence or suspension (1), reads the day's vote-earned reputation
    # for the cap (1), writes its ledger line and the author's total (2) and moves the author's
    # per-tag scores (3 whatever the number of tags).
    with django_assert_max_num_queries(13 + 7):
        voter.post(
            reverse("qa:vote", args=[question.pk]), {"value": "1"}, headers={"HX-Request": "true"}
        )
    with django_assert_max_num_queries(14):
        voter.post(
            reverse("qa:comment_create", args=[question.pk]),
            {"body": "A new comment"},
            headers={"HX-Request": "true"},
        )
    asker = _client(people[0])
    # A first accepted answer also writes two ledger lines with their totals (4), the
    # answerer's per-tag scores (3), awards two badges, Scholar and Quick draw (3 each), and
    # the re-rendered answers show their authors' badge counts (1).
    with django_assert_max_num_queries(16 + 14):
        asker.post(
            reverse("qa:accept", args=[question.answers.first().pk]),
            headers={"HX-Request": "true"},
        )


def test_anonymous_list_totals_are_counted_once_a_minute(
    client, default_space, django_assert_num_queries
):
    from knowhow.core.tests.factories import QuestionFactory

    for i in range(3):
        QuestionFactory(space=default_space, title=f"Question about reports number {i}")
    first = client.get(reverse("qa:question_list"))
    assert first.context["page"].paginator.count == 3
    QuestionFactory(space=default_space, title="One more question about reports")
    with django_assert_num_queries(2):  # the page and its tags; the total comes from the cache
        again = client.get(reverse("qa:question_list"))
    assert again.context["page"].paginator.count == 3  # up to a minute old, by design
    assert len(again.context["page"].object_list) == 4
