import pytest

from knowhow.reputation.privileges import thresholds_changed


@pytest.fixture(autouse=True)
def _fresh_thresholds():
    """Threshold overrides live in the cache; a rolled-back test must not leave them behind."""
    thresholds_changed()
    yield
    thresholds_changed()


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
