#!/usr/bin/env python
"""Benchmark: the L&D dashboards over a year of activity by 20,000 people.

Builds a fresh database (SQLite under var/bench-analytics/ by default, or DATABASE_URL), fills it
with a year of raw events, questions and answers, runs the rollups (timed), then renders the
dashboard and its JSON data with Django's test client and reports p50/p95 per view.

    .venv/bin/python bench/analytics_dashboard.py [--people 20000] [--events-per-day 8000] [--runs 15]

Target (issue 8): every dashboard view renders in under 500 ms.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("KNOWHOW_VAR_DIR", str(ROOT / "var" / "bench-analytics"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("PLAIN_STATIC", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--events-per-day", type=int, default=8_000)
    parser.add_argument("--questions", type=int, default=30_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--reuse", action="store_true", help="Reuse an existing benchmark database."
    )
    args = parser.parse_args()

    var = Path(os.environ["KNOWHOW_VAR_DIR"])
    if not args.reuse and "DATABASE_URL" not in os.environ:
        for f in var.glob("knowhow.sqlite3*"):
            f.unlink()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if not args.reuse:
        if connection.vendor == "postgresql":
            call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)
        t = time.perf_counter()
        generate(args)
        print(f"generated data in {time.perf_counter() - t:.1f} s")
        from knowhow.analytics import rollups

        end = datetime.now(UTC).date()
        t = time.perf_counter()
        rollups.rollup_range(end - timedelta(days=args.days - 1), end)
        rollup_s = time.perf_counter() - t
        t = time.perf_counter()
        outcomes = rollups.refresh_question_outcomes()
        print(
            f"rollup of {args.days} days: {rollup_s:.1f} s ({rollup_s / args.days * 1000:.0f} ms/day); "
            f"{outcomes} question outcomes in {time.perf_counter() - t:.1f} s"
        )
    measure(args)


def generate(args: argparse.Namespace) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from knowhow.accounts.models import User
    from knowhow.analytics.models import Event, EventKind
    from knowhow.qa.models import Post, Tag
    from knowhow.spaces.models import Space
    from knowhow.spaces.selectors import default_space

    rng = random.Random(42)
    everyone = default_space()
    pilots = [
        Space.objects.create(
            name=f"Pilot {i}", slug=f"pilot-{i}", visibility=Space.Visibility.PRIVATE
        )
        for i in range(3)
    ]
    spaces = [everyone.pk] * 8 + [p.pk for p in pilots]
    departments = [f"Department {i}" for i in range(25)]
    password = make_password("bench-password")
    User.objects.bulk_create(
        [
            User(
                username=f"u{i}",
                email=f"u{i}@example.com",
                password=password,
                department=departments[i % 25],
                date_joined=datetime.now(UTC) - timedelta(days=rng.randint(0, 800)),
            )
            for i in range(args.people)
        ],
        batch_size=5000,
    )
    User.objects.create(
        username="bench-admin",
        email="a@example.com",
        password=password,
        is_staff=True,
        is_superuser=True,
    )
    user_ids = list(User.objects.values_list("pk", flat=True))
    dept_of = dict(User.objects.values_list("pk", "department"))
    tags = [Tag(name=f"topic-{i}") for i in range(300)]
    Tag.objects.bulk_create(tags)
    tag_names = [t.name for t in tags]
    weights = [1 / (i + 1) for i in range(len(tag_names))]
    end = datetime.now(UTC).replace(hour=23, minute=0, second=0, microsecond=0)
    start = end - timedelta(days=args.days)
    # Questions and answers, spread over the year.
    questions = []
    for i in range(args.questions):
        created = start + timedelta(seconds=rng.randint(0, args.days * 86400))
        questions.append(
            Post(
                post_type="question",
                space_id=rng.choice(spaces),
                author_id=rng.choice(user_ids),
                title=f"Question {i}",
                body="body",
                body_html="<p>body</p>",
                created_at=created,
                last_activity_at=created,
                view_count=int(rng.paretovariate(1.2) * 5),
            )
        )
    with transaction.atomic():
        Post.objects.bulk_create(questions, batch_size=5000)
        through = Post.tags.through
        q_rows = list(
            Post.objects.filter(post_type="question").values_list("pk", "space_id", "created_at")
        )
        through.objects.bulk_create(
            [
                through(post_id=pk, tag_id=tags[rng.choices(range(300), weights)[0]].pk)
                for pk, _, _ in q_rows
            ],
            batch_size=10000,
        )
        answers = []
        for pk, space_id, created in q_rows:
            for _ in range(rng.choice([0, 1, 1, 2, 3])):
                at = created + timedelta(hours=rng.expovariate(1 / 12))
                answers.append(
                    Post(
                        post_type="answer",
                        question_id=pk,
                        space_id=space_id,
                        author_id=rng.choice(user_ids),
                        body="answer",
                        body_html="<p>answer</p>",
                        created_at=at,
                        last_activity_at=at,
                        score=rng.randint(-1, 5),
                    )
                )
        Post.objects.bulk_create(answers, batch_size=5000)
    # A year of raw events.
    kinds = (
        [EventKind.QUESTION_VIEWED] * 70
        + [EventKind.SEARCH] * 12
        + [EventKind.VOTE_CAST] * 8
        + [EventKind.COMMENT_ADDED] * 3
        + [EventKind.ANSWER_POSTED] * 3
        + [EventKind.QUESTION_ASKED] * 2
        + [EventKind.VIDEO_PROGRESS] * 2
    )
    active_pool = user_ids[: int(len(user_ids) * 0.6)]
    q_ids = [pk for pk, _, _ in q_rows]
    for day in range(args.days):
        day_start = start + timedelta(days=day)
        batch = []
        for _ in range(args.events_per_day):
            actor = rng.choice(active_pool)
            kind = rng.choice(kinds)
            qid = rng.choice(q_ids)
            batch.append(
                Event(
                    kind=kind,
                    actor_id=actor,
                    department=dept_of[actor],
                    space_id=rng.choice(spaces),
                    question_id=qid,
                    post_id=qid,
                    tag_names=rng.choices(tag_names, weights)[0],
                    value=(
                        rng.choice([0, 0, 3, 12])
                        if kind == EventKind.SEARCH
                        else rng.choice([1, -1])
                        if kind == EventKind.VOTE_CAST
                        else rng.random()
                        if kind == EventKind.VIDEO_PROGRESS
                        else None
                    ),
                    meta={"q": f"term {rng.randint(0, 400)}"} if kind == EventKind.SEARCH else {},
                    occurred_at=day_start + timedelta(seconds=rng.randint(0, 86399)),
                )
            )
        Event.objects.bulk_create(batch, batch_size=5000)
        if day % 30 == 0:
            print(f"  events: day {day}/{args.days}", flush=True)


def measure(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from knowhow.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="bench-admin"))
    end = datetime.now(UTC).date()
    year = f"start={(end - timedelta(days=args.days - 1)).isoformat()}&end={end.isoformat()}"
    views = {
        "dashboard, last 30 days": "/analytics/",
        "dashboard, whole year": f"/analytics/?{year}",
        "dashboard, year, one department": f"/analytics/?{year}&department=Department+3",
        "dashboard, year, pilot space + comparison": f"/analytics/?{year}&space=pilot-1&compare=pilot-1",
        "JSON: activity, year": f"/analytics/data/activity.json?{year}",
        "CSV: knowledge gaps, year": f"/analytics/data/knowledge_gaps.csv?{year}",
    }
    print(f"\n{'view':48} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for label, url in views.items():
        client.get(url)  # warm up
        timings = []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        timings.sort()
        p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
        print(
            f"{label:48} {statistics.median(timings):8.0f} {p95:8.0f} {len(ctx.captured_queries):8d}"
        )


if __name__ == "__main__":
    main()
