"""Events are captured from real activity and rolled up into what the dashboards read."""

from datetime import timedelta

import pytest
from django.utils import timezone

from knowhow.analytics import rollups, selectors
from knowhow.analytics.models import DailyMetric, Dimension, Event, EventKind
from knowhow.analytics.selectors import Filters
from knowhow.core.signals import activity
from knowhow.core.tests.factories import AnswerFactory, QuestionFactory
from knowhow.qa import services as qa

pytestmark = pytest.mark.django_db


def _metric(day, metric, dimension=Dimension.ALL, key=""):
    row = DailyMetric.objects.filter(day=day, dimension=dimension, key=key, metric=metric).first()
    return row.value if row else 0


def test_qa_activity_becomes_events(user, other_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        q = QuestionFactory(author=user, tags=["excel"])
        a = AnswerFactory(question=q, author=other_user)
        qa.vote_cast(post=a, user=user, value=1)
        qa.answer_accept(answer=a, by=user)
        qa.comment_add(post=a, author=user, body="Thanks, that worked!")
    # (Badges earned on the way, such as a first question, are events too.)
    kinds = list(
        Event.objects.exclude(kind="badge_awarded").order_by("id").values_list("kind", flat=True)
    )
    assert kinds == [
        "question_asked",
        "answer_posted",
        "vote_cast",
        "answer_accepted",
        "comment_added",
    ]
    assert Event.objects.filter(kind="badge_awarded").exists()
    asked = Event.objects.get(kind="question_asked")
    assert (asked.actor_id, asked.tag_names, asked.question_id) == (user.pk, "excel", q.pk)


def test_a_question_view_is_recorded_once_per_viewer_per_day(
    client, user, question, django_capture_on_commit_callbacks
):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(question.get_absolute_url())
    assert response.status_code == 200
    assert list(Event.objects.values_list("kind", flat=True)) == ["question_viewed"]
    with django_capture_on_commit_callbacks(execute=True):
        client.get(question.get_absolute_url())  # the same viewer, the same day: not counted again
    assert Event.objects.count() == 1


def test_events_raised_during_a_request_are_written_in_one_insert(user, django_assert_num_queries):
    from knowhow.analytics.services import PendingEvent, buffer_flush, buffer_start, event_record

    buffer_start()
    for _ in range(5):
        event_record(
            PendingEvent(kind=EventKind.SEARCH, actor_id=user.pk, value=0, meta={"q": "x"})
        )
    assert Event.objects.count() == 0
    with django_assert_num_queries(2):  # the actors' departments, then one bulk insert
        assert buffer_flush() == 5
    assert Event.objects.count() == 5


def test_unknown_activity_kinds_are_ignored():
    activity.send(sender=None, kind="something_new", actor_id=None)
    assert not Event.objects.exists()


def test_rollup_counts_people_and_activity(activity_world):
    now = activity_world["now"]
    start = (now - timedelta(days=60)).date()
    rollups.rollup_range(start, now.date())
    rollups.refresh_question_outcomes()
    total_questions = DailyMetric.objects.filter(
        dimension=Dimension.ALL, metric="questions"
    ).values_list("value", flat=True)
    assert sum(total_questions) == 40
    by_department = sum(
        DailyMetric.objects.filter(dimension=Dimension.DEPARTMENT, metric="questions").values_list(
            "value", flat=True
        )
    )
    assert by_department == 40
    # Monthly active people never fall below weekly, nor weekly below daily.
    day = now.date()
    assert _metric(day, "mau") >= _metric(day, "wau") >= _metric(day, "dau")
    assert _metric(day, "mau") > 0
    # Tone of the day's comments from VADER: one happy, one unhappy.
    yesterday = day - timedelta(days=1)
    assert _metric(yesterday, "tone_positive") == 1
    assert _metric(yesterday, "tone_negative") == 1


def test_rolling_up_twice_replaces_rather_than_adds(activity_world):
    day = activity_world["now"].date()
    rollups.rollup_day(day)
    first = DailyMetric.objects.count()
    rollups.rollup_day(day)
    assert DailyMetric.objects.count() == first


def test_selectors_answer_the_learning_teams_questions(activity_world):
    now = activity_world["now"]
    rollups.rollup_range((now - timedelta(days=60)).date(), now.date())
    rollups.refresh_question_outcomes()
    f = Filters(start=(now - timedelta(days=60)).date(), end=now.date())
    times = selectors.answer_times(f)
    assert times["asked"] == 40 and times["answered"] == 30 and times["answer_rate"] == 0.75
    assert 1 <= times["median_hours_to_first_answer"] <= 30
    unanswered = selectors.unanswered_by_tag(f)
    assert unanswered[0] == {"tag": "security", "unanswered": 10}
    gaps = selectors.knowledge_gaps(f)
    assert gaps[0]["tag"] == "security"
    zero = selectors.top_zero_result_searches(f)
    assert zero[0] == {"term": "vpn token", "zero_result_searches": 2, "searches": 2}
    assert all(row["term"] != "excel pivot" for row in zero)
    contributors = selectors.top_contributors(f)
    assert contributors and contributors[0]["answers"] >= 1
    by_tag = {r["tag"]: r for r in selectors.answer_times_by_tag(f)}
    assert by_tag["security"]["median_hours_to_first_answer"] is None
    assert by_tag["excel"]["median_hours_to_first_answer"] is not None


def test_department_filter_narrows_the_numbers(activity_world):
    now = activity_world["now"]
    rollups.rollup_range((now - timedelta(days=60)).date(), now.date())
    rollups.refresh_question_outcomes()
    all_f = Filters(start=(now - timedelta(days=60)).date(), end=now.date())
    sales = Filters(start=all_f.start, end=all_f.end, department="Sales")
    assert 0 < selectors.answer_times(sales)["asked"] < selectors.answer_times(all_f)["asked"]
    assert sum(v for _, v in selectors.metric_series(sales, ["questions"])["questions"]) < 40


def test_old_raw_events_are_purged_by_the_retention_task(user, settings):
    from knowhow.privacy.registry import retention_rules

    rules = {r.model: r for r in retention_rules()}
    assert rules["analytics.Event"].date_field == "occurred_at"
    assert rules["analytics.Event"].setting == "analytics_events"
    from knowhow.privacy.services import retention_purge

    settings.KNOWHOW = {
        **settings.KNOWHOW,
        "RETENTION_DAYS": {**settings.KNOWHOW["RETENTION_DAYS"], "analytics_events": 30},
    }
    Event.objects.create(
        kind=EventKind.SEARCH, actor=user, occurred_at=timezone.now() - timedelta(days=31)
    )
    Event.objects.create(kind=EventKind.SEARCH, actor=user, occurred_at=timezone.now())
    retention_purge()
    assert Event.objects.count() == 1


def test_the_backfill_command_rolls_up_a_period(activity_world, capsys):
    from django.core.management import call_command

    now = activity_world["now"]
    call_command(
        "analytics-rollup",
        since=(now - timedelta(days=59)).date().isoformat(),
        until=now.date().isoformat(),
    )
    out = capsys.readouterr().out
    assert "question outcomes written" in out
    assert (
        sum(
            DailyMetric.objects.filter(dimension=Dimension.ALL, metric="questions").values_list(
                "value", flat=True
            )
        )
        == 40
    )


def test_the_backfill_command_refuses_bad_dates():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("analytics-rollup", since="last week")
    with pytest.raises(CommandError):
        call_command("analytics-rollup", since="2026-02-01", until="2026-01-01")


@pytest.mark.parametrize(
    ("start", "end", "edges", "months"),
    [
        ("2026-01-10", "2026-01-20", [("2026-01-10", "2026-01-20")], None),
        ("2026-01-01", "2026-01-31", [], ("2026-01-01", "2026-01-01")),
        (
            "2026-01-15",
            "2026-04-10",
            [("2026-01-15", "2026-01-31"), ("2026-04-01", "2026-04-10")],
            ("2026-02-01", "2026-03-01"),
        ),
        ("2025-12-31", "2026-02-28", [("2025-12-31", "2025-12-31")], ("2026-01-01", "2026-02-01")),
    ],
)
def test_periods_split_into_daily_edges_and_whole_months(start, end, edges, months):
    from datetime import date

    f = Filters(start=date.fromisoformat(start), end=date.fromisoformat(end))
    got_edges, got_months = f.split_by_month()
    assert [(a.isoformat(), b.isoformat()) for a, b in got_edges] == edges
    assert (got_months and (got_months[0].isoformat(), got_months[1].isoformat())) == months


def test_monthly_tables_give_the_same_answers_as_daily_ones(activity_world):
    now = activity_world["now"]
    start = (now - timedelta(days=60)).date()
    rollups.rollup_range(start, now.date())
    f = Filters(start=start, end=now.date())
    by_month = selectors.top_contributors(f, limit=50)
    from django.db.models import Sum

    from knowhow.analytics.models import ContributorDaily

    daily = {
        r["user_id"]: r["answers"]
        for r in ContributorDaily.objects.filter(day__gte=start, day__lte=now.date())
        .values("user_id")
        .annotate(answers=Sum("answers"))
    }
    assert {r["user_id"]: r["answers"] for r in by_month} == {k: v for k, v in daily.items()}
