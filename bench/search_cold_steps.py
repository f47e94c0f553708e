"""The cold ranking query of a `[tag] word` search on SQLite, timed step by step.

Runs the search once through the Django test client with both search caches off, keeps the
ranking query it ran (`ranked_candidates`), then times that query and its parts on a separate
read-only connection: the term's matches alone, the tag's posts, the matches in the tag, the
sort, bm25, the per-candidate check, and two PRAGMA variants. Median and minimum of 7 runs
(one more discarded). Results are compared: every variant that should rank the same must.

    KNOWHOW_VAR_DIR=var/bench /work/bin/cpu-exclusive .venv/bin/python bench/search_cold_steps.py \
        --tag python --word hikvortquam
"""

import argparse
import os
import sqlite3
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("PLAIN_STATIC", "1")
os.environ["SEARCH_RANKING_CACHE_SECONDS"] = "0"
os.environ["SEARCH_RESULT_CACHE_SECONDS"] = "0"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from knowhow.search.backends.sqlite import TABLE, WEIGHTS  # noqa: E402


def timed(db: sqlite3.Connection, label: str, sql: str, params=(), runs: int = 8) -> list:
    times = []
    rows: list = []
    for _ in range(runs):
        start = time.perf_counter()
        rows = db.execute(sql, params).fetchall()
        times.append((time.perf_counter() - start) * 1000)
    times = sorted(times[1:])
    print(f"| {label} | {times[len(times) // 2]:.1f} | {times[0]:.1f} | {len(rows)} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tag", default="python")
    parser.add_argument("--word", default="hikvortquam")
    args = parser.parse_args()
    client = Client()
    with CaptureQueriesContext(connection) as ctx:
        client.get("/search/?" + urlencode({"q": f"[{args.tag}] {args.word}"}))
    full = next(q["sql"] for q in ctx.captured_queries if "candidate.n <=" in q["sql"])
    path = settings.DATABASES["default"]["NAME"]
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    t, w, match = TABLE, WEIGHTS, f'"{args.word}"'
    tag = (
        "SELECT qa_post_tags.post_id FROM qa_post_tags JOIN qa_tag"
        " ON qa_post_tags.tag_id = qa_tag.id WHERE qa_tag.name = ?"
    )
    counted = db.execute(f"SELECT count(*) FROM {t} WHERE {t} MATCH ?", [match]).fetchone()[0]
    tagged = db.execute(f"SELECT count(*) FROM ({tag})", [args.tag]).fetchone()[0]
    print(f"{counted} matches of {match}, {tagged} posts tagged {args.tag}")
    print("| step | median ms | min ms | rows |\n| --- | ---: | ---: | ---: |")
    # OFFSET past the end: the rows are produced, but no result column is computed or returned.
    skip = "LIMIT 1 OFFSET 10000000"
    timed(
        db, "term matches, rowid only", f"SELECT rowid FROM {t} WHERE {t} MATCH ? {skip}", [match]
    )
    timed(db, "the tag's post ids", f"SELECT * FROM ({tag}) {skip}", [args.tag])
    in_tag = f"{t} MATCH ? AND +rowid IN ({tag})"
    timed(
        db,
        "matches in the tag, rowid only",
        f"SELECT rowid FROM {t} WHERE {in_tag} {skip}",
        [match, args.tag],
    )
    timed(
        db,
        "... sorted by a cheap key, best 2,002",
        f"SELECT rowid, rowid + 0.5 AS r FROM {t} WHERE {in_tag} ORDER BY r, rowid DESC LIMIT 2002",
        [match, args.tag],
    )
    inner = timed(
        db,
        "... by bm25, best 2,002 (the inner query)",
        f"SELECT rowid, bm25({t}, {w}) AS r FROM {t} WHERE {in_tag} ORDER BY r, rowid DESC LIMIT 2002",
        [match, args.tag],
    )
    timed(
        db,
        "bm25 over all matches, best 2,002",
        f"SELECT rowid, bm25({t}, {w}) AS r FROM {t} WHERE {t} MATCH ? ORDER BY r, rowid DESC LIMIT 2002",
        [match],
    )
    timed(
        db,
        "docsize rows of the tag's posts",
        f"SELECT count(sz) FROM {t}_docsize WHERE id IN ({tag})",
        [args.tag],
    )
    both = f'{match} AND tags:"{args.tag}"'
    timed(
        db,
        "FTS5 AND with the tag's token in `tags`, rowid only",
        f"SELECT rowid FROM {t} WHERE {t} MATCH ? AND +rowid IN ({tag}) {skip}",
        [both, args.tag],
    )
    # The tag phrase adds 0.0 to the score with the tags column's weight 0; the same ranking
    # only while the word itself never occurs in a candidate's tags.
    anded = timed(
        db,
        "... bm25 with the tags column's weight 0, best 2,002",
        f"SELECT rowid, bm25({t}, 10.0, 1.0, 0.0, 0.4) AS r FROM {t} WHERE {t} MATCH ?"
        f" AND +rowid IN ({tag}) ORDER BY r, rowid DESC LIMIT 2002",
        [both, args.tag],
    )
    print(f"same ranking as the inner query: {anded == inner}")
    ranked = timed(db, "whole ranking query (as run)", full)
    unchecked = timed(db, "... no check", full.replace("candidate.n <= 1101", "candidate.n <= 0"))
    print(f"same ids without the check: {[r[0] for r in ranked] == [r[0] for r in unchecked]}")
    for label, pragma in (
        ("cache_size 64 MB", "PRAGMA cache_size = -65536"),
        ("mmap_size 2 GB", "PRAGMA mmap_size = 2147483648"),
    ):
        other = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        other.execute(pragma).fetchall()
        timed(other, f"whole ranking query, {label}", full)
    # The plan driven by the tag's ids: FTS5 runs the query once per id (rowid IN, no `+`);
    # bm25's corpus statistics are read again for each, so only a few ids are timed.
    for n, with_rank in ((1000, False), (100, True)):
        rank = f", bm25({t}, {w})" if with_rank else ""
        sql = f"SELECT rowid{rank} FROM {t} WHERE {t} MATCH ? AND rowid IN ({tag} LIMIT {n})"
        start = time.perf_counter()
        db.execute(sql, [match, args.tag]).fetchall()
        per_id = (time.perf_counter() - start) * 1e6 / n
        print(f"per-id FTS5 lookups{' with bm25' if with_rank else ''}: {per_id:.1f} µs per id")


if __name__ == "__main__":
    main()
