"""Importing a Stack Exchange dump: a small fixture dump written for these tests (tests/fixtures/mini)."""

import datetime
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from knowhow.accounts.models import User
from knowhow.core.tests.factories import SpaceFactory
from knowhow.qa.models import CloseReason, Comment, Post, PostLink, PostRevision, Tag
from knowhow.reputation.models import Badge, UserBadge
from knowhow.search import state_triggers
from knowhow.stackexchange.dump import MalformedDump, parse_tags
from knowhow.stackexchange.importer import DumpImport

MINI = Path(__file__).parent / "fixtures" / "mini"
SOURCE = "stackexchange:mini.example"
UTC = datetime.UTC

pytestmark = pytest.mark.django_db


def run_import(directory: Path = MINI, *, space=None, site: str = "mini.example"):
    space = space or SpaceFactory(name="Imported")
    return DumpImport(directory=directory, space=space, site=site, post_import=False).execute()


def copy_mini(tmp_path: Path) -> Path:
    target = tmp_path / "mini.example"
    shutil.copytree(MINI, target)
    return target


def post(source_id: int) -> Post:
    return Post.objects.get(source=SOURCE, source_id=source_id)


def checks() -> dict[str, object]:
    """The indexes of the tables an import fills and, on PostgreSQL, their foreign keys (a
    bulk import drops and re-creates them)."""
    from knowhow.stackexchange.importer import _foreign_keys, _secondary_indexes

    found: dict[str, object] = {}
    for m in (Post, PostRevision, Comment, UserBadge, Post.tags.through):
        table = m._meta.db_table
        found[f"{table} indexes"] = sorted(_secondary_indexes(table))
        if connection.vendor == "postgresql":
            found[f"{table} foreign keys"] = _foreign_keys(table)
    # Search's state triggers are off during a bulk import and back afterwards.
    found["search state triggers"] = sorted(state_triggers.installed(connection))
    return found


def snapshot() -> dict[str, object]:
    """Row counts, and the indexes and foreign keys of the tables an import fills."""
    from knowhow.reputation.models import ReputationEvent

    models = [User, Tag, Post, PostRevision, Comment, PostLink, Badge, UserBadge, ReputationEvent]
    counts: dict[str, object] = {m.__name__: m.objects.count() for m in models}
    return counts | checks()


def test_a_bulk_import_restores_the_search_triggers_and_moves_the_generation():
    from knowhow.search.models import IndexGeneration

    before = checks()
    assert len(before["search state triggers"]) == len(state_triggers.names())
    generation = IndexGeneration.objects.filter(pk=1).values_list("value", flat=True).first()
    run_import()
    assert checks() == before
    assert (
        IndexGeneration.objects.filter(pk=1).values_list("value", flat=True).first() != generation
    )


def test_tags_are_read_in_both_formats():
    assert parse_tags("<python><csv>") == ["python", "csv"]
    assert parse_tags("|python|csv|") == ["python", "csv"]
    assert parse_tags("") == []
    assert parse_tags("<Python><python>") == ["python"]


def test_the_fixture_dump_imports_with_counts_and_reasons():
    summary = run_import()
    assert summary.new["users"] == 4
    assert summary.new["questions"] == 2
    assert summary.new["answers"] == 2
    assert summary.new["accepted answers"] == 1
    assert summary.new["comments"] == 3
    assert summary.new["votes"] == 5
    assert summary.new["duplicate links"] == 1
    assert summary.new["badges"] == 2
    assert summary.new["revisions"] == 4
    assert summary.skipped["answers"] == {"its question is not in Posts.xml (deleted)": 1}
    assert summary.skipped["comments"] == {"its post is not in Posts.xml (deleted)": 1}
    assert summary.skipped["related links"] == {"a linked post is not in Posts.xml (deleted)": 1}
    assert summary.skipped["badges"] == {"its user is not in Users.xml (deleted)": 1}
    assert summary.skipped["votes"]["its post is not in Posts.xml (deleted)"] == 1
    assert summary.skipped["questions"] == {"post type 6 is not a question or answer": 1}
    text = "\n".join(summary.lines())
    assert "questions" in text and "skipped 1: its question is not in Posts.xml (deleted)" in text


def test_a_question_is_imported_field_by_field():
    run_import()
    question = post(1)
    asker = User.objects.get(source=SOURCE, source_id=10)
    assert question.post_type == Post.PostType.QUESTION
    assert question.title == "How do I read a CSV file in Python?"
    assert question.author == asker
    assert question.last_editor == User.objects.get(source=SOURCE, source_id=12)
    assert question.created_at == datetime.datetime(2019, 2, 1, 9, 0, 0, 500000, tzinfo=UTC)
    assert question.edited_at == datetime.datetime(2019, 2, 2, 10, tzinfo=UTC)
    assert question.last_activity_at == datetime.datetime(2019, 2, 3, 10, tzinfo=UTC)
    assert question.score == 3
    assert (question.up_votes, question.down_votes) == (3, 0)
    assert question.view_count == 120
    assert question.answer_count == 2
    assert question.comment_count == 2
    assert question.accepted_answer == post(3)
    assert sorted(question.tags.values_list("name", flat=True)) == ["csv", "python"]
    assert question.source_license == "CC BY-SA 4.0"
    assert question.source_author_name == "Zoë Asker"
    assert question.closed_at is None
    # The Markdown source comes from the latest body revision in PostHistory.
    assert question.body.startswith("How do I read a `CSV` file?\n")


def test_unsafe_html_never_gets_through():
    run_import()
    html = post(1).body_html
    assert "<script" not in html and "javascript:" not in html and "onclick" not in html
    assert "<code>CSV</code>" in html
    asker = User.objects.get(source=SOURCE, source_id=10)
    assert "<script" not in asker.bio_html and "<b>there</b>" in asker.bio_html
    comment = Comment.objects.get(source=SOURCE, source_id=101)
    assert "<script" not in comment.body_html


def test_answers_comments_and_authors():
    run_import()
    answer = post(3)
    assert answer.question == post(1)
    assert answer.body == "Use the `csv` module:\n\n    import csv"
    assert "<pre><code>import csv" in answer.body_html
    orphan = post(4)
    assert orphan.author is None
    assert orphan.source_author_name == "Gone Person"
    assert orphan.source_license == "CC BY-SA 3.0"
    # No PostHistory for post 4: its HTML was converted to Markdown.
    assert orphan.body == "Or pandas, by a deleted user."
    assert not Post.objects.filter(source=SOURCE, source_id=5).exists()
    comment = Comment.objects.get(source=SOURCE, source_id=100)
    assert comment.post == post(1)
    assert comment.body == "Which **version** of Python?"
    assert "<strong>version</strong>" in comment.body_html
    assert comment.score == 2
    assert comment.author.source_id == 11
    assert Comment.objects.get(source=SOURCE, source_id=102).author is None


def test_imported_users_cannot_log_in_until_claimed():
    run_import()
    user = User.objects.get(source=SOURCE, source_id=10)
    assert user.display_name == "Zoë Asker"
    assert user.reputation == 1234
    assert not user.is_claimed
    assert not user.has_usable_password()
    assert user.date_joined == datetime.datetime(2019, 1, 2, 10, 0, 0, 123000, tzinfo=UTC)


def test_revisions_carry_unchanged_fields_forward():
    run_import()
    revisions = list(post(1).revisions.order_by("number"))
    assert [r.number for r in revisions] == [1, 2]
    first, second = revisions
    assert first.title == "How to read CSV?"
    assert first.tag_names == "python"
    assert first.author.source_id == 10
    assert second.title == "How do I read a CSV file in Python?"
    assert second.tag_names == "python csv"
    assert second.body == first.body  # a title and tags edit keeps the body
    assert second.summary == "better title"
    assert second.author.source_id == 12


def test_closed_state_and_duplicate_links():
    run_import()
    closed = post(2)
    assert closed.closed_at == datetime.datetime(2019, 2, 6, 9, tzinfo=UTC)
    assert closed.close_reason == CloseReason.DUPLICATE
    link = PostLink.objects.get(source=SOURCE, source_id=1000)
    assert (link.from_post, link.to_post, link.link_type) == (
        closed,
        post(1),
        PostLink.LinkType.DUPLICATE,
    )


def test_tags_wikis_and_counts():
    run_import()
    python = Tag.objects.get(name="python")
    assert python.excerpt == "Python is a programming language & more."
    assert "Python is *great*." in python.description
    assert "<em>great</em>" in python.description_html
    assert python.question_count == 2
    assert Tag.objects.get(name="csv").question_count == 1


def test_a_first_import_adds_its_questions_to_the_tag_counts_already_there():
    from knowhow.core.tests.factories import UserFactory
    from knowhow.qa.services import question_ask

    space = SpaceFactory()
    Tag.objects.create(name="python")
    question_ask(
        author=UserFactory(),
        space=space,
        title="How do I sort a list of tuples?",
        body="By the second item of each tuple.",
        tags=["python"],
    )
    run_import(space=space)
    assert Tag.objects.get(name="python").question_count == 3
    assert Tag.objects.get(name="csv").question_count == 1


def test_badges_by_name():
    run_import()
    award = UserBadge.objects.get(source=SOURCE, source_id=500)
    assert award.badge.name == "Student"
    assert award.badge.tier == Badge.Tier.BRONZE
    assert award.user.source_id == 10
    tag_badge = UserBadge.objects.get(source=SOURCE, source_id=501).badge
    assert tag_badge.is_tag_badge and tag_badge.name == "python"
    assert tag_badge.tier == Badge.Tier.SILVER


def test_a_rerun_updates_and_creates_nothing_new():
    space = SpaceFactory()
    run_import(space=space)
    before = snapshot()
    post(1).__class__.objects.filter(source=SOURCE, source_id=1).update(title="Changed here")
    summary = run_import(space=space)
    assert snapshot() == before
    assert sum(summary.new.values()) == 0
    assert summary.updated["questions"] == 2
    assert summary.updated["answers"] == 2
    assert summary.updated["comments"] == 3
    assert summary.updated["revisions"] == 4
    assert summary.updated["votes"] == 5
    assert post(1).title == "How do I read a CSV file in Python?"
    assert (post(1).up_votes, post(1).answer_count) == (3, 2)
    assert post(1).accepted_answer == post(3)


def test_pipe_tags_and_no_byte_order_mark(tmp_path):
    directory = copy_mini(tmp_path)
    for path in directory.glob("*.xml"):
        text = path.read_text(encoding="utf-8-sig")
        text = text.replace("&lt;python&gt;&lt;csv&gt;", "|python|csv|")
        path.write_text(text, encoding="utf-8")  # no BOM
    assert not (directory / "Posts.xml").read_bytes().startswith(b"\xef\xbb\xbf")
    assert "|python|csv|" in (directory / "Posts.xml").read_text()
    run_import(directory)
    assert sorted(post(1).tags.values_list("name", flat=True)) == ["csv", "python"]
    assert post(1).revisions.get(number=2).tag_names == "python csv"


def test_the_fixture_has_a_byte_order_mark():
    assert (MINI / "Posts.xml").read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_truncated_file_stops_the_import_and_changes_nothing(tmp_path):
    directory = copy_mini(tmp_path)
    comments = directory / "Comments.xml"
    comments.write_bytes(comments.read_bytes()[:-60])
    before = snapshot()
    with pytest.raises(MalformedDump) as error:
        run_import(directory)
    assert error.value.file == "Comments.xml"
    assert error.value.line is not None and error.value.line >= 5
    assert "not well-formed" in error.value.message
    assert snapshot() == before


def test_a_bad_attribute_reports_file_line_and_changes_nothing(tmp_path):
    directory = copy_mini(tmp_path)
    votes = directory / "Votes.xml"
    votes.write_text(
        votes.read_text(encoding="utf-8-sig").replace('Id="4" PostId="2"', 'Id="4" PostId="two"'),
        encoding="utf-8-sig",
    )
    before = snapshot()
    with pytest.raises(MalformedDump) as error:
        run_import(directory)
    assert (error.value.file, error.value.line) == ("Votes.xml", 6)
    assert "PostId is not a whole number: 'two'" in error.value.message
    assert snapshot() == before


def test_a_bad_date_is_reported(tmp_path):
    directory = copy_mini(tmp_path)
    users = directory / "Users.xml"
    users.write_text(
        users.read_text(encoding="utf-8-sig").replace("2019-01-03T11:00:00.000", "yesterday"),
        encoding="utf-8-sig",
    )
    with pytest.raises(
        MalformedDump, match=r"Users.xml, line 5: attribute CreationDate is not a date"
    ):
        run_import(directory)
    assert not User.objects.filter(source=SOURCE).exists()


def test_the_command_prints_a_summary_and_reports_errors(tmp_path):
    out = StringIO()
    call_command(
        "import_stackexchange",
        str(MINI),
        "--space",
        "Mini dump",
        "--site",
        "mini.example",
        "--no-progress",
        "--skip-post-import",
        stdout=out,
    )
    assert "questions" in out.getvalue() and "2 new" in out.getvalue()
    assert post(1).space.name == "Mini dump"
    out = StringIO()
    call_command(
        "import_stackexchange",
        str(MINI),
        "--space",
        "Mini dump",
        "--site",
        "mini.example",
        "--no-progress",
        stdout=out,
    )
    assert " 0 new" in out.getvalue()
    broken = copy_mini(tmp_path)
    (broken / "Posts.xml").write_text("<posts><row Id='1'", encoding="utf-8")
    with pytest.raises(CommandError, match=r"(?s)Posts.xml, line 1: .*Nothing was imported"):
        call_command("import_stackexchange", str(broken), "--no-progress")
    with pytest.raises(CommandError, match="is not a directory"):
        call_command("import_stackexchange", str(tmp_path / "nowhere"), "--no-progress")


def test_the_post_import_step_reports_what_it_rebuilt():
    summary = DumpImport(directory=MINI, space=SpaceFactory(), site="mini.example").execute()
    assert any("rebuil" in note for note in summary.notes)
    # The search index before the import returns; the model-made vectors by the task worker.
    assert any("slower indexes queued for the worker" in note for note in summary.notes)


@pytest.mark.parametrize(
    "text",
    [
        "plain words, with 'quotes' and \"double\" ones; 3/4 + (x) # y % z @ w",
        "Ünïcödé — dash 😀 a | b",
        "see http://example.com/a_b",
        "**bold** and `code` and [a link](https://example.com)",
        "x < y & z > w",
        "a\u00a0b ~~gone~~",
    ],
)
def test_the_comment_fast_path_renders_like_markdown(text):
    from knowhow.core.rendering import render_inline_markdown
    from knowhow.stackexchange.reader import comment_html

    assert comment_html(text) == render_inline_markdown(text)


def test_an_answer_listed_before_its_question_is_imported(tmp_path):
    directory = copy_mini(tmp_path)
    posts = directory / "Posts.xml"
    lines = posts.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    question = next(i for i, line in enumerate(lines) if 'Id="1" PostTypeId="1"' in line)
    answer = next(i for i, line in enumerate(lines) if 'Id="3" PostTypeId="2"' in line)
    lines[question], lines[answer] = lines[answer], lines[question]
    posts.write_text("".join(lines), encoding="utf-8-sig")
    summary = run_import(directory)
    assert summary.new["answers"] == 2
    assert post(3).question == post(1)
    assert post(1).accepted_answer == post(3)


def test_the_id_map_holds_dense_and_sparse_ids():
    from knowhow.stackexchange.importer import IdMap

    ids = IdMap([(1, 10), (5_000, 20), (-1, 30), (10**12, 40)])
    assert (ids.get(1), ids[5_000], ids.get(-1), ids.get(10**12)) == (10, 20, 30, 40)
    assert 2 not in ids and ids.get(2) is None and ids.get(10**9, 0) == 0
    assert len(ids) == 4 and sorted(ids.keys()) == [-1, 1, 5_000, 10**12]
    copy = ids.copy()
    copy[1] = 11
    assert ids[1] == 10 and copy[1] == 11 and len(copy) == 4
    with pytest.raises(KeyError):
        ids[3]


def post_values() -> dict[int, tuple[object, ...]]:
    return {
        p.source_id: (
            p.body,
            p.accepted_answer_id,
            p.up_votes,
            p.down_votes,
            p.answer_count,
            p.comment_count,
            p.closed_at,
        )
        for p in Post.objects.filter(source=SOURCE)
    }


def test_a_first_import_writes_the_same_values_as_a_rerun_recomputes(
    django_assert_max_num_queries,
):
    # A first import tallies bodies, accepted answers, votes and counts while it reads and
    # writes them in one UPDATE; a re-run recomputes them from the database.
    space = SpaceFactory()
    # A fixed number whatever the dump's size (batches of rows, plus dropping and re-creating
    # indexes and search's state triggers, ~40 statements).
    with django_assert_max_num_queries(170):
        run_import(space=space)
    first = post_values()
    Post.objects.filter(source=SOURCE).update(
        body="", accepted_answer=None, up_votes=0, down_votes=0, answer_count=0, comment_count=0
    )
    run_import(space=space)
    assert post_values() == first
    assert first[1][1:6] == (post(3).pk, 3, 0, 2, 2)


def test_a_tally_counts_ids_above_and_below_its_first_key():
    from knowhow.stackexchange.importer import Tally

    tally = Tally()
    for key in (100, 100, 5_000, 7):
        tally.add(key)
    assert (tally.get(100), tally.get(5_000), tally.get(7), tally.get(8), tally.get(10**9)) == (
        2,
        1,
        1,
        0,
        0,
    )


def test_a_first_import_rebuilds_the_indexes_and_foreign_keys_it_dropped():
    # Into an empty site the dump outweighs the posts there: the bulk tables' secondary
    # indexes (and on PostgreSQL their foreign keys) are dropped, and re-created at the end.
    before = checks()
    assert all(before.values())
    with CaptureQueriesContext(connection) as queries:
        run_import()
    statements = [q["sql"] for q in queries.captured_queries]
    assert any(s.startswith("DROP INDEX") for s in statements)
    if connection.vendor == "postgresql":
        assert sum("DROP CONSTRAINT" in s for s in statements) == len(before) // 2
        assert sum("ADD CONSTRAINT" in s for s in statements) == len(before) // 2
        # With the foreign keys dropped, the new posts are staged and inserted once, complete.
        assert any(s.startswith('INSERT INTO "qa_post"') for s in statements)
        assert not any(
            s.startswith('UPDATE "qa_post" SET body = COALESCE(r.body') for s in statements
        )
    assert checks() == before
    assert post(1).body.startswith("How do I read a `CSV` file?\n")


def test_a_rerun_into_a_site_smaller_than_the_dump_restores_what_was_deleted():
    # Not a first import (a post of the source is there) but the dump outweighs the site:
    # indexes and foreign keys are dropped and re-added around the re-run's upserts.
    space = SpaceFactory()
    run_import(space=space)
    before = snapshot()
    first = post_values()
    Post.objects.filter(source=SOURCE).exclude(source_id=1).delete()
    with CaptureQueriesContext(connection) as queries:
        summary = run_import(space=space)
    statements = [q["sql"] for q in queries.captured_queries]
    assert any(s.startswith("DROP INDEX") for s in statements)
    assert summary.updated["questions"] == 1
    assert snapshot() == before
    # The same values by source id (the re-created accepted answers have new ids).
    again = post_values()
    assert {k: (v[0], *v[2:]) for k, v in again.items()} == {
        k: (v[0], *v[2:]) for k, v in first.items()
    }
    assert post(1).accepted_answer == post(3)


@pytest.mark.django_db(transaction=True)
def test_a_foreign_key_violation_found_at_the_end_rolls_the_import_back(monkeypatch):
    # A bulk import checks foreign keys at its end (PostgreSQL: the dropped constraints are
    # added again; SQLite: its deferred keys at the commit): a row pointing at no user fails
    # the whole import, and nothing of it stays.
    from django.db import IntegrityError

    space = SpaceFactory()
    before = snapshot()
    monkeypatch.setattr(DumpImport, "_user", lambda self, source_id: 10**9)
    with pytest.raises(IntegrityError):
        run_import(space=space)
    assert snapshot() == before
