"""Evaluate similar-question ranking on a Stack Exchange dump's duplicate (and related) links.

For every link, the linking question's title and body are the query; we check where the linked
question lands among the results (the query question itself excluded). Reports recall@5 and
nDCG@10 for full-text alone, semantic alone and hybrid, and the latency of a hybrid suggestion.

    .venv/bin/python bench/similar_eval.py /work/shared/data/stackexchange/ai.stackexchange.com

It builds a throwaway SQLite database under a temporary directory; nothing touches var/.
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
    dump = Path(
        sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/stackexchange/ai.stackexchange.com"
    )
    tmp = tempfile.mkdtemp(prefix="knowhow-similar-")
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
    Post.objects.bulk_create(questions, batch_size=500)
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
    else:
        started = time.perf_counter()
        all_q = list(Post.objects.order_by("pk"))
        for i in range(0, len(all_q), 64):
            question_embed_many(questions=all_q[i : i + 64])
        spent = time.perf_counter() - started
        print(f"embedded {len(all_q)} questions in {spent:.1f} s ({len(all_q) / spent:.0f}/s)")

    posts = Post.objects.in_bulk()
    modes = [Mode.FULLTEXT] + ([Mode.SEMANTIC, Mode.HYBRID] if model else [])
    for kind, pairs in links.items():
        if not pairs:
            continue
        print(f"\n{kind} links ({len(pairs)} queries)")
        print("| mode | recall@5 | nDCG@10 |")
        print("| --- | ---: | ---: |")
        for mode in modes:
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
            print(f"| {mode} | {statistics.mean(recall):.3f} | {statistics.mean(ndcg):.3f} |")

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
