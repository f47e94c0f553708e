"""Reading the Stack Exchange data dump format: one XML file per table, one `<row .../>` per record.

Files are streamed with lxml's iterparse and every row element is cleared once read, so memory
stays flat whatever the file size. Any problem in a file (bad XML, a missing or unparsable
attribute) raises `MalformedDump` with the file name and line.
"""

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from knowhow.core.errors import ApplicationError

FILES = (
    "Users.xml",
    "Tags.xml",
    "Posts.xml",
    "PostHistory.xml",
    "Comments.xml",
    "Votes.xml",
    "PostLinks.xml",
    "Badges.xml",
)

_TAG_ANGLE_RE = re.compile(r"<([^<>]+)>")


class MalformedDump(ApplicationError):
    """A dump file is not valid."""

    code = "malformed_dump"

    def __init__(self, *, file: str, line: int | None, problem: str) -> None:
        self.file = file
        self.line = line
        self.problem = problem
        where = f"{file}, line {line}" if line else file
        super().__init__(f"{where}: {problem}")


class Row:
    """One `<row>` of a dump file, with typed accessors that report the file and line on error.
    `prepared` holds what the file's `Prepare` function derived from it (sanitised HTML, ...)."""

    __slots__ = ("attrib", "file", "line", "prepared")

    def __init__(
        self, attrib: dict[str, Any], file: str, line: int | None, prepared: Any = None
    ) -> None:
        self.attrib = attrib
        self.file = file
        self.line = line
        self.prepared = prepared

    def fail(self, problem: str) -> MalformedDump:
        return MalformedDump(file=self.file, line=self.line, problem=problem)

    def str(self, name: str, default: str = "") -> str:
        return self.attrib.get(name, default)

    def int(self, name: str) -> int | None:
        value = self.attrib.get(name)
        if value.__class__ is int:  # converted by `convert_attributes`
            return value  # type: ignore[return-value]
        if value is None or value == "":
            return None
        try:
            return int(value)
        except ValueError:
            raise self.fail(f"attribute {name} is not a whole number: {value[:40]!r}") from None

    def required_int(self, name: str) -> int:
        value = self.int(name)
        if value is None:
            raise self.fail(f"attribute {name} is missing")
        return value

    def date(self, name: str) -> datetime.datetime | None:
        value = self.attrib.get(name)
        if not value:
            return None
        if value.__class__ is datetime.datetime:  # converted by `convert_attributes`
            return value  # type: ignore[return-value]
        try:
            parsed = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise self.fail(f"attribute {name} is not a date: {value[:40]!r}") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.UTC)
        return parsed

    def required_date(self, name: str) -> datetime.datetime:
        value = self.date(name)
        if value is None:
            raise self.fail(f"attribute {name} is missing")
        return value

    def bool(self, name: str) -> bool:
        return self.attrib.get(name, "").lower() == "true"


def convert_attributes(
    attrib: dict[str, Any], ints: tuple[str, ...], dates: tuple[str, ...]
) -> None:
    """Replace the named attributes by the values `Row.int` and `Row.date` would give, where
    those would succeed (the others stay text, for the Row to report as it would)."""
    for name in ints:
        value = attrib.get(name)
        if value:
            # Not contextlib.suppress: a call more per attribute, millions of times.
            try:  # noqa: SIM105
                attrib[name] = int(value)
            except ValueError:
                pass
    for name in dates:
        value = attrib.get(name)
        if value:
            try:
                parsed = datetime.datetime.fromisoformat(value)
            except ValueError:
                continue
            attrib[name] = parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def parse_tags(raw: str) -> list[str]:
    """Tag names from either dump format: `<a><b>` (up to 2023) or `|a|b|` (2024 on)."""
    raw = raw.strip()
    if not raw:
        return []
    names = raw.split("|") if raw.startswith("|") else _TAG_ANGLE_RE.findall(raw)
    seen: list[str] = []
    for name in names:
        name = unicodedata.normalize("NFC", name.strip().lower())
        if name and name not in seen:
            seen.append(name)
    return seen


def format_tags(names: list[str]) -> str:
    return "".join(f"<{name}>" for name in names)


# What the import derives from a row's attributes on its own (no database, no other row):
# returns the row's `prepared` value and may remove the attributes it consumed.
Prepare = Callable[[dict[str, str]], Any]


def iter_rows(path: Path, *, progress: Any = None, prepare: Prepare | None = None) -> Iterator[Row]:
    """Yield each `<row>` of a dump file. `progress` is a tqdm-like bar updated in bytes read;
    `prepare`, if given, sets each row's `prepared`."""
    name = path.name
    with path.open("rb") as raw:
        source = raw
        if progress is not None:
            source = _ProgressReader(raw, progress)
        parser = etree.iterparse(
            source, events=("end",), tag="row", huge_tree=True, resolve_entities=False
        )
        try:
            for _event, elem in parser:
                attrib = dict(elem.attrib)
                yield Row(
                    attrib, name, elem.sourceline, prepare(attrib) if prepare is not None else None
                )
                elem.clear(keep_tail=False)
                parent = elem.getparent()
                if parent is not None:
                    while elem.getprevious() is not None:
                        del parent[0]
        except etree.XMLSyntaxError as error:
            line = error.lineno if error.lineno else None
            raise MalformedDump(file=name, line=line, problem=_syntax_problem(error)) from None


def _syntax_problem(error: etree.XMLSyntaxError) -> str:
    message = str(error.msg or error).strip()
    # lxml appends ", line N, column M" to its messages; the line is reported separately.
    message = re.sub(r",? line \d+, column \d+$", "", message)
    return f"the XML is not well-formed ({message})"


class _ProgressReader:
    """A file wrapper that advances a progress bar as bytes are read."""

    def __init__(self, raw: Any, progress: Any) -> None:
        self._raw = raw
        self._progress = progress

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._progress.update(len(data))
        return data
