"""Generate a realistic Q&A corpus for load benchmarks, with bulk inserts.

100,000 questions, 250,000 answers, 400,000 comments, 20,000 users, 2,000 tags (Zipf), votes.
Bodies are Markdown composed from a pool of paragraphs, lists and code blocks. Each fragment is
rendered once by the real renderer and the HTML of a body is the join of its fragments' HTML
(block-level Markdown separated by blank lines renders piecewise), which is how 350,000 bodies
get their body_html in bulk. Ids are assigned here, so no row is read back.
"""

import argparse
import random
import sys
import time
from bisect import bisect
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402
import django.apps  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models.fields import AutoFieldMixin  # noqa: E402

from knowhow.core.rendering import render_inline_markdown, render_markdown  # noqa: E402

TECH = [
    "python",
    "django",
    "flask",
    "fastapi",
    "postgres",
    "sqlite",
    "mysql",
    "redis",
    "kafka",
    "rabbitmq",
    "docker",
    "kubernetes",
    "helm",
    "terraform",
    "ansible",
    "nginx",
    "apache",
    "linux",
    "ubuntu",
    "debian",
    "windows",
    "macos",
    "bash",
    "powershell",
    "git",
    "github",
    "gitlab",
    "jenkins",
    "ci",
    "cd",
    "pipeline",
    "deploy",
    "release",
    "build",
    "test",
    "pytest",
    "unittest",
    "mock",
    "fixture",
    "coverage",
    "java",
    "spring",
    "maven",
    "gradle",
    "kotlin",
    "scala",
    "go",
    "rust",
    "cargo",
    "javascript",
    "typescript",
    "node",
    "npm",
    "react",
    "vue",
    "angular",
    "webpack",
    "vite",
    "css",
    "html",
    "json",
    "yaml",
    "xml",
    "csv",
    "excel",
    "pandas",
    "numpy",
    "matplotlib",
    "jupyter",
    "notebook",
    "sql",
    "query",
    "index",
    "join",
    "migration",
    "schema",
    "table",
    "column",
    "transaction",
    "lock",
    "deadlock",
    "timeout",
    "latency",
    "cache",
    "memory",
    "cpu",
    "thread",
    "process",
    "async",
    "await",
    "promise",
    "callback",
    "event",
    "queue",
    "worker",
    "cron",
    "scheduler",
    "log",
    "logging",
    "metrics",
    "grafana",
    "prometheus",
    "alert",
    "dashboard",
    "monitoring",
    "tracing",
    "oauth",
    "saml",
    "ldap",
    "sso",
    "token",
    "jwt",
    "session",
    "cookie",
    "password",
    "certificate",
    "tls",
    "ssl",
    "https",
    "proxy",
    "vpn",
    "firewall",
    "dns",
    "network",
    "socket",
    "http",
    "api",
    "rest",
    "graphql",
    "grpc",
    "endpoint",
    "request",
    "response",
    "header",
    "status",
    "error",
    "exception",
    "stacktrace",
    "bug",
    "crash",
    "leak",
    "performance",
    "profile",
    "benchmark",
    "optimize",
    "refactor",
    "design",
    "pattern",
    "class",
    "function",
    "method",
    "variable",
    "module",
    "package",
    "dependency",
    "version",
    "upgrade",
    "install",
    "config",
    "setting",
    "environment",
    "secret",
    "vault",
    "backup",
    "restore",
    "s3",
    "bucket",
    "storage",
    "disk",
    "volume",
    "container",
    "image",
    "registry",
    "cluster",
    "node",
    "pod",
    "service",
    "ingress",
    "load",
    "balancer",
    "report",
    "export",
    "import",
    "pipeline",
    "spreadsheet",
    "invoice",
    "payroll",
    "onboarding",
    "laptop",
    "printer",
    "wifi",
    "license",
]
COMMON = [
    "the",
    "a",
    "an",
    "to",
    "of",
    "and",
    "in",
    "is",
    "it",
    "for",
    "on",
    "with",
    "that",
    "this",
    "how",
    "do",
    "i",
    "can",
    "not",
    "my",
    "when",
    "what",
    "why",
    "does",
    "should",
    "use",
    "using",
    "get",
    "set",
    "run",
    "make",
    "work",
    "works",
    "working",
    "fails",
    "failing",
    "after",
    "before",
    "from",
    "into",
    "out",
    "about",
    "between",
    "without",
    "which",
    "where",
    "there",
    "their",
    "one",
    "two",
    "new",
    "old",
    "same",
    "other",
    "each",
    "every",
    "all",
    "any",
    "some",
    "most",
    "more",
    "less",
    "first",
    "last",
    "only",
    "also",
    "just",
    "still",
    "already",
    "again",
    "instead",
    "because",
    "while",
    "if",
    "then",
    "else",
]
VERBS = [
    "configure",
    "deploy",
    "debug",
    "fix",
    "install",
    "upgrade",
    "migrate",
    "export",
    "import",
    "test",
    "profile",
    "monitor",
    "secure",
    "rotate",
    "restore",
    "back",
    "up",
    "speed",
    "up",
    "reset",
    "connect",
    "parse",
    "validate",
    "cache",
    "log",
    "schedule",
    "automate",
]
SUFFIXES = ["", "api", "config", "testing", "deploy", "cli", "auth", "logging", "migration", "2"]


# Word shapes for the synthetic vocabulary: pronounceable, distinct under the Porter stemmer
# (no word ends in a suffix it strips), so that every generated word is its own index term.
ONSETS = ["b", "br", "c", "ch", "cl", "d", "dr", "f", "fl", "g", "gr", "h", "j", "k", "l", "m",
          "n", "p", "pl", "pr", "qu", "r", "s", "sh", "sk", "sl", "sp", "st", "t", "th", "tr", "v",
          "w", "z"]  # fmt: skip
NUCLEI = ["a", "e", "i", "o", "u", "ai", "ea", "oo", "ou"]
CODAS = ["", "b", "ck", "d", "f", "g", "k", "l", "m", "n", "nk", "p", "r", "rt", "sk", "t", "x"]
VOCABULARY_SIZE = 8000
N_TEXT_FRAGMENTS = 16_000


def zipf_cumulative(n: int, s: float = 1.07) -> list[float]:
    return list(accumulate(1.0 / (k**s) for k in range(1, n + 1)))


def pick(rng: random.Random, items: list, cumulative: list[float]):  # type: ignore[no-untyped-def]
    return items[bisect(cumulative, rng.random() * cumulative[-1])]


def synthetic_words(rng: random.Random, n: int, taken: set[str]) -> list[str]:
    out: list[str] = []
    seen = set(taken)
    while len(out) < n:
        word = "".join(
            rng.choice(ONSETS) + rng.choice(NUCLEI) + rng.choice(CODAS)
            for _ in range(rng.choice([2, 2, 2, 3]))
        )
        if 4 <= len(word) <= 12 and word not in seen and not word.endswith(("s", "e", "y")):
            seen.add(word)
            out.append(word)
    return out


class Corpus:
    """Text with a realistic vocabulary: the function words (the most frequent, as in any
    language), then technical terms and 8,000 content words, all drawn with Zipf's law
    (s = 1.0 over the ranks), so a two-word search matches tens to hundreds of questions rather
    than a quarter of the corpus."""

    def __init__(self, rng: random.Random, n_tags: int) -> None:
        self.rng = rng
        content = TECH + synthetic_words(rng, VOCABULARY_SIZE, set(TECH) | set(COMMON))
        rng.shuffle(content)
        # Technical terms are frequent on a technical site: pull them towards the top ranks.
        content.sort(key=lambda w: rng.random() * (0.15 if w in TECH else 1.0))
        self.content = content
        self.content_cum = zipf_cumulative(len(content), 1.0)
        self.common_cum = zipf_cumulative(len(COMMON), 0.8)
        names: list[str] = []
        bases = TECH[:]
        for suffix in SUFFIXES:
            for base in bases:
                name = f"{base}-{suffix}" if suffix else base
                if name not in names:
                    names.append(name)
        while len(names) < n_tags:
            names.append(f"{rng.choice(bases)}-{rng.choice(bases)}")
            names = list(dict.fromkeys(names))
        self.tags = names[:n_tags]
        self.tag_cum = zipf_cumulative(n_tags)

    def word(self) -> str:
        # About half of running text is function words.
        if self.rng.random() < 0.45:
            return pick(self.rng, COMMON, self.common_cum)
        return pick(self.rng, self.content, self.content_cum)

    def noun(self) -> str:
        return pick(self.rng, self.content, self.content_cum)

    def sentence(self, lo: int = 8, hi: int = 20) -> str:
        words = [self.word() for _ in range(self.rng.randint(lo, hi))]
        words[0] = words[0].capitalize()
        if self.rng.random() < 0.3:
            words.insert(
                self.rng.randrange(len(words)),
                f"`{self.rng.choice(TECH)}.{self.noun()}()`",
            )
        if self.rng.random() < 0.15:
            words.insert(self.rng.randrange(len(words)), f"**{self.noun()}**")
        return " ".join(words) + self.rng.choice([".", ".", ".", "?", "!"])

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 5)))

    def bullet_list(self) -> str:
        return "\n".join(f"- {self.sentence(4, 10)}" for _ in range(self.rng.randint(2, 5)))

    def code_block(self) -> str:
        lang = self.rng.choice(["python", "bash", "sql", "javascript", "yaml", ""])
        lines = []
        for _ in range(self.rng.randint(3, 14)):
            a, b, c = (
                self.rng.choice(TECH) if self.rng.random() < 0.5 else self.noun() for _ in range(3)
            )
            lines.append(
                {
                    "python": f"{a}_{b} = {c}.get('{a}', timeout={self.rng.randint(1, 60)})",
                    "bash": f"$ {a} --{b} {c}/{self.rng.randint(1, 99)}",
                    "sql": f"SELECT {a}, {b} FROM {c} WHERE id = {self.rng.randint(1, 9999)};",
                    "javascript": f"const {a} = await {b}.{c}({self.rng.randint(0, 9)});",
                    "yaml": f"{a}:\n  {b}: {c}",
                    "": f"{a.upper()} {b} {c} {self.rng.randint(100, 999)}",
                }[lang]
            )
        return f"```{lang}\n" + "\n".join(lines) + "\n```"

    def title(self, tags: list[str]) -> str:
        tag = tags[0].split("-")[0]
        noun = " ".join(self.noun() for _ in range(self.rng.randint(2, 3)))
        pattern = self.rng.choice(
            [
                f"How do I {self.rng.choice(VERBS)} {noun} with {tag}?",
                f"{tag.capitalize()}: {noun} fails after {self.rng.choice(VERBS)}",
                f"Why does {noun} {self.rng.choice(['time out', 'crash', 'hang', 'return 500'])} in {tag}?",
                f"Best way to {self.rng.choice(VERBS)} {noun} for {tag}",
                f"Error when I {self.rng.choice(VERBS)} the {noun} ({tag})",
            ]
        )
        return pattern[:150]


def fragments(
    corpus: Corpus, n_text: int, n_code: int
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    text = []
    for i in range(n_text):
        md = corpus.bullet_list() if i % 7 == 0 else corpus.paragraph()
        text.append((md, render_markdown(md)))
    code = []
    for _ in range(n_code):
        md = corpus.code_block()
        code.append((md, render_markdown(md)))
    return text, code


def compose(
    rng: random.Random, text, code, n_text: tuple[int, int], p_code: float
) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    parts = [rng.choice(text) for _ in range(rng.randint(*n_text))]
    if rng.random() < p_code:
        parts.insert(rng.randint(1, len(parts)), rng.choice(code))
    return "\n\n".join(p[0] for p in parts), "\n".join(p[1] for p in parts)


def answer_distribution(rng: random.Random, n_questions: int, n_answers: int) -> list[int]:
    """Answers per question: a quarter unanswered, the rest geometric-ish, summing exactly."""
    mean = n_answers / (n_questions * 0.75)
    counts = [
        0 if rng.random() < 0.25 else 1 + int(rng.expovariate(1 / max(mean - 0.5, 0.01)))
        for _ in range(n_questions)
    ]
    diff = n_answers - sum(counts)
    step = 1 if diff > 0 else -1
    while diff:
        i = rng.randrange(n_questions)
        if step > 0 and counts[i] > 0 or step < 0 and counts[i] > 1:
            counts[i] += step
            diff -= step
    return counts


class Writer:
    """executemany in batches; columns not given get their model field's default, so the
    generator keeps working when other apps add fields."""

    def __init__(self, cursor) -> None:  # type: ignore[no-untyped-def]
        self.cursor = cursor
        self.models = {
            m._meta.db_table: m for m in django.apps.apps.get_models(include_auto_created=True)
        }

    def _defaults(self, table: str, columns: list[str]) -> tuple[list[str], tuple]:
        model = self.models[table]
        extra_cols, extra_vals = [], []
        now = datetime.now(UTC)
        for f in model._meta.local_concrete_fields:
            if f.column in columns:
                continue
            if isinstance(f, AutoFieldMixin):
                # Left to the database: PostgreSQL refuses an explicit NULL id.
                continue
            if f.has_default():
                value = f.get_default()
            elif f.null:
                value = None
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            else:
                value = f.get_default()
            extra_cols.append(f.column)
            extra_vals.append(f.get_db_prep_save(value, connection))
        return extra_cols, tuple(extra_vals)

    def insert(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        extra_cols, extra_vals = self._defaults(table, columns)
        cols = ", ".join([*columns, *extra_cols])
        if connection.vendor == "postgresql":
            # COPY is several times faster than batched INSERTs on PostgreSQL.
            with self.cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(tuple(r) + extra_vals)
            return
        marks = ", ".join(["%s"] * (len(columns) + len(extra_cols)))
        self.cursor.executemany(
            f"INSERT INTO {table} ({cols}) VALUES ({marks})",
            [tuple(r) + extra_vals for r in rows],
        )


def log(msg: str, started: float) -> None:
    print(f"[{time.monotonic() - started:7.1f}s] {msg}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="Multiply every count (e.g. 0.01 for a smoke test)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-index", action="store_true", help="Skip building the search index")
    args = parser.parse_args()
    started = time.monotonic()
    rng = random.Random(args.seed)
    n_users = max(10, int(20_000 * args.scale))
    n_tags = max(20, int(2_000 * min(1.0, args.scale * 10)))
    n_questions = max(10, int(100_000 * args.scale))
    n_answers = int(250_000 * args.scale)
    n_comments = int(400_000 * args.scale)

    db = settings.DATABASES["default"]
    if settings.DB_VENDOR == "sqlite":
        path = Path(db["NAME"])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    else:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    log(f"fresh database ({settings.DB_VENDOR}: {db['NAME']})", started)
    call_command("migrate", verbosity=0)
    log("migrated", started)

    corpus = Corpus(rng, n_tags)
    text, code = fragments(corpus, N_TEXT_FRAGMENTS, 600)
    comment_pool = []
    for _ in range(3000):
        md = corpus.sentence(5, 25)
        comment_pool.append((md, render_inline_markdown(md)))
    log("rendered the fragment pool", started)

    now = datetime.now(UTC).replace(microsecond=0)
    span = timedelta(days=3 * 365)
    password = make_password("bench-password")

    from knowhow.accounts.models import User
    from knowhow.qa.models import Comment, Post, Tag, Vote
    from knowhow.spaces.models import Space, SpaceMembership

    with transaction.atomic(), connection.cursor() as cursor:
        if settings.DB_VENDOR == "sqlite":
            cursor.execute("PRAGMA foreign_keys=OFF")
        w = Writer(cursor)
        # --- users and spaces
        user_rows = []
        for uid in range(1, n_users + 1):
            username = "bench" if uid == 1 else f"user{uid}"
            joined = now - span * rng.random()
            user_rows.append(
                (
                    uid,
                    password,
                    uid == 1,
                    username,
                    "",
                    "",
                    f"{username}@example.com",
                    uid == 1,
                    True,
                    joined,
                    f"Person {uid}",
                    rng.choice(["Engineer", "Analyst", "Manager", ""]),
                    rng.choice(["IT", "Finance", "Sales", "R&D", ""]),
                    "",
                    "",
                    True,
                    int(rng.paretovariate(1.2)),
                    "",
                    None,
                )
            )
        w.insert(
            User._meta.db_table,
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
                "display_name",
                "job_title",
                "department",
                "bio",
                "bio_html",
                "is_claimed",
                "reputation",
                "source",
                "source_id",
            ],
            user_rows,
        )
        w.insert(
            Space._meta.db_table,
            ["id", "name", "slug", "description", "visibility", "is_default", "created_at"],
            [
                (
                    1,
                    "Everyone",
                    "everyone",
                    "The whole organisation.",
                    "organisation",
                    True,
                    now - span,
                ),
                (
                    2,
                    "Finance pilot",
                    "finance-pilot",
                    "A private pilot space.",
                    "private",
                    False,
                    now - span,
                ),
            ],
        )
        w.insert(
            SpaceMembership._meta.db_table,
            ["space_id", "user_id", "role", "joined_at"],
            [(1, uid, "member", now - span) for uid in range(1, n_users + 1)]
            + [(2, uid, "member", now - span) for uid in range(2, n_users + 1, 10)],
        )
        w.insert(
            Tag._meta.db_table,
            [
                "id",
                "name",
                "excerpt",
                "description",
                "description_html",
                "question_count",
                "created_at",
                "source",
                "source_id",
            ],
            [
                (i + 1, name, f"Questions about {name}.", "", "", 0, now - span, "", None)
                for i, name in enumerate(corpus.tags)
            ],
        )
        log(f"{n_users:,} users, 2 spaces, {n_tags:,} tags", started)

        # --- questions, answers, tags, comments, votes, in chunks of questions
        post_cols = [
            "id",
            "post_type",
            "space_id",
            "question_id",
            "author_id",
            "title",
            "body",
            "body_html",
            "accepted_answer_id",
            "score",
            "up_votes",
            "down_votes",
            "answer_count",
            "comment_count",
            "view_count",
            "created_at",
            "edited_at",
            "last_editor_id",
            "last_activity_at",
            "is_deleted",
            "deleted_at",
            "deleted_by_id",
            "closed_at",
            "close_reason",
            "is_hidden",
            "hidden_reason",
            "is_locked",
            "source",
            "source_id",
        ]
        answers_per_q = n_answers / n_questions
        next_answer_id = n_questions + 1
        next_comment_id = 1
        tag_counts = [0] * n_tags
        vote_rows_total = 0
        chunk = 5000
        answer_counts = answer_distribution(rng, n_questions, n_answers)
        comments_left = n_comments
        for start in range(1, n_questions + 1, chunk):
            posts, post_tags, comments, votes = [], [], [], []
            for qid in range(start, min(start + chunk, n_questions + 1)):
                created = (
                    now
                    - span * (1 - qid / (n_questions + 1))
                    + timedelta(seconds=rng.randint(0, 3600))
                )
                tags = []
                for _ in range(rng.randint(1, 4)):
                    t = bisect(corpus.tag_cum, rng.random() * corpus.tag_cum[-1])
                    if t not in tags:
                        tags.append(t)
                for t in tags:
                    post_tags.append((qid, t + 1))
                    tag_counts[t] += 1
                body, html = compose(rng, text, code, (1, 4), 0.4)
                author = (
                    int(rng.paretovariate(1.0)) % n_users + 1
                    if rng.random() < 0.5
                    else rng.randint(1, n_users)
                )
                space = 2 if rng.random() < 0.03 else 1
                n_ans = answer_counts[qid - 1]
                last = created
                answer_ids = []
                for _ in range(n_ans):
                    aid = next_answer_id
                    next_answer_id += 1
                    a_created = created + timedelta(minutes=rng.randint(5, 60 * 24 * 30))
                    last = max(last, a_created)
                    a_body, a_html = compose(rng, text, code, (1, 3), 0.5)
                    score = max(-3, int(rng.paretovariate(1.5)) - 1 - (rng.random() < 0.1) * 2)
                    answer_ids.append((aid, score))
                    posts.append(
                        [
                            aid,
                            "answer",
                            space,
                            qid,
                            rng.randint(1, n_users),
                            "",
                            a_body,
                            a_html,
                            None,
                            score,
                            max(score, 0),
                            max(-score, 0),
                            0,
                            0,
                            0,
                            a_created,
                            None,
                            None,
                            a_created,
                            False,
                            None,
                            None,
                            None,
                            "",
                            False,
                            "",
                            False,
                            "",
                            None,
                        ]
                    )
                accepted = None
                if answer_ids and rng.random() < 0.55:
                    accepted = max(answer_ids, key=lambda a: a[1])[0]
                q_score = max(-5, int(rng.paretovariate(1.3)) - 1 - (rng.random() < 0.1) * 3)
                posts.append(
                    [
                        qid,
                        "question",
                        space,
                        None,
                        author,
                        corpus.title([corpus.tags[t] for t in tags]),
                        body,
                        html,
                        accepted,
                        q_score,
                        max(q_score, 0),
                        max(-q_score, 0),
                        n_ans,
                        0,
                        int(rng.paretovariate(0.8) * 20),
                        created,
                        None,
                        None,
                        last,
                        False,
                        None,
                        None,
                        None,
                        "",
                        False,
                        "",
                        False,
                        "",
                        None,
                    ]
                )
            # comments on this chunk's posts
            chunk_posts = posts
            remaining_posts = (n_questions - min(start + chunk, n_questions + 1) + 1) * (
                1 + answers_per_q
            ) + len(chunk_posts)
            quota = min(
                comments_left,
                int(round(comments_left * len(chunk_posts) / max(1, remaining_posts))),
            )
            if start + chunk > n_questions:
                quota = comments_left
            comments_left -= quota
            for _ in range(quota):
                post = rng.choice(chunk_posts)
                md, html = rng.choice(comment_pool)
                post[13] += 1
                c_created = post[15] + timedelta(minutes=rng.randint(1, 60 * 24 * 10))
                comments.append(
                    (
                        next_comment_id,
                        post[0],
                        rng.randint(1, n_users),
                        md,
                        html,
                        int(rng.random() < 0.2),
                        c_created,
                        False,
                        "",
                        None,
                    )
                )
                next_comment_id += 1
            # votes: one row per positive/negative point, from distinct users
            for post in chunk_posts:
                ups, downs = post[10], post[11]
                if ups + downs:
                    voters = rng.sample(range(1, n_users + 1), min(n_users, ups + downs))
                    for i, voter in enumerate(voters):
                        votes.append((post[0], voter, 1 if i < ups else -1, post[15]))
            posts.sort(key=lambda p: p[0])
            w.insert(Post._meta.db_table, post_cols, [tuple(p) for p in posts])
            w.insert(Post.tags.through._meta.db_table, ["post_id", "tag_id"], post_tags)
            w.insert(
                Comment._meta.db_table,
                [
                    "id",
                    "post_id",
                    "author_id",
                    "body",
                    "body_html",
                    "score",
                    "created_at",
                    "is_deleted",
                    "source",
                    "source_id",
                ],
                comments,
            )
            w.insert(Vote._meta.db_table, ["post_id", "user_id", "value", "created_at"], votes)
            vote_rows_total += len(votes)
            done = min(start + chunk - 1, n_questions)
            if done % 20_000 < chunk:
                log(
                    f"{done:,} questions, {next_answer_id - n_questions - 1:,} answers, {next_comment_id - 1:,} comments, {vote_rows_total:,} votes",
                    started,
                )
        cursor.executemany(
            f"UPDATE {Tag._meta.db_table} SET question_count = %s WHERE id = %s",
            [(count, i + 1) for i, count in enumerate(tag_counts)],
        )
        if settings.DB_VENDOR == "sqlite":
            cursor.execute("PRAGMA foreign_keys=ON")
        else:
            for sql in connection.ops.sequence_reset_sql(
                no_style(), [User, Space, SpaceMembership, Tag, Post, Comment, Vote]
            ):
                cursor.execute(sql)
    log(
        f"done: {n_questions:,} questions, {next_answer_id - n_questions - 1:,} answers, "
        f"{next_comment_id - 1:,} comments, {vote_rows_total:,} votes",
        started,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log("analyzed", started)
    if not args.no_index:
        from knowhow.search.services import question_index_rebuild

        last_report = [0]

        def progress(done: int) -> None:
            if done - last_report[0] >= 20_000:
                last_report[0] = done
                log(f"search index: {done:,} questions", started)

        count = question_index_rebuild(progress)
        log(f"search index built: {count:,} questions", started)
    log("finished; log in as bench / bench-password", started)


if __name__ == "__main__":
    main()
