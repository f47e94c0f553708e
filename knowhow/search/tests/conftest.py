"""Fixtures shared by the search tests."""

import pytest


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block with its on-commit callbacks (the post_changed signal) executed."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
