"""Open a database by path or SQLAlchemy URL, refusing anything that is not ours, untouched.

SQLite connections get foreign keys, a busy timeout and explicit transactions: readers use a
plain ``BEGIN``; writers use ``BEGIN IMMEDIATE`` so two writers queue on the busy timeout instead
of failing when one upgrades a read lock. PostgreSQL goes through psycopg 3.
"""

from __future__ import annotations

import os
import re
import shlex
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlmodel import Session

from ahr_tui.errors import DatabaseProblem, InvalidInput
from ahr_tui.store.recognise import BUSY_TIMEOUT_MS, precheck_sqlite_file
from ahr_tui.wording import folder_not_file, names_folder


def to_url(db: str) -> URL:
    """A file path becomes ``sqlite:///<absolute path>``; anything with ``://`` is a URL. A
    path ending with ``/`` names a folder and is refused (``DatabaseProblem``)."""
    if "://" in db:
        try:
            url = make_url(db)
        except ArgumentError:
            raise DatabaseProblem(f"{db!r} is not a database URL.") from None
        if url.drivername in ("postgresql", "postgres"):  # postgres://: a DATABASE_URL's way
            url = url.set(drivername="postgresql+psycopg")
        return url
    if names_folder(db):  # Path would drop the slash and make a file of the folder's name
        raise DatabaseProblem(folder_not_file(db))
    # URL.create, not a parsed string: a file name may hold "?", "#" or "%20" (store.quick and
    # every command must open the same file).
    return URL.create("sqlite", database=str(Path(db).expanduser().absolute()))


def describe(url: URL) -> str:
    """What to call the database in messages: the file path, or the URL without a password."""
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return url.render_as_string(hide_password=True)


def sqlite_path(url: URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def make_engine(db: str, *, create: bool = False, echo: bool = False) -> Engine:
    """An engine for ``db`` (path or URL). Nothing is written until a transaction writes."""
    url = to_url(db)
    path = sqlite_path(url)
    if path is not None:
        precheck_sqlite_file(path, create=create)
    backend = url.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(url, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _tune_sqlite(engine)
    elif backend == "postgresql":
        engine = create_engine(url, echo=echo, pool_pre_ping=True)
    else:
        engine = None
    if engine is not None:
        event.listen(engine, "handle_error", _refuse_unencodable_text)
        return engine
    raise DatabaseProblem(f"unsupported database {describe(url)}: use a file path, sqlite:// or postgresql://.")


def _refuse_unencodable_text(context: Any) -> None:
    """Text no database can hold is the user's input: one sentence (exit 1), not a traceback.

    A lone surrogate (undecodable argv bytes, a JSON ``\\ud800``) makes both drivers raise
    ``UnicodeEncodeError`` while binding, outside the DBAPI error family; a NUL character is
    refused by PostgreSQL (SQLite stores it).
    """
    if isinstance(context.original_exception, UnicodeEncodeError):
        raise InvalidInput(
            "text contains characters that are not valid Unicode (a lone surrogate, e.g. from "
            "undecodable bytes); nothing was written."
        ) from None
    if "cannot contain NUL" in str(context.original_exception):  # PostgreSQL text columns
        raise InvalidInput(
            "text contains a NUL character, which the database cannot store; nothing was written."
        ) from None


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _on_begin)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        _foreign_keys(conn, not options.get("ahr_keys_checked_by_caller", False))
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("ahr_write", False) else "BEGIN")


def _foreign_keys(conn: Any, on: bool) -> None:
    """Foreign keys on for every transaction but one whose caller checks its keys itself (the
    scores import: ``service.import_unit``); the pragma only works outside a transaction, so it
    is set here, before BEGIN, and only when it changes."""
    info = conn.connection.info
    if info.get("ahr_foreign_keys", True) != on:
        conn.exec_driver_sql(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")
        info["ahr_foreign_keys"] = on


@contextmanager
def transaction(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any exception.

    The store never commits on its own; this is the only place a transaction ends well.
    """
    bound = engine.execution_options(ahr_write=True) if write else engine
    with Session(bound, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def batch_engine(engine: Engine) -> Iterator[Engine]:
    """An engine for a run of many small write transactions (acting on marked cases).

    Each transaction still commits on its own, atomically; on SQLite its commit does not wait
    for the disk (``synchronous = NORMAL``, which in WAL mode never corrupts the file), and the
    whole run waits once, at its end, for the write-ahead log to reach the disk: a power cut
    during the run may lose its last changes, never half of one. 1,000 commits that each
    wait for the disk take seconds on a virtual machine's disk. Other databases: ``engine``.
    """
    path = sqlite_path(engine.url)
    if path is None:
        yield engine
        return
    batch = make_engine(str(path))

    @event.listens_for(batch, "connect")
    def _no_wait(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA synchronous = NORMAL")

    try:
        yield batch
    finally:
        batch.dispose()
        _sync_file(Path(f"{path}-wal"))


def _sync_file(path: Path) -> None:
    """Wait for ``path`` to reach the disk (no file, nothing to wait for)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


#: PostgreSQL's SQLSTATEs for a lock held by someone else: lock_not_available (a lock or
#: statement timeout), deadlock_detected, serialization_failure. Trying again is the remedy.
_BUSY_STATES = frozenset({"55P03", "40P01", "40001"})


def _sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a PostgreSQL driver error (psycopg's ``sqlstate``), else None."""
    state = getattr(getattr(exc, "orig", exc), "sqlstate", None)
    return state if isinstance(state, str) else None


#: PostgreSQL's refusal of a connection to a database it does not have.
_MISSING_DATABASE = re.compile(r'database "(.+)" does not exist')


def translate(exc: DBAPIError | sqlite3.Error, where: str) -> DatabaseProblem:
    """A database driver error as one sentence a user can act on."""
    text_ = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else repr(exc)
    lowered = text_.lower()
    if "readonly" in lowered or "read-only" in lowered:
        hint = (
            ""
            if "://" in where
            else " (an SQLite database needs write access to its file and folder, even to read)"
        )
        return DatabaseProblem(f"{where} is read-only for you; nothing was written{hint}.")
    if "not a database" in lowered or "malformed" in lowered:
        return DatabaseProblem(f"{where} is corrupt or not an SQLite database.")
    if "locked" in lowered or "busy" in lowered or _sqlstate(exc) in _BUSY_STATES:
        return DatabaseProblem(f"{where} is busy (another process holds a lock); try again.")
    missing = _MISSING_DATABASE.search(text_)
    if isinstance(exc, OperationalError) and missing:
        name = missing.group(1)
        return DatabaseProblem(
            f"cannot connect to {where}: the server has no database \"{name}\"; create it "
            f"(`createdb {shlex.quote(name)}`, or CREATE DATABASE as a user allowed to), "
            "then run `ahr init` on it.")
    if isinstance(exc, OperationalError) and ("connect" in lowered or "connection" in lowered):
        return DatabaseProblem(f"cannot connect to {where}: {text_}")
    return DatabaseProblem(f"database error on {where}: {text_}")


def ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
