"""Importing with the dump read in a separate process (reader.py): the same result, the same
errors, and no half-imported dump or leftover process when the reader or the import fails."""

import multiprocessing
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from knowhow.core.tests.factories import SpaceFactory
from knowhow.qa.models import Comment, Post
from knowhow.stackexchange import importer, reader
from knowhow.stackexchange.dump import MalformedDump
from knowhow.stackexchange.importer import DumpImport
from knowhow.stackexchange.reader import ReaderFailed
from knowhow.stackexchange.tests import reader_doubles
from knowhow.stackexchange.tests.test_import import copy_mini, snapshot

MINI = Path(__file__).parent / "fixtures" / "mini"

pytestmark = pytest.mark.django_db


def run_import(directory: Path = MINI, *, site: str = "mini.example", **options):
    return DumpImport(
        directory=directory, space=SpaceFactory(), site=site, post_import=False, **options
    ).execute()


def content(site: str) -> list[tuple[object, ...]]:
    source = f"stackexchange:{site}"
    posts = Post.objects.filter(source=source).order_by("source_id")
    comments = Comment.objects.filter(source=source).order_by("source_id")
    return [
        *posts.values_list(
            "source_id", "title", "body", "body_html", "score", "up_votes", "comment_count"
        ),
        *((p.source_id, sorted(p.tags.values_list("name", flat=True))) for p in posts),
        *comments.values_list("source_id", "body", "body_html", "author__bio_html"),
    ]


def no_reader_left() -> bool:
    return not [p for p in multiprocessing.active_children() if p.name == "knowhow-dump-reader"]


def test_the_reader_process_imports_the_same_as_reading_in_process():
    inline = run_import(site="one.example", reader_process=False)
    parallel = run_import(site="two.example", reader_process=True)
    assert content("two.example") == content("one.example")
    # Tags are shared between sources: the second import finds the first one's tags.
    for summary in (inline, parallel):
        for part in (summary.new, summary.updated, summary.skipped):
            part.pop("tags", None), part.pop("tag wikis", None)
    assert (parallel.new, parallel.updated, dict(parallel.skipped), parallel.notes) == (
        inline.new,
        inline.updated,
        dict(inline.skipped),
        inline.notes,
    )
    assert no_reader_left()


def test_a_big_dump_is_read_in_a_reader_process_when_two_cpus_are_there(monkeypatch):
    monkeypatch.setattr(importer.os, "sched_getaffinity", lambda pid: {0, 1})
    run = DumpImport(directory=MINI, space=None)
    present = [p.name for p in MINI.glob("*.xml")]
    assert not run._use_reader_process(present)  # a small dump
    monkeypatch.setattr(importer, "READER_PROCESS_MIN_BYTES", 1000)
    assert run._use_reader_process(present)
    monkeypatch.setattr(importer.os, "sched_getaffinity", lambda pid: {0})
    assert not run._use_reader_process(present)
    assert not DumpImport(directory=MINI, space=None, reader_process=False)._use_reader_process(
        present
    )


def many_posts(tmp_path: Path, n: int) -> Path:
    """The mini dump with `n` more answers to its first question (rows 11 on), so that
    Posts.xml spans several of the reader's batches."""
    directory = copy_mini(tmp_path)
    posts = directory / "Posts.xml"
    text = posts.read_text(encoding="utf-8-sig")
    extra = "".join(
        f'  <row Id="{1000 + i}" PostTypeId="2" ParentId="1" CreationDate="2019-03-01T10:00:00.000"'
        f' Score="1" Body="&lt;p&gt;Answer {i}&lt;/p&gt;" OwnerUserId="11" />\n'
        for i in range(n)
    )
    posts.write_text(text.replace("</posts>", extra + "</posts>"), encoding="utf-8-sig")
    return directory


def test_malformed_xml_in_the_middle_of_a_file_gives_the_same_error_and_changes_nothing(
    tmp_path,
):
    directory = many_posts(tmp_path, 3 * reader.BATCH_ROWS)
    posts = directory / "Posts.xml"
    lines = posts.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    bad = 2 * reader.BATCH_ROWS  # a line in the middle of the reader's third batch
    assert lines[bad - 1].startswith("  <row")
    lines[bad - 1] = lines[bad - 1].replace(' Score="1"', ' Score="1" <oops', 1)
    posts.write_text("".join(lines), encoding="utf-8-sig")
    before = snapshot()
    errors = []
    for reader_process in (False, True):
        with pytest.raises(MalformedDump) as error:
            run_import(directory, reader_process=reader_process)
        errors.append(error.value)
        assert snapshot() == before
    inline, parallel = errors
    assert (parallel.file, parallel.line) == ("Posts.xml", bad)
    assert parallel.message == inline.message
    assert "not well-formed" in parallel.message
    assert no_reader_left()


def test_a_bad_attribute_is_reported_with_its_file_and_line_by_either_reader(tmp_path):
    directory = copy_mini(tmp_path)
    votes = directory / "Votes.xml"
    votes.write_text(
        votes.read_text(encoding="utf-8-sig").replace('Id="4" PostId="2"', 'Id="4" PostId="two"'),
        encoding="utf-8-sig",
    )
    before = snapshot()
    with pytest.raises(MalformedDump, match=r"^Votes.xml, line 6: attribute PostId is not a whole"):
        run_import(directory, reader_process=True)
    assert snapshot() == before
    assert no_reader_left()


def test_a_reader_process_that_dies_stops_the_import_and_changes_nothing(monkeypatch):
    monkeypatch.setattr(reader, "read_dump_files", reader_doubles.dying_reader)
    before = snapshot()
    with pytest.raises(ReaderFailed, match=r"stopped unexpectedly \(exit code 3\)"):
        run_import(reader_process=True)
    assert snapshot() == before
    assert no_reader_left()


def test_a_reader_process_that_fails_reports_its_error_and_changes_nothing(monkeypatch):
    monkeypatch.setattr(reader, "read_dump_files", reader_doubles.reader_of_a_vanished_directory)
    before = snapshot()
    with pytest.raises(ReaderFailed, match=r"(?s)reading the dump failed:.*FileNotFoundError"):
        run_import(reader_process=True)
    assert snapshot() == before
    assert no_reader_left()


def test_an_interrupted_import_stops_its_reader_process_and_changes_nothing(tmp_path):
    directory = many_posts(tmp_path, 3 * reader.BATCH_ROWS)

    def progress(name: str, total: int):
        if name == "Posts.xml":
            raise KeyboardInterrupt  # Ctrl-C while the reader is still busy with the file
        return None

    before = snapshot()
    run = DumpImport(
        directory=directory, space=SpaceFactory(), progress=progress, reader_process=True
    )
    with pytest.raises(KeyboardInterrupt):
        run.execute()
    assert snapshot() == before
    assert run.reader is None and no_reader_left()


def test_the_command_reports_a_failed_reader_and_can_read_in_one_process(monkeypatch):
    monkeypatch.setattr(reader, "read_dump_files", reader_doubles.dying_reader)
    monkeypatch.setattr(importer, "READER_PROCESS_MIN_BYTES", 0)
    monkeypatch.setattr(importer.os, "sched_getaffinity", lambda pid: {0, 1})
    with pytest.raises(CommandError, match=r"(?s)stopped unexpectedly.*Nothing was imported"):
        call_command("import_stackexchange", str(MINI), "--no-progress", "--skip-post-import")
    call_command(
        "import_stackexchange", str(MINI), "--no-progress", "--skip-post-import", "--single-process"
    )
    assert Post.objects.filter(source="stackexchange:mini").count() == 4
