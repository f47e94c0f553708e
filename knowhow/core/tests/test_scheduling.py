"""The periodic-task scheduler enqueues each schedule once per interval."""

from datetime import timedelta

import pytest
from django.utils import timezone

from knowhow.core import scheduling


class FakeTask:
    module_path = "tests.fake"

    def __init__(self):
        self.count = 0

    def enqueue(self):
        self.count += 1


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(scheduling, "_registry", {})
    return scheduling


@pytest.mark.django_db
def test_a_schedule_runs_once_per_interval(registry):
    task = FakeTask()
    registry.every(timedelta(hours=1), task)
    now = timezone.now()
    assert registry.run_due(now=now) == ["tests.fake"]
    assert registry.run_due(now=now + timedelta(minutes=30)) == []
    assert registry.run_due(now=now + timedelta(minutes=61)) == ["tests.fake"]
    assert task.count == 2


@pytest.mark.django_db
def test_a_failing_schedule_does_not_stop_the_others(registry):
    class Broken(FakeTask):
        module_path = "tests.broken"

        def enqueue(self):
            raise RuntimeError("boom")

    good = FakeTask()
    registry.every(timedelta(minutes=5), Broken())
    registry.every(timedelta(minutes=5), good)
    assert registry.run_due() == ["tests.fake"]
    assert good.count == 1
