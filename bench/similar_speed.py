"""Time similar-question suggestions (GET /api/v1/questions/similar) on a 100k-question corpus.

    # build once (slow part; run it under cpu-share):
    .venv/bin/python bench/similar_speed.py build --dir /tmp/knowhow-similar-100k [--questions 100000]
    # measure (short; run it under cpu-exclusive):
    .venv/bin/python bench/similar_speed.py measure --dir /tmp/knowhow-similar-100k [--queries 200]

The corpus is synthetic: titles and bodies are word sequences sampled from the shared Stack
Exchange dump's text (so word frequencies, and therefore full-text match counts, are realistic),
indexed by the search app's real index. The stored question vectors are random unit vectors:
embedding 100k questions takes hours with the NumPy model and only query-time cost is measured
here (the scan over 100k stored vectors costs the same whatever they contain). The query is
embedded by the real model, each time. Requests go through Django's full stack (middleware,
URL routing, the API) with the test client, as an anonymous reader, in one process after one
first request (which loads the model and the vector matrix) and --warmup further requests (which
fill the process's cache of word frequencies; their timings are printed separately).
"""

import os
import random
import re
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path


def setup(directory: str) -> None:
    os.environ["KNOWHOW_VAR_DIR"] = directory
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{directory}/bench.sqlite3"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()


def dump_words(dump: Path) -> list[str]:
    from bs4 import BeautifulSoup

    words: list[str] = []
    for row in ET.parse(dump / "Posts.xml").getroot():
        text = (row.get("Title") or "") + " " + row.get("Body", "")
        text = BeautifulSoup(text, "html.parser").get_text(" ")
        words.extend(re.findall(r"[A-Za-z][A-Za-z0-9+#\-]{1,20}", text))
    return words


def build(directory: str, questions: int, dump: Path) -> None:
    setup(directory)
    import numpy as np
    from django.core.management import call_command
    from django.utils import timezone

    from knowhow.feed.models import QuestionEmbedding
    from knowhow.qa.models import Post
    from knowhow.search.services import question_index_rebuild
    from knowhow.spaces.selectors import default_space

    call_command("migrate", verbosity=0)
    words = dump_words(dump)
    rng = random.Random(7)
    space = default_space()
    now = timezone.now()
    started = time.perf_counter()
    batch: list[Post] = []
    for i in range(questions):
        start = rng.randrange(len(words) - 200)
        title_len, body_len = rng.randint(6, 12), rng.randint(40, 160)
        title = " ".join(words[start : start + title_len]).capitalize() + "?"
        body = " ".join(words[start + title_len : start + title_len + body_len]) + "."
        batch.append(
            Post(
                post_type=Post.PostType.QUESTION,
                space=space,
                title=title[:300],
                body=body,
                body_html=f"<p>{body}</p>",
                created_at=now,
                last_activity_at=now,
                score=rng.randint(-1, 20),
                source="bench",
                source_id=i + 1,
            )
        )
        if len(batch) == 5000:
            Post.objects.bulk_create(batch)
            batch = []
    Post.objects.bulk_create(batch)
    print(f"{questions} questions in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    print(f"indexed {question_index_rebuild()} in {time.perf_counter() - started:.0f} s")
    gen = np.random.default_rng(7)
    ids = list(Post.objects.values_list("pk", flat=True))
    for i in range(0, len(ids), 5000):
        chunk = ids[i : i + 5000]
        vectors = gen.standard_normal((len(chunk), 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        QuestionEmbedding.objects.bulk_create(
            QuestionEmbedding(
                question_id=pk,
                model="all-MiniLM-L6-v2",
                vector=vec.tobytes(),
                text_hash="synthetic",
                updated_at=now,
            )
            for pk, vec in zip(chunk, vectors, strict=True)
        )
    print(f"stored {len(ids)} random unit vectors")


def measure(directory: str, queries: int, dump: Path, warmup: int) -> None:
    setup(directory)
    from django.test import Client

    from knowhow.feed import embeddings

    words = dump_words(dump)
    rng = random.Random(11)
    client = Client()
    model = embeddings.embedder()
    print(f"embedder: {type(model).__name__ if model else 'none (full-text only)'}")

    def one() -> float:
        start = rng.randrange(len(words) - 200)
        title = " ".join(words[start : start + rng.randint(5, 12)])
        body = " ".join(words[start + 12 : start + 12 + rng.randint(0, 80)])
        began = time.perf_counter()
        response = client.get(
            "/api/v1/questions/similar", {"title": title, "body": body, "limit": 10}
        )
        spent = (time.perf_counter() - began) * 1000
        assert response.status_code == 200, response.content[:300]
        return spent

    began = time.perf_counter()
    one()
    print(f"first request (loads model and vectors): {(time.perf_counter() - began) * 1000:.0f} ms")
    if warmup:
        cold = sorted(one() for _ in range(warmup))
        print(
            f"{warmup} warm-up suggestions (word frequencies not yet cached): median "
            f"{statistics.median(cold):.0f} ms, p95 {cold[int(len(cold) * 0.95) - 1]:.0f} ms"
        )
    timings = sorted(one() for _ in range(queries))
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"{queries} suggestions: median {statistics.median(timings):.0f} ms, "
        f"p95 {p95:.0f} ms, max {timings[-1]:.0f} ms"
    )
    if model is not None:
        texts = [" ".join(words[i : i + 40]) for i in range(0, 40 * 50, 40)]
        began = time.perf_counter()
        for t in texts:
            model.embed([t])
        print(f"query embedding alone: {(time.perf_counter() - began) * 1000 / len(texts):.1f} ms")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["build", "measure"])
    parser.add_argument("--dir", default="/tmp/knowhow-similar-100k")
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument(
        "--dump", default="/work/shared/data/stackexchange/ai.stackexchange.com", type=Path
    )
    args = parser.parse_args()
    Path(args.dir).mkdir(parents=True, exist_ok=True)
    if args.action == "build":
        build(args.dir, args.questions, args.dump)
    else:
        measure(args.dir, args.queries, args.dump, args.warmup)


if __name__ == "__main__":
    main()
