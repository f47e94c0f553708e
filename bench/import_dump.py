"""Benchmark: generate a synthetic Stack Exchange dump and import it; report posts/s and peak RSS.

    .venv/bin/python bench/import_dump.py --posts 1000000 --db sqlite
    .venv/bin/python bench/import_dump.py --posts 1000000 --db postgres \
        --postgres-url postgres://postgres@127.0.0.1:5432/bench_import

The dump goes to var/bench/se-<posts>/ (outside git; regenerated only when missing) and has
every file of a real dump in roughly a real site's proportions: per post one PostHistory body
row (questions also a title and a tags row), 0.5 comments and 1.5 votes; 1 user per 10 posts,
1 badge per 5 posts, 1 link per 100 posts. The import runs in its own process (`knowhow
import-stackexchange`, without progress bars and without the post-import rebuild commands) on
a fresh database; its wall time and peak memory are reported: the peak RSS of the biggest
single process (wait4 ru_maxrss, which covers the importer and the reader process it starts)
and the peak of their sum, sampled from /proc every 0.1 s.
"""

import argparse
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "you",
    "that",
    "it",
    "for",
    "on",
    "with",
    "as",
    "are",
    "this",
    "be",
    "can",
    "at",
    "or",
    "from",
    "by",
    "an",
    "not",
    "we",
    "how",
    "what",
    "model",
    "data",
    "network",
    "neural",
    "learning",
    "training",
    "layer",
    "function",
    "value",
    "error",
    "loss",
    "python",
    "report",
    "export",
    "file",
    "table",
    "query",
    "server",
    "user",
    "team",
    "build",
    "test",
    "deploy",
    "cache",
    "index",
]


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _esc(value: str) -> str:
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#xA;")
    )


def _date(i: int) -> str:
    # Spread over about three years, second resolution plus milliseconds.
    seconds = 1_500_000_000 + i * 90
    t = time.gmtime(seconds)
    return time.strftime("%Y-%m-%dT%H:%M:%S", t) + f".{i % 1000:03d}"


class _Writer:
    def __init__(self, path: Path, root: str) -> None:
        self.file = path.open("w", encoding="utf-8-sig", newline="\n", buffering=1 << 20)
        self.root = root
        self.file.write(f'<?xml version="1.0" encoding="utf-8"?>\n<{root}>\n')

    def row(self, attrs: str) -> None:
        self.file.write(f"  <row {attrs} />\n")

    def close(self) -> None:
        self.file.write(f"</{self.root}>\n")
        self.file.close()


def generate(directory: Path, posts: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    tmp = directory.with_suffix(".partial")
    tmp.mkdir(parents=True, exist_ok=True)
    n_users = max(posts // 10, 10)
    n_tags = 2000
    tags = [f"tag-{i}" for i in range(n_tags)]

    users = _Writer(tmp / "Users.xml", "users")
    for uid in range(1, n_users + 1):
        users.row(
            f'Id="{uid}" Reputation="{rng.randint(1, 50000)}" CreationDate="{_date(uid)}" '
            f'DisplayName="User {uid}" LastAccessDate="{_date(uid + 10)}" '
            f'AboutMe="{_esc("<p>" + _text(rng, 12) + "</p>")}" Views="0" UpVotes="0" DownVotes="0"'
        )
    users.close()

    tag_file = _Writer(tmp / "Tags.xml", "tags")
    wiki_base = posts + 1
    for i, name in enumerate(tags, start=1):
        extra = ""
        if i <= 100:
            extra = f' ExcerptPostId="{wiki_base + 2 * i}" WikiPostId="{wiki_base + 2 * i + 1}"'
        tag_file.row(f'Id="{i}" TagName="{name}" Count="0"{extra}')
    tag_file.close()

    post_file = _Writer(tmp / "Posts.xml", "posts")
    history = _Writer(tmp / "PostHistory.xml", "posthistory")
    comments = _Writer(tmp / "Comments.xml", "comments")
    votes = _Writer(tmp / "Votes.xml", "votes")
    links = _Writer(tmp / "PostLinks.xml", "postlinks")
    history_id = comment_id = vote_id = link_id = 0
    question = 0
    questions: list[int] = []
    for pid in range(1, posts + 1):
        owner = rng.randint(1, n_users)
        created = _date(pid)
        markdown = f"{_text(rng, 40)}\n\n`{_text(rng, 3)}` {_text(rng, 30)}\n\n    {_text(rng, 8)}"
        body = (
            f"<p>{_text(rng, 40)}</p>\n\n<p><code>{_text(rng, 3)}</code> {_text(rng, 30)}</p>\n\n"
            f"<pre><code>{_text(rng, 8)}\n</code></pre>\n"
        )
        score = rng.randint(-2, 20)
        guid = f"{pid:08x}-0000-4000-8000-000000000000"
        if pid % 3 == 1:
            question = pid
            questions.append(pid)
            title = _text(rng, 8).capitalize() + "?"
            names = rng.sample(tags, 3)
            tag_str = _esc("".join(f"<{t}>" for t in names))
            accepted = f' AcceptedAnswerId="{pid + 1}"' if pid + 1 <= posts and pid % 2 else ""
            post_file.row(
                f'Id="{pid}" PostTypeId="1"{accepted} CreationDate="{created}" Score="{score}" '
                f'ViewCount="{rng.randint(1, 5000)}" Body="{_esc(body)}" OwnerUserId="{owner}" '
                f'LastActivityDate="{created}" Title="{_esc(title)}" Tags="{tag_str}" '
                f'AnswerCount="2" CommentCount="0" ContentLicense="CC BY-SA 4.0"'
            )
            for type_id, text in ((1, title), (2, markdown), (3, tag_str)):
                history_id += 1
                history.row(
                    f'Id="{history_id}" PostHistoryTypeId="{type_id}" PostId="{pid}" '
                    f'RevisionGUID="{guid}" CreationDate="{created}" UserId="{owner}" '
                    f'Text="{text if type_id == 3 else _esc(text)}" ContentLicense="CC BY-SA 4.0"'
                )
        else:
            post_file.row(
                f'Id="{pid}" PostTypeId="2" ParentId="{question}" CreationDate="{created}" '
                f'Score="{score}" Body="{_esc(body)}" OwnerUserId="{owner}" '
                f'LastActivityDate="{created}" CommentCount="0" ContentLicense="CC BY-SA 4.0"'
            )
            history_id += 1
            history.row(
                f'Id="{history_id}" PostHistoryTypeId="2" PostId="{pid}" RevisionGUID="{guid}" '
                f'CreationDate="{created}" UserId="{owner}" Text="{_esc(markdown)}" '
                'ContentLicense="CC BY-SA 4.0"'
            )
        if pid % 2 == 0:
            comment_id += 1
            comments.row(
                f'Id="{comment_id}" PostId="{pid}" Score="{rng.randint(0, 3)}" '
                f'Text="{_esc(_text(rng, 15))}" CreationDate="{created}" '
                f'UserId="{rng.randint(1, n_users)}" ContentLicense="CC BY-SA 4.0"'
            )
        for _ in range(1 + (pid % 2)):
            vote_id += 1
            kind = 2 if rng.random() < 0.85 else 3
            votes.row(
                f'Id="{vote_id}" PostId="{pid}" VoteTypeId="{kind}" CreationDate="{created[:10]}T00:00:00.000"'
            )
        if pid % 100 == 0 and len(questions) > 2:
            link_id += 1
            a, b = rng.sample(questions[-1000:], 2)
            links.row(
                f'Id="{link_id}" CreationDate="{created}" PostId="{a}" RelatedPostId="{b}" '
                f'LinkTypeId="{3 if link_id % 5 == 0 else 1}"'
            )
    for i in range(1, 101):
        for offset, kind, body in ((0, 4, _text(rng, 20)), (1, 5, f"<p>{_text(rng, 80)}</p>")):
            post_file.row(
                f'Id="{wiki_base + 2 * i + offset}" PostTypeId="{kind}" CreationDate="{_date(i)}" '
                f'Score="0" Body="{_esc(body)}" LastActivityDate="{_date(i)}" '
                'ContentLicense="CC BY-SA 4.0"'
            )
    for w in (post_file, history, comments, votes, links):
        w.close()

    badges = _Writer(tmp / "Badges.xml", "badges")
    for bid in range(1, posts // 5 + 1):
        badges.row(
            f'Id="{bid}" UserId="{rng.randint(1, n_users)}" Name="{rng.choice(["Student", "Teacher", "Editor", "Supporter", "Nice Answer"])}" '
            f'Date="{_date(bid)}" Class="{rng.randint(1, 3)}" TagBased="False"'
        )
    badges.close()
    tmp.rename(directory)


def _fresh_database(db: str, postgres_url: str, sqlite_path: Path) -> str:
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{sqlite_path}"
    name = postgres_url.rsplit("/", 1)[1]
    host_args = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["dropdb", *host_args, "--if-exists", name], check=True)
    subprocess.run(["createdb", *host_args, name], check=True)
    return postgres_url


def _tree_rss_kb(pid: int) -> int:
    """The summed RSS of `pid` and its descendants, in kB (0 once it is gone)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


class _RssSampler(threading.Thread):
    """The peak summed RSS of a process tree, sampled every 0.1 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.1):
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(self.pid))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/bench_import")
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument(
        "--single-process", action="store_true", help="pass --single-process to the import"
    )
    args = parser.parse_args()

    args.dir.mkdir(parents=True, exist_ok=True)
    dump = args.dir / f"se-{args.posts}" / "bench.stackexchange.com"
    if not dump.is_dir():
        started = time.perf_counter()
        dump.parent.mkdir(parents=True, exist_ok=True)
        generate(dump, args.posts)
        print(f"generated {dump} in {time.perf_counter() - started:.0f} s", flush=True)
    size = sum(p.stat().st_size for p in dump.glob("*.xml"))
    print(f"dump: {args.posts:,} posts, {size / 1e6:,.0f} MB of XML", flush=True)

    url = _fresh_database(args.db, args.postgres_url, args.dir / "import-bench.sqlite3")
    env = {**os.environ, "DATABASE_URL": url, "KNOWHOW_VAR_DIR": str(args.dir / "var")}
    knowhow = str(Path(sys.executable).parent / "knowhow")
    subprocess.run([knowhow, "migrate", "-v0"], env=env, check=True)

    load_before = os.getloadavg()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [
            knowhow,
            "import-stackexchange",
            str(dump),
            "--no-progress",
            "--skip-post-import",
            *(["--single-process"] if args.single_process else []),
        ],
        env=env,
    )
    sampler = _RssSampler(proc.pid)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    load_after = os.getloadavg()
    if status != 0:
        sys.exit(f"import failed with status {status}")
    peak_mb = usage.ru_maxrss / 1024  # kilobytes on Linux; the biggest single process
    cpu = usage.ru_utime + usage.ru_stime
    print(
        f"\n{args.db}: {args.posts:,} posts in {elapsed:,.1f} s wall = {args.posts / elapsed:,.0f} posts/s;"
        f" importer CPU (with its reader process) {cpu:,.1f} s = {args.posts / cpu:,.0f} posts"
        " per CPU-second;"
        f" peak RSS {peak_mb:,.0f} MB (one process), {sampler.peak_kb / 1024:,.0f} MB"
        f" (all processes, sampled); load average {load_before[0]:.2f} before,"
        f" {load_after[0]:.2f} after (1-minute)"
    )


if __name__ == "__main__":
    main()
