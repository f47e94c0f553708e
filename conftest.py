"""Shared pytest fixtures for every app."""

import pytest

from knowhow.core.tests.factories import (  # noqa: F401  (re-exported fixtures below use them)
    AnswerFactory,
    QuestionFactory,
    SpaceFactory,
    UserFactory,
)


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def default_space(db):
    from knowhow.spaces.selectors import default_space as get_default

    return get_default()


@pytest.fixture
def private_space(db):
    return SpaceFactory(private=True)


@pytest.fixture
def question(db, user, default_space):
    return QuestionFactory(author=user, space=default_space)


@pytest.fixture
def logged_in_client(client, user):
    client.force_login(user)
    return client


# Browser fixtures (browser, page, new_page, login_as, axe) for every app's e2e tests.
pytest_plugins = ["knowhow.core.tests.browser"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache (list totals, thresholds, cached sessions)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
