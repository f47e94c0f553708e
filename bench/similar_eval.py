"""Evaluate similar-question ranking on a Stack Exchange dump's duplicate (and related) links.

For every link, the linking question's title and body are the query; we check where the linked
question lands among the results (the query question itself excluded). Reports recall@5 and
nDCG@10 for full-text alone, semantic alone and hybrid, and the latency of a hybrid suggestion.

    .venv/bin/python bench/similar_eval.py /work/shared/data/stackexchange/ai.stackexchange.com \
        [--reuse /tmp/knowhow-similar-XXXX] [--weights 0.1,0.25,0.5] [--query-body-chars 600,250]

It builds a throwaway SQLite database under a temporary directory (printed); nothing touches
var/. --reuse points at such a directory to skip the import and the embedding; --weights runs
the hybrid once per full-text weight (FEED_SIMILAR_FULLTEXT_WEIGHT) and --query-body-chars once
per length of query body the model reads (FEED_SIMILAR_QUERY_BODY_CHARS). Full-text is measured
both with the search index (IndexFullText, the default) and with the index-free SimpleFullText.
"""

import math
import os
import statistics
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument(
        "dump", nargs="?", default="/work/shared/data/stackexchange/ai.stackexchange.com"
    )
    parser.add_argument("--reuse", default="")
    parser.add_argument("--weights", default="")
    parser.add_argument("--query-body-chars", default="")
    args = parser.parse_args()
    dump = Path(args.dump)
    reuse = bool(args.reuse)
    tmp = args.reuse or tempfile.mkdtemp(prefix="knowhow-similar-")
    print(f"database in {tmp}")
    os.environ["KNOWHOW_VAR_DIR"] = tmp
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from bs4 import BeautifulSoup
    from django.core.management import call_command
    from django.utils import timezone

    from knowhow.feed import embeddings
    from knowhow.feed.similar import Mode, question_embed_many, similar_questions
    from knowhow.qa.models import Post
    from knowhow.spaces.selectors import default_space

    call_command("migrate", verbosity=0)
    space = default_space()
    now = timezone.now()
    questions = []
    for row in ET.parse(dump / "Posts.xml").getroot():
        if row.get("PostTypeId") != "1":
            continue
        body = BeautifulSoup(row.get("Body", ""), "html.parser").get_text(" ")
        questions.append(
            Post(
                post_type=Post.PostType.QUESTION,
                space=space,
                title=row.get("Title", ""),
                body=body,
                body_html="",
                created_at=now,
                last_activity_at=now,
                source="bench",
                source_id=int(row.get("Id")),
            )
        )
    if not reuse:
        Post.objects.bulk_create(questions, batch_size=500)
    from knowhow.search.services import question_index_rebuild

    question_index_rebuild()  # the full-text side is the search app's index
    by_source = dict(Post.objects.values_list("source_id", "pk"))

    links: dict[str, list[tuple[int, int]]] = {"duplicate": [], "related": []}
    for row in ET.parse(dump / "PostLinks.xml").getroot():
        a, b = int(row.get("PostId")), int(row.get("RelatedPostId"))
        if a in by_source and b in by_source and a != b:
            kind = "duplicate" if row.get("LinkTypeId") == "3" else "related"
            links[kind].append((by_source[a], by_source[b]))
    print(
        f"{len(questions)} questions, {len(links['duplicate'])} duplicate links, "
        f"{len(links['related'])} related links"
    )

    model = embeddings.embedder()
    if model is None:
        print("The embedding model is not installed: semantic and hybrid cannot be measured.")
    elif not reuse:
        started = time.perf_counter()
        cpu_started = time.process_time()
        all_q = list(Post.objects.order_by("pk"))
        for i in range(0, len(all_q), 64):
            question_embed_many(questions=all_q[i : i + 64])
        spent = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        print(
            f"embedded {len(all_q)} questions in {spent:.1f} s wall, {cpu:.1f} s CPU "
            f"({len(all_q) / cpu:.0f} questions per CPU-second)"
        )

    posts = Post.objects.in_bulk()
    from django.conf import settings

    weights = [float(w) for w in args.weights.split(",") if w] or [None]
    chars = [int(c) for c in args.query_body_chars.split(",") if c] or [None]
    simple = "knowhow.feed.similar.SimpleFullText"
    # (mode, full-text weight, query body characters, full-text ranker)
    modes = [(Mode.FULLTEXT, None, None, simple), (Mode.FULLTEXT, None, None, None)]
    if model:
        modes += [(Mode.SEMANTIC, None, c, None) for c in chars]
        modes += [(Mode.HYBRID, w, c, None) for w in weights for c in chars]
        modes += [(Mode.HYBRID, weights[0], chars[0], simple)]
    for kind, pairs in links.items():
        if not pairs:
            continue
        print(f"\n{kind} links ({len(pairs)} queries)")
        print("| mode | recall@5 | nDCG@10 |")
        print("| --- | ---: | ---: |")
        for mode, weight, body_chars, ranker in modes:
            if weight is not None:
                settings.FEED_SIMILAR_FULLTEXT_WEIGHT = weight
            settings.FEED_SIMILAR_QUERY_BODY_CHARS = body_chars or 120
            settings.FEED_SIMILAR_FULLTEXT = ranker or "knowhow.feed.similar.IndexFullText"
            recall, ndcg = [], []
            for query_id, target_id in pairs:
                q = posts[query_id]
                hits = similar_questions(
                    viewer=None, title=q.title, body=q.body, limit=10, exclude_id=q.pk, mode=mode
                ).hits
                ids = [h["question"].pk for h in hits]
                rank = ids.index(target_id) + 1 if target_id in ids else None
                recall.append(1.0 if rank and rank <= 5 else 0.0)
                ndcg.append(1.0 / math.log2(rank + 1) if rank else 0.0)
            label = mode + (" (SimpleFullText)" if ranker else "")
            if weight is not None:
                label += f", full-text weight {weight}"
            if body_chars is not None:
                label += f", query body {body_chars} chars"
            print(f"| {label} | {statistics.mean(recall):.3f} | {statistics.mean(ndcg):.3f} |")

    if hasattr(settings, "FEED_SIMILAR_FULLTEXT_WEIGHT") and args.weights:
        del settings.FEED_SIMILAR_FULLTEXT_WEIGHT
    settings.FEED_SIMILAR_FULLTEXT = "knowhow.feed.similar.IndexFullText"
    settings.FEED_SIMILAR_QUERY_BODY_CHARS = chars[0] or 120
    timings = []
    sample = list(posts.values())[:100]
    for q in sample:
        started = time.perf_counter()
        similar_questions(viewer=None, title=q.title, body=q.body, limit=10, exclude_id=q.pk)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"\nsuggestion latency ({'hybrid' if model else 'full-text'}, {len(sample)} queries): "
        f"median {statistics.median(timings):.0f} ms, p95 {p95:.0f} ms"
    )


if __name__ == "__main__":
    main()
