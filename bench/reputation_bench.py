"""Cost of the reputation ledger: votes cast per second through qa.vote_cast (which records
ledger lines, tag scores and badges) and the time to rebuild every total from the ledger.

    KNOWHOW_VAR_DIR=$(mktemp -d) .venv/bin/python bench/reputation_bench.py [votes]

Uses a fresh SQLite database in KNOWHOW_VAR_DIR (or DATABASE_URL if set).
"""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("TASKS_IMMEDIATE", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)

from knowhow.accounts.models import User  # noqa: E402
from knowhow.qa import services  # noqa: E402
from knowhow.reputation.models import ReputationEvent  # noqa: E402
from knowhow.reputation.services import reputation_rebuild  # noqa: E402
from knowhow.spaces.selectors import default_space  # noqa: E402


def main(votes: int) -> None:
    space = default_space()
    people = [
        User.objects.create_user(username=f"bench{i}", password="x", reputation=1000)
        for i in range(50)
    ]
    question = services.question_ask(
        author=people[0],
        space=space,
        title="A question for the benchmark",
        body="A body long enough for validation.",
        tags="bench",
    )
    answers = [
        services.answer_post(
            author=p, question=question, body=f"An answer number {i} for the benchmark."
        )
        for i, p in enumerate(people[1:21])
    ]
    pairs = [(a, v) for a in answers for v in people if v.pk != a.author_id][:votes]
    start = time.perf_counter()
    for answer, voter in pairs:
        services.vote_cast(post=answer, user=voter, value=1)
    elapsed = time.perf_counter() - start
    print(f"{len(pairs)} votes in {elapsed:.2f}s: {len(pairs) / elapsed:.0f} votes/s")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    answer, voter = pairs[-1]
    with CaptureQueriesContext(connection) as ctx:
        services.vote_cast(post=answer, user=voter, value=0)
    print(f"queries for withdrawing an upvote: {len(ctx.captured_queries)}")
    with CaptureQueriesContext(connection) as ctx:
        services.vote_cast(post=answer, user=voter, value=1)
    print(f"queries for an upvote on an answer: {len(ctx.captured_queries)}")
    events = ReputationEvent.objects.count()
    start = time.perf_counter()
    reputation_rebuild()
    print(f"rebuild of {events} ledger lines: {time.perf_counter() - start:.3f}s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
