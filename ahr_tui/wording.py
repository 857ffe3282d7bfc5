"""How numbers of things, instants and file problems are written for people (DESIGN.md section 5).

One place, so every command says ``1 case`` / ``3 cases`` (never ``case(s)``) and shows an instant
as ``2026-11-29T14:30:05Z`` (UTC, to the second). JSON output keeps its own full-precision form
(``service.case_view.iso_z``). Standard library only: the CLI, the store's messages and the TUI
may all use it.
"""

from __future__ import annotations

import errno
import os
from datetime import UTC, datetime
from pathlib import Path

#: Nouns whose plural is not the noun plus ``s``.
_IRREGULAR = {"entry": "entries", "policy": "policies", "reply": "replies", "match": "matches"}


#: What an empty database says, in the app's lists and in ``ahr init`` and ``ahr cases``: that
#: there is nothing yet and the commands that bring the data in (one line, within 80 columns).
NO_ACCOUNTS_YET = "no accounts yet: ahr import sellers FILE.csv, then ahr import scores FILE.csv"


def count(number: int, noun: str) -> str:
    """``count(1, "case")`` is ``1 case``; ``count(2, "deadline warning")`` is
    ``2 deadline warnings`` (the last word takes the plural)."""
    if number == 1:
        return f"1 {noun}"
    head, _, last = noun.rpartition(" ")
    plural = _IRREGULAR.get(last, last + "s")
    return f"{number:,} {head + ' ' if head else ''}{plural}"


def instant(value: datetime | None, missing: str = "-") -> str:
    """An instant in text output: ``2026-11-29T14:30:05Z`` (UTC, fractions of a second dropped);
    ``missing`` when there is none. A naive datetime is taken as UTC."""
    if value is None:
        return missing
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    elif value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # isoformat is several times cheaper than strftime (a forecast writes 20,000 instants)
    return value.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def folder_problem(target: Path, verb: str = "write") -> str | None:
    """Why ``target`` cannot be written because of its folder, in one sentence, or None when
    its folder is there: ``cannot write out/x.csv: the folder out does not exist.`` (not "is
    not a folder", which an operator reads as a wrong kind of thing), or ``... out is a file,
    not a folder.``"""
    folder = target.parent
    if folder.is_dir():
        return None
    if folder.exists():
        return f"cannot {verb} {target}: {folder} is a file, not a folder."
    return f"cannot {verb} {target}: the folder {folder} does not exist."


def names_folder(given: str) -> bool:
    """True when a path as typed names a folder by its form: it ends with ``/`` (``out/``,
    ``/var/tmp/``), whether or not that folder exists, as ``cp`` and ``rsync`` read it.
    ``Path`` drops the slash (``Path("out/") == Path("out")``), so ask before converting."""
    return given.endswith(_SEPARATORS)


_SEPARATORS = tuple({os.sep, os.altsep or os.sep})


def folder_not_file(given: str, *, example: str = "ahr.db") -> str:
    """The sentence refusing a folder (``names_folder``) where a file is wanted (a database):
    ``out/ ends with /, so it names a folder, not a file; give the file's name, e.g.
    out/ahr.db.`` (or, when ``out`` is a file, to write it without the ``/``)."""
    bare = given.rstrip("".join(_SEPARATORS))
    if bare and Path(bare).is_file():
        return (f"{given} ends with /, so it names a folder, but {bare} is a file; write it "
                "without the /.")
    return (f"{given} ends with /, so it names a folder, not a file; give the file's name, "
            f"e.g. {given}{example}.")


def os_problem(verb: str, target: Path, exc: OSError) -> str:
    """``cannot VERB TARGET: why.`` for an ``OSError`` met reading or writing ``target``: when
    writing, a missing folder said in words (``folder_problem``), else the system's reason
    (``No such file or directory`` for a file to read that is not there)."""
    if verb != "read" and exc.errno in (errno.ENOENT, errno.ENOTDIR):
        said = folder_problem(target, verb)
        if said is not None:
            return said
    return f"cannot {verb} {target}: {exc.strerror or exc}."
