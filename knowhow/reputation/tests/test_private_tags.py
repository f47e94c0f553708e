"""A person's tag scores and tag badges name tags; a tag used only inside a private space is
not named to people outside it (pages and API), and a badge's private post is not linked."""

import pytest
from django.urls import reverse

from knowhow.core.tests.factories import (
    AnswerFactory,
    QuestionFactory,
    SpaceFactory,
    UserFactory,
    add_member,
)
from knowhow.qa import services as qa
from knowhow.reputation.badges import badge_award

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    space = SpaceFactory(private=True)
    answerer, member = UserFactory(reputation=200), UserFactory()
    add_member(space, answerer)
    add_member(space, member)
    question = QuestionFactory(space=space, tags=("zanzibar-merger",))
    answer = AnswerFactory(question=question, author=answerer)
    qa.vote_cast(post=answer, user=question.author, value=1)
    badge_award(user=answerer, slug="tag-bronze-zanzibar-merger")
    badge_award(user=answerer, slug="enlightened", post=answer)
    return {"answerer": answerer, "member": member, "outsider": UserFactory()}


@pytest.mark.parametrize("who", ["anonymous", "outsider", "member"])
def test_private_tags_are_named_only_to_members(client, world, who):
    if who != "anonymous":
        client.force_login(world[who])
    person = world["answerer"]
    pages = [
        client.get(reverse("reputation:detail", args=[person.pk])).content.decode(),
        client.get(reverse("qa:user_detail", args=[person.pk])).content.decode(),
        client.get(f"/api/v1/users/{person.pk}/reputation").content.decode(),
        client.get(f"/api/v1/users/{person.pk}/badges").content.decode(),
    ]
    for page in pages:
        assert ("zanzibar-merger" in page) == (who == "member"), page[:300]
    badges = client.get(f"/api/v1/users/{person.pk}/badges").json()
    enlightened = next(b for b in badges if b["slug"] == "enlightened")
    assert (enlightened["post_id"] is not None) == (who == "member")
