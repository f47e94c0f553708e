"""factory_boy factories for the models every app's tests need. Objects are made through
services where the service does bookkeeping (revisions, counters), so tests see real state."""

import factory

from knowhow.accounts.models import User
from knowhow.spaces.models import Space, SpaceMembership


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    # An ordinary established member: may vote, comment, flag and create tags under the
    # default "pilot" preset, but not edit others' posts, review or close. Tests about new
    # members ask for UserFactory(reputation=1), the value a real sign-up starts with.
    reputation = 200
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class SpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Space

    name = factory.Sequence(lambda n: f"Space {n}")
    slug = factory.Sequence(lambda n: f"space-{n}")
    visibility = Space.Visibility.ORGANISATION

    class Params:
        private = factory.Trait(visibility=Space.Visibility.PRIVATE)


def add_member(
    space: Space, user: User, role: str = SpaceMembership.Role.MEMBER
) -> SpaceMembership:
    return SpaceMembership.objects.create(space=space, user=user, role=role)


def QuestionFactory(  # noqa: N802  (reads like a factory at call sites)
    *,
    author: User | None = None,
    space: Space | None = None,
    title: str = "How do I export a report to CSV?",
    body: str = "I need the monthly numbers as a CSV file for the finance team.",
    tags=("reporting",),
):
    from knowhow.qa.models import Tag
    from knowhow.qa.services import TAG_RE, question_ask
    from knowhow.spaces.selectors import default_space

    author = author or UserFactory()
    space = space or default_space()
    if space.is_private and not SpaceMembership.objects.filter(space=space, user=author).exists():
        add_member(space, author)
    # The factory's tags exist already, as on a running site, so that a new member (who may not
    # create tags yet) can still be given a question; tests of tag creation call the service.
    for name in (t.strip().lower() for t in tags):
        if TAG_RE.match(name):
            Tag.objects.get_or_create(name=name)
    return question_ask(author=author, space=space, title=title, body=body, tags=list(tags))


def AnswerFactory(
    *,
    question,
    author: User | None = None,
    body: str = "Use the export button at the top right of the report.",
):  # noqa: N802
    from knowhow.qa.services import answer_post

    author = author or UserFactory()
    if (
        question.space.is_private
        and not SpaceMembership.objects.filter(space=question.space, user=author).exists()
    ):
        add_member(question.space, author)
    return answer_post(author=author, question=question, body=body)
