"""Create, upgrade and recognise an ahr database.

``ensure_schema`` (``ahr init``, ``ahr sample``) creates the tables and seeds the stores; every
other command calls ``check_schema``, which refuses a database that is not ours or that a newer
ahr wrote, without changing it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Table, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, col

from ahr_tui.rules.stores import DEFAULT_ENABLED, STORES
from ahr_tui.store import account_keys, account_list, account_pg, models, window
from ahr_tui.store.engine import describe, is_sqlite, transaction, translate
from ahr_tui.store.models import Meta, Store
from ahr_tui.store.recognise import (
    APP_TABLES,
    SCHEMA_VERSION,
    recorded_version,
    require_current,
)
from ahr_tui.store.upgrade import upgrade

GENESIS_HASH = "0" * 64


def read_version(engine: Engine) -> int | None:
    """The schema version recorded in the database; None for an empty database.

    Raises ``DatabaseProblem`` for a database that has tables but is not ours.
    """
    where = describe(engine.url)
    try:
        tables = set(inspect(engine).get_table_names())
        row = None
        if tables >= APP_TABLES:
            with Session(engine) as session:
                row = session.get(Meta, "schema_version")
    except DBAPIError as exc:
        raise translate(exc, where) from None
    return recorded_version(where, tables, row.value if row else None)


def check_schema(engine: Engine) -> None:
    require_current(describe(engine.url), read_version(engine))


def ensure_schema(
    engine: Engine, *, now: datetime, upgrading: Callable[[int, int], None] | None = None
) -> bool:
    """Create or upgrade the schema; True when the database was new. Idempotent.

    ``upgrading(from, to)`` is called before an older schema is upgraded (an upgrade can take
    minutes: schema 4 re-keys every score). On PostgreSQL, an upgrade from before schema 6
    rewrites ``account`` (``store.account_pg``), which is then vacuumed."""
    version = read_version(engine)
    if version is not None and version > SCHEMA_VERSION:
        require_current(describe(engine.url), version)  # the newer-schema sentence
    created = version is None
    if version is not None and version < SCHEMA_VERSION and upgrading is not None:
        upgrading(version, SCHEMA_VERSION)
    try:
        if is_sqlite(engine):
            raw = engine.raw_connection()  # outside any transaction: WAL cannot be set inside one
            try:
                raw.driver_connection.execute("PRAGMA journal_mode=WAL")  # type: ignore[union-attr]
            finally:
                raw.close()
        create_tables(engine)
        with engine.begin() as conn:
            upgrade(conn, _tables())
        with transaction(engine, write=True) as session:
            _seed(session, now)
        if version is not None and version < 6 and not is_sqlite(engine):
            account_pg.vacuum_account(engine)
    except (DBAPIError, sqlite3.Error) as exc:  # the PRAGMA above goes to the driver directly
        raise translate(exc, describe(engine.url)) from None
    return created


def create_tables(bind: Engine | Connection) -> None:
    """Create the missing ahr tables and indexes, without seed rows (``ahr db copy`` fills them).

    Also the Accounts view's filter index and its triggers (``store.account_list``; schema 3),
    filled from the accounts already there when an older database gets it, and on PostgreSQL
    the triggers that check the account of each score, event and notification instead of a
    foreign key (``store.account_keys``)."""
    SQLModel.metadata.create_all(bind, tables=_tables())
    window.install_triggers(bind)
    account_list.install(bind)
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            account_keys.install(conn)
    else:
        account_keys.install(bind)


def app_tables() -> list[Table]:
    """Every ahr table, parents before children (the order to fill or copy them in)."""
    ours = set(_tables())
    return [t for t in SQLModel.metadata.sorted_tables if t in ours]


def _tables() -> list:
    return [
        models.Meta.__table__,  # type: ignore[attr-defined]
        models.Store.__table__,  # type: ignore[attr-defined]
        models.Account.__table__,  # type: ignore[attr-defined]
        models.Score.__table__,  # type: ignore[attr-defined]
        models.Case.__table__,  # type: ignore[attr-defined]
        models.ContactAttempt.__table__,  # type: ignore[attr-defined]
        models.Event.__table__,  # type: ignore[attr-defined]
        models.Notification.__table__,  # type: ignore[attr-defined]
        models.Operator.__table__,  # type: ignore[attr-defined]
        models.WindowCount.__table__,  # type: ignore[attr-defined]
        models.WindowState.__table__,  # type: ignore[attr-defined]
        models.WindowDirty.__table__,  # type: ignore[attr-defined]
        models.OperatorHours.__table__,  # type: ignore[attr-defined]
        models.SavedView.__table__,  # type: ignore[attr-defined]
    ]


def _seed(session: Session, now: datetime) -> None:
    existing = set(session.execute(select(col(Store.code))).scalars())
    for info in STORES:
        if info.code not in existing:
            session.add(
                Store(
                    code=info.code,
                    name=info.name,
                    marketplace_id=info.marketplace_id,
                    region=info.region,
                    aha_enabled=info.code in DEFAULT_ENABLED,
                )
            )
    _set_meta(session, "schema_version", str(SCHEMA_VERSION))
    if session.get(Meta, "audit_head") is None:
        _set_meta(session, "audit_head", GENESIS_HASH)
    if session.get(Meta, "created_at") is None:
        _set_meta(session, "created_at", now.isoformat())


def _set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value


def get_meta(session: Session, key: str) -> str | None:
    row = session.get(Meta, key)
    return row.value if row else None


def set_meta(session: Session, key: str, value: str) -> None:
    _set_meta(session, key, value)


def sqlite_integrity_ok(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
