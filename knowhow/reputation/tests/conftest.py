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
