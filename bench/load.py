"""Load benchmark: production server (knowhow serve) driven by wrk, anonymous and logged in.

Before the run it counts the SQL queries of every benchmarked page (Django test client on the
same database), so "no page issues more than 10 queries" is checked on the real corpus.
"""

import argparse
import contextlib
import json
import os
import platform
import random
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

# Words of the title templates in bench/generate.py: a search for them says nothing.
TEMPLATE_WORDS = {
    "how", "do", "i", "with", "fails", "after", "why", "does", "time", "out", "crash", "hang",
    "return", "500", "in", "best", "way", "to", "for", "error", "when", "the",
}  # fmt: skip


def search_queries(n: int = 12, seed: int = 11) -> list[str]:
    """Searches as people type them, drawn from the corpus: two or three words of a question's
    title, a quoted two-word phrase from one, a [tag] with a word, and is:answered with words."""
    from knowhow.qa.models import Post

    rng = random.Random(seed)
    last = Post.objects.filter(post_type="question").order_by("-id").values_list("id", flat=True)
    top = last.first() or 0
    out: list[str] = []
    while len(out) < n and top:
        row = (
            Post.objects.filter(post_type="question", space_id=1, id__gte=rng.randint(1, top))
            .order_by("id")
            .values_list("title", flat=True)
            .first()
        )
        words = [w for w in re.findall(r"[a-z]+", (row or "").lower()) if w not in TEMPLATE_WORDS]
        if len(words) < 3:
            continue
        kind = len(out) % 6
        if kind in (0, 1):
            out.append(" ".join(rng.sample(words, 2 + (kind == 1))))
        elif kind == 2:
            i = rng.randrange(len(words) - 1)
            out.append(f'"{words[i]} {words[i + 1]}"')
        elif kind == 3:
            tag = Post.objects.filter(title=row).values_list("tags__name", flat=True).first()
            out.append(f"[{tag}] {rng.choice(words)}")
        elif kind == 4:
            out.append(" ".join(rng.sample(words, 2)) + " is:answered")
        else:
            # Two words from different questions: what a person types who has no exact match.
            out.append(f"{rng.choice(words)} {out[0].split()[0]}")
    return out


def fixtures() -> dict:
    """Pick URLs from the corpus and log the bench user in (session cookie and API token)."""
    from django.contrib.sessions.backends.db import SessionStore

    from knowhow.accounts.models import User
    from knowhow.accounts.services import api_token_create, api_token_revoke
    from knowhow.qa.models import Post, Tag

    rng = random.Random(7)
    user = User.objects.get(username="bench")
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    # One active token per run is enough: revoke earlier runs' (a person may hold 20).
    for earlier in user.api_tokens.filter(revoked_at__isnull=True, name__startswith="bench "):
        api_token_revoke(user=user, token_id=earlier.pk)
    _, token = api_token_create(user=user, name=f"bench {time.time():.0f}")
    top = Post.objects.filter(post_type="question", space_id=1, answer_count__gte=2).order_by("-id")
    question_ids = list(top.values_list("id", flat=True)[:5000])
    questions = [Post.objects.get(pk=pk).get_absolute_url() for pk in rng.sample(question_ids, 50)]
    tags = [f"/tags/{t.name}/" for t in Tag.objects.order_by("-question_count")[:30]]
    from urllib.parse import urlencode

    queries = search_queries()
    searches = ["/search/?" + urlencode({"q": q}) for q in queries]
    api_searches = ["/api/v1/search?" + urlencode({"q": q}) for q in queries]
    return {
        "session": session.session_key,
        "token": token,
        "pages": {
            "ping": ["/ping"],
            "question_list": ["/questions/", "/questions/?sort=newest", "/questions/?page=2"],
            "question_page": questions,
            "tag_page": tags,
            "search": searches,
            "api_list": ["/api/v1/questions", "/api/v1/questions?sort=newest&page=2"],
            "api_search": api_searches,
        },
    }


def count_queries(fx: dict) -> dict:
    """Worst query count per page, anonymous and logged in."""
    out = {}
    for who in ("anonymous", "logged_in"):
        client = Client()
        headers = {}
        if who == "logged_in":
            client.cookies[settings.SESSION_COOKIE_NAME] = fx["session"]
            headers = {"Authorization": f"Bearer {fx['token']}"}
        for name, paths in fx["pages"].items():
            worst = 0
            for path in paths[:5]:
                client.get(path, headers=headers if path.startswith("/api/") else {})  # warm
                with CaptureQueriesContext(connection) as ctx:
                    response = client.get(path, headers=headers if path.startswith("/api/") else {})
                assert response.status_code == 200, (path, response.status_code)
                worst = max(worst, len(ctx.captured_queries))
            out[f"{name}/{who}"] = worst
    reset_queries()
    return out


def prime(port: int, paths: list[str], headers: list[str], rounds: int) -> None:
    """Request every path `rounds` times, two at a time, before the timed run: each worker
    process renders (and caches) a page the first time it serves it, ~40 ms for a question
    page, and 50 pages x 2 workers do not all get served within a few seconds of wrk warm-up,
    so first renders would fall into the measured seconds."""
    from concurrent.futures import ThreadPoolExecutor

    def fetch(path: str) -> None:
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
        for header in headers:
            key, value = header.split(": ", 1)
            request.add_header(key, value)
        with contextlib.suppress(OSError):  # wrk reports errors; priming is best effort
            urllib.request.urlopen(request, timeout=30).read()

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(fetch, [p for _ in range(rounds) for p in paths]))


def csrf_cookie(port: int, path: str, cookie: str) -> str:
    """The CSRF cookie the server sets on a signed-in page, as "name=value" ("" if none): a
    browser sends it back on every later request, so the signed-in phases do too. Without it
    (wrk alone keeps no cookies) every signed-in response would mint a new CSRF secret and
    send a Set-Cookie, which no real visitor causes after their first page."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    request.add_header(*cookie.split(": ", 1))
    with urllib.request.urlopen(request, timeout=30) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            name_value = header.split(";", 1)[0].strip()
            if name_value.startswith(f"{settings.CSRF_COOKIE_NAME}="):
                return name_value
    return ""


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not come up")


def run_wrk(
    *,
    port: int,
    paths: list[str],
    headers: list[str],
    connections: int,
    duration: int,
    threads: int,
) -> dict:
    env = dict(os.environ, WRK_PATHS="|".join(paths), WRK_HEADERS="|".join(headers))
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "bench" / "wrk_report.lua"),
        f"http://127.0.0.1:{port}",
    ]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    line = [ln for ln in result.stdout.splitlines() if ln.startswith("{")][-1]
    return json.loads(line)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8121)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--connections", default="8,32")
    parser.add_argument(
        "--prime",
        type=int,
        default=3,
        help="before the warm-up, request each URL this many times per worker (0: off)",
    )
    # Unset: what `knowhow serve` uses (WEB_WORKERS, WEB_THREADS or its defaults).
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument(
        "--no-csrf-cookie",
        action="store_true",
        help="signed in: do not send back the CSRF cookie (as wrk did before 2026-11-29)",
    )
    parser.add_argument("--only", default="", help="Comma-separated page names")
    parser.add_argument("--output", default="", help="Write the results as JSON here")
    args = parser.parse_args()

    subprocess.run(
        [str(ROOT / ".venv/bin/knowhow"), "collectstatic", "--noinput", "-v0"], check=True
    )
    fx = fixtures()
    print("searches:", ", ".join(search_queries()))
    queries = count_queries(fx)
    print("SQL queries per page (worst of 5 URLs):")
    for key, value in queries.items():
        print(f"  {key:<28} {value:>3}{'  > 10!' if value > 10 else ''}")
    connection.close()

    subprocess.run(
        [str(ROOT / ".venv/bin/knowhow"), "collectstatic", "--noinput", "-v0"], check=True
    )
    env = dict(os.environ, ACCESS_LOG="/dev/null", DEBUG="0")
    layout = []
    if args.workers is not None:
        layout += ["--workers", str(args.workers)]
        workers = args.workers
    else:
        from knowhow.core.management.commands.serve import web_workers

        workers = web_workers()
    if args.threads is not None:
        layout += ["--threads", str(args.threads)]
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/knowhow"), "serve", "--port", str(args.port), *layout],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    results = []
    try:
        wait_for(f"http://127.0.0.1:{args.port}/ping")
        only = [s for s in args.only.split(",") if s]
        question_pages = fx["pages"]["question_page"]
        cookie = f"Cookie: {settings.SESSION_COOKIE_NAME}={fx['session']}"
        csrf = "" if args.no_csrf_cookie else csrf_cookie(args.port, question_pages[0], cookie)
        if csrf:
            cookie += f"; {csrf}"
        print(f"signed in with the session cookie{' and the CSRF cookie' if csrf else ' only'}")
        bearer = f"Authorization: Bearer {fx['token']}"
        print(
            f"\nload average before: {os.getloadavg()}; {os.cpu_count()} CPUs; {platform.platform()}"
        )
        print(
            f"{'page':<15} {'who':<10} {'conn':>4} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'non-2xx':>8} {'load':>5}"
        )
        for conns in [int(c) for c in args.connections.split(",")]:
            for name, paths in fx["pages"].items():
                if only and name not in only:
                    continue
                for who in ("anonymous", "logged_in"):
                    if name == "ping" and who == "logged_in":
                        continue
                    headers = (
                        [] if who == "anonymous" else [bearer if name.startswith("api") else cookie]
                    )
                    if args.prime:
                        prime(args.port, paths, headers, rounds=args.prime * workers)
                    if args.warmup:
                        run_wrk(
                            port=args.port,
                            paths=paths,
                            headers=headers,
                            connections=conns,
                            duration=args.warmup,
                            threads=2,
                        )
                    r = run_wrk(
                        port=args.port,
                        paths=paths,
                        headers=headers,
                        connections=conns,
                        duration=args.duration,
                        threads=2,
                    )
                    r.update(page=name, who=who, connections=conns, load=os.getloadavg()[0])
                    results.append(r)
                    print(
                        f"{name:<15} {who:<10} {conns:>4} {r['rps']:>8.1f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['non2xx']:>8} {r['load']:>5.1f}",
                        flush=True,
                    )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(
            json.dumps(
                {"vendor": settings.DB_VENDOR, "queries": queries, "results": results}, indent=2
            )
        )


if __name__ == "__main__":
    main()
