"""Recognise an ahr database without SQLAlchemy: the file precheck and the schema verdict.

Standard library only, so ``ahr tui`` can refuse a bad SQLite file, and read its first screen
of cases (``store.quick``), before SQLAlchemy has loaded. ``store.engine`` and ``store.schema``
use the same functions, so both paths give the same sentences.
"""

from __future__ import annotations

import shlex
from collections.abc import Collection
from pathlib import Path

from ahr_tui.errors import DatabaseProblem
from ahr_tui.wording import folder_problem

#: Bumped whenever the tables change; ``store.schema`` upgrades older databases.
#: 3: the Accounts view's filter index (``account_fts`` / ``pg_trgm``) and name-order index.
#: 4: scores keyed day first (``store.models.Score``; ``store.upgrade.relayout_scores``).
#: 5: each account's phone status stored (``account.phone_status``, ``store.phone_checks``).
#: 6: PostgreSQL: the Accounts filter's text stored lower-cased (``account.search``) with one
#:    trigram index and the orders' covering indexes on it (``store.account_pg``); SQLite's
#:    tables are as in 5.
#: Index changes that every version reads alike are no new version: the event table's partial
#: index by case (``store.upgrade.event_indexes``) is made by ``ahr init`` on a schema-4 file.
SCHEMA_VERSION = 6

#: How long an SQLite connection waits for another writer before it says "busy".
BUSY_TIMEOUT_MS = 10_000

SQLITE_MAGIC = b"SQLite format 3\x00"
APP_TABLES = frozenset({"meta", "store", "account"})


def command_on(where: str, command: str) -> str:
    """```ahr --db WHERE COMMAND``` for the database named ``where`` (a path, or a URL as
    ``store.engine.describe`` shows it), quoted so that it runs as written in a POSIX shell."""
    quoted = f"`{shell_command_on(where, command)}`"
    return f"{quoted} with the same --db" if _hidden(where) else quoted


def shell_command_on(where: str, command: str) -> str:
    """``ahr --db WHERE COMMAND`` as a shell command alone (the end of a pipe in an advice),
    quoted as ``command_on`` quotes it; ``ahr COMMAND`` where the URL's password is hidden."""
    if _hidden(where):  # the user has to give the --db again
        return f"ahr {command}"
    return f"ahr --db {shlex.quote(where)} {command}"


def _hidden(where: str) -> bool:
    """The URL's password is hidden (``store.engine.describe``): it cannot be written out."""
    return "***" in where


def init_command(where: str) -> str:
    """The ``ahr init`` that sets up the database named ``where``."""
    return command_on(where, "init")


def precheck_sqlite_file(path: Path, *, create: bool) -> None:
    """Refuse a missing file (unless creating), a directory, or a file that is not SQLite.

    Reads at most 16 bytes; never writes. A zero-byte file is accepted only when creating.
    """
    if path.is_dir():
        raise DatabaseProblem(f"{path} is a directory, not a database file.")
    if not path.exists():
        if create:
            if (problem := folder_problem(path, "create")) is not None:
                raise DatabaseProblem(problem)
            return
        if not path.parent.is_dir():  # init would refuse: say what it needs first
            raise DatabaseProblem(
                f"no database at {path}, and no folder {path.parent} to create one in; make "
                f"the folder (mkdir -p {shlex.quote(str(path.parent))}), then "
                f"{init_command(str(path))}.")
        raise DatabaseProblem(f"no database at {path}; create one with {init_command(str(path))}.")
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise DatabaseProblem(f"cannot read {path}: {exc.strerror}.") from None
    if not head:
        if create:
            return
        raise DatabaseProblem(
            f"{path} is empty, not an ahr database; run {init_command(str(path))} to set it up."
        )
    if head != SQLITE_MAGIC:
        raise DatabaseProblem(f"{path} is not an SQLite database.")


def recorded_version(where: str, tables: Collection[str], value: str | None) -> int | None:
    """The schema version from the table names and ``meta.schema_version``; None when empty.

    Raises ``DatabaseProblem`` for a database that has tables but is not ours.
    """
    if not tables:
        return None
    if not set(tables) >= APP_TABLES:
        raise DatabaseProblem(f"{where} is not an ahr database (it has other tables).")
    if value is None or not value.isdigit():
        raise DatabaseProblem(f"{where} is not an ahr database (no schema version).")
    return int(value)


def require_current(where: str, version: int | None) -> None:
    """Refuse an empty database, one a newer ahr wrote, and one that needs ``ahr init``."""
    if version is None:
        raise DatabaseProblem(f"{where} has no ahr tables; run {init_command(where)} to set it up.")
    if version > SCHEMA_VERSION:
        raise DatabaseProblem(
            f"{where} was written by a newer ahr (schema {version}, this ahr knows "
            f"{SCHEMA_VERSION}); upgrade ahr."
        )
    if version < SCHEMA_VERSION:
        raise DatabaseProblem(
            f"{where} has schema {version}; run {init_command(where)} to upgrade it."
        )
