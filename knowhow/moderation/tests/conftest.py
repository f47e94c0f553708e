import pytest
from django.core.cache import cache

from knowhow.reputation.config import preset_thresholds
from knowhow.reputation.privileges import CACHE_KEY, thresholds_changed


@pytest.fixture(autouse=True)
def _fresh_thresholds():
    """Threshold overrides live in the cache; a rolled-back test must not leave them behind.
    Afterwards the cache holds the preset (the empty test database has no overrides), so other
    apps' pinned query counts do not depend on the order tests run in."""
    thresholds_changed()
    yield
    cache.set(CACHE_KEY, preset_thresholds(), 300)


@pytest.fixture
def new_user(db):
    from knowhow.core.tests.factories import UserFactory
    from knowhow.qa.models import Tag

    Tag.objects.get_or_create(name="reporting")
    return UserFactory(reputation=1)


@pytest.fixture
def member(db):
    """Trust level 2 under the pilot preset: reviews, flags with weight 4 for spam."""
    from knowhow.core.tests.factories import UserFactory

    return UserFactory(reputation=400)


@pytest.fixture
def reviewer(db):
    from knowhow.core.tests.factories import UserFactory

    return UserFactory(reputation=400)
