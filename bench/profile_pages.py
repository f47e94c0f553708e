"""In-process timing of single requests (no load generator): median and p95 of N runs per page,
with the SQL time share, to separate the application's own cost from a saturated machine.

    KNOWHOW_VAR_DIR=var/bench .venv/bin/python bench/profile_pages.py [--runs 20]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("PLAIN_STATIC", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.load import search_queries  # noqa: E402
from knowhow.accounts.models import User  # noqa: E402
from knowhow.accounts.services import api_token_create  # noqa: E402
from knowhow.qa.models import Post, Tag  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", default="", help="only pages whose name starts with this")
    parser.add_argument("--searches", type=int, default=6, help="how many of the 12 searches")
    args = parser.parse_args()
    question = Post.objects.filter(post_type="question", space_id=1, answer_count__gte=2).order_by(
        "-id"
    )[10]
    pages = {
        "question_page": question.get_absolute_url(),
        "question_list": "/questions/",
        "tag_page": f"/tags/{question.tags.first().name}/",
        **{
            f"search {i} ({q[:30]})": "/search/?" + urlencode({"q": q})
            for i, q in enumerate(search_queries()[: args.searches])
        },
        "api_list": "/api/v1/questions",
        **{
            f"api_search {i} ({q[:26]})": "/api/v1/search?" + urlencode({"q": q})
            for i, q in enumerate(search_queries()[: args.searches])
        },
    }
    frequent = Tag.objects.order_by("-question_count").values_list("name", flat=True).first()
    pages |= {
        "tag_filter (most frequent tag)": f"/questions/?tag={frequent}",
        "tag_page (most frequent tag)": f"/tags/{frequent}/",
        "tag_api_list (most frequent tag)": f"/api/v1/questions?tag={frequent}",
    }
    pages = {name: url for name, url in pages.items() if name.startswith(args.only)}
    print(f"load average: {os.getloadavg()}")
    print(f"{'page':<44} {'who':<10} {'median ms':>10} {'p95 ms':>8} {'sql ms':>8} {'queries':>8}")
    pooled: dict[str, list[float]] = {}
    for who in ("anonymous", "logged_in"):
        client = Client()
        headers = {}
        if who == "logged_in":
            bench_user = User.objects.get(username="bench")
            client.force_login(bench_user)
            # The API with a personal token, as bench/load calls it.
            headers = {
                "Authorization": f"Bearer {api_token_create(user=bench_user, name='bench profile')[1]}"
            }
        for name, url in pages.items():
            extra = headers if url.startswith("/api/") else {}
            client.get(url, headers=extra)
            times, sql = [], []
            for _ in range(args.runs):
                with CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    response = client.get(url, headers=extra)
                    times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
                sql.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
            for kind in ("search", "api_search"):
                if name.startswith(kind + " "):
                    pooled.setdefault((kind, who), []).extend(times)
            times.sort()
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            print(
                f"{name:<44} {who:<10} {statistics.median(times):>10.1f} {p95:>8.1f} {statistics.median(sql):>8.1f} {len(ctx.captured_queries):>8}"
            )

    # Every search's requests together: what a mix of these searches costs per request.
    for (kind, who), times in pooled.items():
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(
            f"{'all ' + kind:<44} {who:<10} {statistics.median(times):>10.1f} {p95:>8.1f}"
            f"   ({len(times)} requests)"
        )


if __name__ == "__main__":
    main()
