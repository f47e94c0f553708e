"""Reading a dump's rows for the import: in the importing process, or in a reader process.

What can be done with one row alone (XML parsing, sanitising HTML, rendering comments) is the
larger part of an import's CPU time. In a reader process it runs beside the database writes,
which stay in the importing process. The reader streams the files in the order the import
reads them and sends rows in batches through a bounded queue, so memory stays flat. A
malformed file is reported as the same `MalformedDump` (file, line, problem) as when read
in-process, after the rows before it; a reader that fails or dies stops the import with
`ReaderFailed`. The reader is stopped when the import ends, fails or is interrupted.

This module imports no Django models: a spawned reader process loads only it.
"""

import gc
import html
import multiprocessing
import os
import queue
import re
import signal
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from knowhow.core.errors import ApplicationError
from knowhow.core.rendering import html_to_text, render_inline_markdown, sanitize_html
from knowhow.stackexchange.dump import (
    MalformedDump,
    Prepare,
    Row,
    convert_attributes,
    iter_rows,
    parse_tags,
)

# Rows per message, and messages the queue holds: at most about 16 x 500 rows in flight
# (a few MB of posts), enough to keep both processes busy.
BATCH_ROWS = 500
QUEUE_BATCHES = 16
# How often a waiting side checks that the other is still there, in seconds.
POLL_SECONDS = 0.5


class ReaderFailed(ApplicationError):
    """The process reading the dump failed."""

    code = "reader_failed"


# Characters that make inline Markdown differ from escaped plain text.
_INLINE_MARKUP_RE = re.compile("[`*_\\[\\]\\\\&<>~\u00a0]")


def comment_html(text: str) -> str:
    """render_inline_markdown, with a fast path for the plain-text majority of comments."""
    if _INLINE_MARKUP_RE.search(text):
        return render_inline_markdown(text)
    return html.escape(text, quote=False)


# --- what each file's rows get prepared with ------------------------------------------------


def prepare_user(attrib: dict[str, str]) -> tuple[str, str]:
    """(bio as text, bio as sanitised HTML) from AboutMe."""
    about = attrib.pop("AboutMe", "")
    if not about:
        return "", ""
    return html_to_text(about)[:5000], sanitize_html(about)


def prepare_post(attrib: dict[str, str]) -> tuple[str, list[str]] | None:
    """Questions and answers: (sanitised body HTML, tag names). Other posts (tag wikis) keep
    their Body; a PostTypeId that is no number is left for the import to report."""
    try:
        post_type = int(attrib.get("PostTypeId", ""))
    except ValueError:
        return None
    if post_type != 1 and post_type != 2:
        return None
    body_html = sanitize_html(attrib.pop("Body", ""))
    return body_html, parse_tags(attrib.pop("Tags", "")) if post_type == 1 else []


def prepare_comment(attrib: dict[str, str]) -> tuple[str, str]:
    """(text with its white space collapsed, its HTML)."""
    text = " ".join(attrib.pop("Text", "").split())
    return text, comment_html(text)


def prepare_vote(attrib: dict[str, str]) -> None:
    """Only the post and the kind of vote are imported: the rest need not travel."""
    for name in [k for k in attrib if k != "PostId" and k != "VoteTypeId"]:
        del attrib[name]


PREPARE: dict[str, Prepare] = {
    "Users.xml": prepare_user,
    "Posts.xml": prepare_post,
    "Comments.xml": prepare_comment,
    "Votes.xml": prepare_vote,
}


# The reader process also converts the attributes the import reads as numbers and dates, so
# that the importing process has less to do (never an attribute it also reads as text).
INTS: dict[str, tuple[str, ...]] = {
    "Users.xml": ("Id", "Reputation"),
    "Posts.xml": (
        "Id",
        "PostTypeId",
        "AcceptedAnswerId",
        "ParentId",
        "Score",
        "ViewCount",
        "OwnerUserId",
        "LastEditorUserId",
    ),
    "PostHistory.xml": ("Id", "PostHistoryTypeId", "PostId", "UserId"),
    "Comments.xml": ("Id", "PostId", "Score", "UserId"),
    "Votes.xml": ("PostId", "VoteTypeId"),
    "PostLinks.xml": ("Id", "PostId", "RelatedPostId", "LinkTypeId"),
    "Badges.xml": ("Id", "UserId", "Class"),
}
DATES: dict[str, tuple[str, ...]] = {
    "Users.xml": ("CreationDate",),
    "Posts.xml": ("CreationDate", "LastActivityDate", "LastEditDate", "ClosedDate"),
    "PostHistory.xml": ("CreationDate",),
    "Comments.xml": ("CreationDate",),
    "PostLinks.xml": ("CreationDate",),
    "Badges.xml": ("Date",),
}


def read_inline(path: Path, *, progress: Any = None) -> Iterator[Row]:
    """The rows of one file, read and prepared in this process."""
    return iter_rows(path, progress=progress, prepare=PREPARE.get(path.name))


# --- the reader process ---------------------------------------------------------------------


class _ByteCount:
    """Stands in for a progress bar in the reader process: counts the bytes read."""

    def __init__(self) -> None:
        self.n = 0

    def update(self, n: int) -> None:
        self.n += n


def read_dump_files(directory: str, names: Sequence[str], out: Any, parent: int) -> None:
    """The reader process: put ("rows", file, [(attrib, line, prepared), ...], bytes read) and
    ("end", file, bytes read) for each file in turn; ("malformed", file, line, problem) or
    ("failed", traceback) ends it early."""
    # Ctrl-C reaches the whole process group: the importing process handles it and stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.set_threshold(100_000)  # as in the importing process (DumpImport.execute)

    def put(message: tuple[Any, ...]) -> None:
        while True:
            try:
                out.put(message, timeout=POLL_SECONDS)
                return
            except queue.Full:
                if os.getppid() != parent:  # the importing process is gone
                    os._exit(1)

    try:
        for name in names:
            count = _ByteCount()
            batch: list[tuple[Any, ...]] = []
            ints, dates = INTS.get(name, ()), DATES.get(name, ())
            try:
                for row in read_inline(Path(directory) / name, progress=count):
                    convert_attributes(row.attrib, ints, dates)
                    batch.append((row.attrib, row.line, row.prepared))
                    if len(batch) >= BATCH_ROWS:
                        put(("rows", name, batch, count.n))
                        batch = []
            except MalformedDump as error:
                # The rows before the error first, as when the file is read in-process.
                put(("rows", name, batch, count.n))
                put(("malformed", error.file, error.line, error.problem))
                return
            put(("rows", name, batch, count.n))
            put(("end", name, count.n))
    except BaseException:
        put(("failed", traceback.format_exc()))


class ReaderProcess:
    """The rows of a dump's files, read in a separate process. The files must be asked for
    with `rows()` in the order given; `close()` stops the process (always call it)."""

    def __init__(self, directory: Path, names: Sequence[str]) -> None:
        # A fresh interpreter, not a fork: it shares no database connection and no memory
        # with the importing process, so its memory is only its own.
        context = multiprocessing.get_context("spawn")
        self.names = list(names)
        self._next = 0  # index in self.names of the next file to deliver
        self._queue = context.Queue(maxsize=QUEUE_BATCHES)
        self.process = context.Process(
            target=read_dump_files,
            args=(str(directory), self.names, self._queue, os.getpid()),
            name="knowhow-dump-reader",
            daemon=True,
        )
        self.process.start()

    def rows(self, name: str, *, progress: Any = None) -> Iterator[Row]:
        if name not in self.names[self._next :]:
            raise RuntimeError(f"{name} is not among the files still to be read")
        done = 0
        while True:
            message = self._get()
            kind, file = message[0], message[1]
            if kind == "malformed":
                raise MalformedDump(file=file, line=message[2], problem=message[3])
            if kind == "failed":
                raise ReaderFailed("The process reading the dump failed:\n" + message[1].rstrip())
            if file != name:  # a file this import does not read after all
                if kind == "end":
                    self._next += 1
                continue
            if progress is not None:
                progress.update(message[-1] - done)
                done = message[-1]
            if kind == "end":
                self._next += 1
                return
            for attrib, line, prepared in message[2]:
                yield Row(attrib, name, line, prepared)

    def _get(self) -> tuple[Any, ...]:
        while True:
            try:
                return self._queue.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if self.process.is_alive():
                    continue
            # Gone: anything it put before exiting is in the pipe by now.
            try:
                return self._queue.get(timeout=POLL_SECONDS)
            except queue.Empty:
                raise ReaderFailed(
                    "The process reading the dump stopped unexpectedly"
                    f" (exit code {self.process.exitcode})."
                ) from None

    def close(self) -> None:
        if self.process.is_alive() and self._next < len(self.names):
            self.process.terminate()  # stopped early: an error, or Ctrl-C
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self._queue.close()
        self._queue.cancel_join_thread()
