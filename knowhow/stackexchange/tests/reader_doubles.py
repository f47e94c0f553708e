"""Stand-ins for the reader process's function, for test_reader.py. A spawned reader process
imports this module, so it imports no Django models."""

import os
from typing import Any

from knowhow.stackexchange.reader import read_dump_files


def dying_reader(directory: str, names: list[str], out: Any, parent: int) -> None:
    """Killed, as by the out-of-memory killer, before it sent anything."""
    os._exit(3)


def reader_of_a_vanished_directory(directory: str, names: list[str], out: Any, parent: int) -> None:
    """The real reader, failing on a file it cannot open."""
    read_dump_files(os.path.join(directory, "vanished"), names, out, parent)
