import pytest
from django.db import connection

from knowhow.core.scheduling import schedules
from knowhow.core.tasks import refresh_query_planner_statistics, refresh_statistics
from knowhow.core.tests.factories import QuestionFactory


def test_planner_statistics_are_refreshed_daily():
    assert any(s.task is refresh_statistics and s.interval.days == 1 for s in schedules())


@pytest.mark.django_db
def test_refreshing_statistics_records_the_post_indexes():
    for _ in range(3):
        QuestionFactory()
    refresh_query_planner_statistics()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = 'qa_post'")
            indexes = {row[0] for row in cursor.fetchall()}
        assert {"post_count_visible", "post_list_active"} <= indexes
