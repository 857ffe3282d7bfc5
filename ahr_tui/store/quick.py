"""The TUI's first screen, read with the standard library's ``sqlite3`` before SQLAlchemy loads.

``ahr tui`` on an SQLite file paints its cases from here while SQLAlchemy, the models and the
service layer load in a worker thread (about 0.4 s of imports); every later read and every write
goes through the engine. Same checks (``store.recognise``), same SQL (``store.case_rows``), one
read transaction. Any driver error returns None: the caller then takes the engine's path, which
reports it in the usual words.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ahr_tui.rules import Role
from ahr_tui.store.recognise import (
    APP_TABLES,
    BUSY_TIMEOUT_MS,
    precheck_sqlite_file,
    recorded_version,
    require_current,
)
from ahr_tui.wording import names_folder


def sqlite_file(db: str) -> Path | None:
    """The file behind ``--db`` when it is a plain path (URLs, and a path ending with ``/``,
    which ``store.engine.to_url`` refuses, take the engine's path)."""
    if "://" in db or names_folder(db):
        return None
    return Path(db).expanduser().absolute()


def _connect(path: Path) -> sqlite3.Connection:
    # mode=rw: never creates a file; autocommit mode: BEGIN and COMMIT are ours.
    uri = f"file:{quote(str(path))}?mode=rw"
    return sqlite3.connect(
        uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
        check_same_thread=False,
    )


def check(path: Path) -> bool:
    """Refuse a file that is not a current ahr database (``DatabaseProblem``, as ``ahr`` words
    it); False when the driver failed and the engine's path should look instead."""
    precheck_sqlite_file(path, create=False)
    try:
        with closing(_connect(path)) as con:
            listed = con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            tables = {name for (name,) in listed}
            value = None
            if tables >= APP_TABLES:
                row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                value = row[0] if row else None
    except sqlite3.Error:
        return False
    require_current(str(path), recorded_version(str(path), tables, value))
    return True


def read_cases(
    path: Path, operator: str, query: tuple[str, dict[str, Any]]
) -> tuple[list[tuple[Any, ...]], int, Role | None, bool] | None:
    """The rows (``store.case_rows.CaseRow`` order) of ``query`` (SQL and named
    parameters from ``store.case_rows``), the change marker, the operator's role and whether
    there is any account (``queries.has_accounts``), in one read transaction; None when the
    driver failed."""
    read = read_rows(path, [
        ("SELECT max(id) FROM event", {}),
        query,
        ("SELECT role FROM operator WHERE name = :name", {"name": operator}),
        ("SELECT id FROM account LIMIT 1", {}),
    ])
    if read is None:
        return None
    [(marker,)], cases, role, account = read
    row = role[0] if role else None
    return cases, int(marker or 0), Role.stored(row[0] if row else None), bool(account)


def read_rows(
    path: Path, queries: Iterable[tuple[str, dict[str, Any]]]
) -> list[list[tuple[Any, ...]]] | None:
    """The rows of each ``(sql, named parameters)`` in ``queries``, read in one transaction (one
    consistent view of the file); None when the driver failed."""
    try:
        with closing(_connect(path)) as con:
            con.execute("BEGIN")
            found = [list(con.execute(sql, params)) for sql, params in queries]
            con.execute("COMMIT")
    except sqlite3.Error:
        return None
    return found
