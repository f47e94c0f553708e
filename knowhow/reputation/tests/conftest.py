import pytest

from knowhow.reputation.privileges import thresholds_changed


@pytest.fixture(autouse=True)
def _fresh_thresholds():
    """Threshold overrides live in the cache; a rolled-back test must not leave them behind."""
    thresholds_changed()
    yield
    thresholds_changed()
