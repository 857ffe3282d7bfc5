"""Upgrade an older ahr database in place: add the columns the models declare but it lacks.

``ahr init`` (``store.schema.ensure_schema``) calls ``upgrade`` after creating any missing tables.
New tables need nothing here (``create_all`` makes them), nor do indexes and triggers made with
``IF NOT EXISTS`` in ``store.schema.create_tables`` (schema 3's Accounts filter index,
``store.account_list.install``, is built there from the existing accounts); a new column on an
existing table must be nullable or have a server default, since existing rows get it too. A
column that an older schema declared NOT NULL and the models now allow empty loses the
constraint. A column that needs a value computed from the existing rows gets an idempotent
``UPDATE`` in ``BACKFILLS`` (run on every upgrade, so each must only touch rows still missing
the value).

Schema 4 stores scores day first (``models.Score``): ``relayout_scores`` rebuilds an older
score table with that key, once (at a million accounts and 180 days, minutes). ``event_indexes``
gives an older event table the indexes ``models.Event`` declares (no version of its own).
"""

from __future__ import annotations

import re

from sqlalchemy import Column, Table, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateColumn

from ahr_tui.rules import DEFAULT_POLICY
from ahr_tui.store import window
from ahr_tui.store.models import Event, Score

_CONTACT_TARGET_S = int(DEFAULT_POLICY.first_contact_target.total_seconds())

#: Idempotent statements run after the columns exist, in order: each fills the rows an older
#: schema left empty. A plain string runs on every backend; a dict gives one statement per
#: dialect name (``sqlite``, ``postgresql``) where their SQL differs.
BACKFILLS: list[str | dict[str, str]] = [
    # Schema 1 had no detection: a case began contacted, so it was detected at that moment.
    "UPDATE aha_case SET detected_at = contacted_at"
    " WHERE detected_at IS NULL AND contacted_at IS NOT NULL",
    {
        # SQLite keeps instants as 'YYYY-MM-DD HH:MM:SS.ffffff': keep the fraction as written.
        "sqlite": "UPDATE aha_case SET contact_due ="
        f" strftime('%Y-%m-%d %H:%M:%S', detected_at, '+{_CONTACT_TARGET_S} seconds')"
        " || substr(detected_at, 20)"
        " WHERE contact_due IS NULL AND detected_at IS NOT NULL",
        "postgresql": "UPDATE aha_case SET contact_due ="
        f" detected_at + interval '{_CONTACT_TARGET_S} seconds'"
        " WHERE contact_due IS NULL AND detected_at IS NOT NULL",
    },
]


def missing_columns(conn: Connection, tables: list[Table]) -> list[tuple[Table, Column]]:
    """The model columns absent from the database's existing tables, in declaration order."""
    inspector = inspect(conn)
    existing_tables = set(inspector.get_table_names())
    missing: list[tuple[Table, Column]] = []
    for table in tables:
        if table.name not in existing_tables:
            continue  # create_all makes it whole
        have = {c["name"] for c in inspector.get_columns(table.name)}
        missing.extend((table, column) for column in table.columns if column.name not in have)
    return missing


def over_strict_columns(conn: Connection, tables: list[Table]) -> list[tuple[Table, Column]]:
    """Existing columns the database declares NOT NULL that the models now allow empty."""
    inspector = inspect(conn)
    existing_tables = set(inspector.get_table_names())
    strict: list[tuple[Table, Column]] = []
    for table in tables:
        if table.name not in existing_tables:
            continue
        declared = {c["name"]: c["nullable"] for c in inspector.get_columns(table.name)}
        strict.extend(
            (table, column)
            for column in table.columns
            if column.nullable and not column.primary_key and declared.get(column.name) is False
        )
    return strict


def upgrade(conn: Connection, tables: list[Table]) -> list[str]:
    """Add every missing column, relax the NOT NULLs the models dropped, then run the backfills;
    returns the ``table.column`` names added or relaxed.

    Runs inside the caller's transaction (both SQLite and PostgreSQL alter tables
    transactionally), so a failed upgrade leaves the database as it was.
    """
    changed = []
    for table, column in missing_columns(conn, tables):
        if not column.nullable and column.server_default is None:
            raise AssertionError(
                f"{table.name}.{column.name} is added to existing rows: make it nullable or give "
                "it a server default"
            )
        ddl = CreateColumn(column).compile(dialect=conn.dialect)
        conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {ddl}"))
        changed.append(f"{table.name}.{column.name}")
    strict = over_strict_columns(conn, tables)
    for table, column in strict:
        if conn.dialect.name == "sqlite":
            _sqlite_drop_not_null(conn, table.name, column.name)
        else:
            conn.execute(
                text(f'ALTER TABLE "{table.name}" ALTER COLUMN "{column.name}" DROP NOT NULL')
            )
        changed.append(f"{table.name}.{column.name}")
    if strict and conn.dialect.name == "sqlite":
        _sqlite_bump_schema(conn)
    if relayout_scores(conn):
        changed.append("score (day first)")
    changed.extend(event_indexes(conn))
    for statement in BACKFILLS:
        sql = statement if isinstance(statement, str) else statement[conn.dialect.name]
        conn.execute(text(sql))
    return changed


#: The score key of schemas 1 to 3; schema 4's is (day, account_id).
_OLD_SCORE_KEY = ["account_id", "day"]


def relayout_scores(conn: Connection) -> bool:
    """Give a score table keyed ``(account_id, day)`` the key ``(day, account_id)``; True when
    it did. SQLite (a ``WITHOUT ROWID`` table is its key): a new table filled from the old one,
    which is then dropped with its triggers (``store.schema.create_tables`` made them; they are
    made again here); the file keeps the old table's pages as free pages for the days to come
    (``VACUUM`` gives them back). PostgreSQL: the primary key is replaced and the table
    rewritten in its order (``CLUSTER``; new days then append). In the caller's transaction."""
    inspector = inspect(conn)
    if "score" not in inspector.get_table_names():
        return False
    key = inspector.get_pk_constraint("score")
    if key["constrained_columns"] != _OLD_SCORE_KEY:
        return False
    if conn.dialect.name == "sqlite":
        conn.execute(text("ALTER TABLE score RENAME TO score_before_4"))
        Score.__table__.create(conn)  # type: ignore[attr-defined]
        conn.execute(text("INSERT INTO score (account_id, day, score) "
                          "SELECT account_id, day, score FROM score_before_4"))
        conn.execute(text("DROP TABLE score_before_4"))
    else:
        name = key["name"] or "score_pkey"
        conn.execute(text(f'ALTER TABLE score DROP CONSTRAINT "{name}", '
                          f'ADD CONSTRAINT "{name}" PRIMARY KEY (day, account_id)'))
        conn.execute(text(f'CLUSTER score USING "{name}"'))  # a day's rows on adjacent pages
    window.install_triggers(conn)
    return True


#: The event indexes of schemas 1 to 4: one by account (no query reads events by account) and
#: one by case with an entry for every event; ``models.Event`` has the partial ``ix_event_case``.
_OLD_EVENT_INDEXES = ("ix_event_account_id", "ix_event_case_id")


def event_indexes(conn: Connection) -> list[str]:
    """Drop the event indexes no query needs and create the partial one by case; returns the
    indexes dropped and created. Not a schema version: both layouts answer every query, the
    newer one writes two index entries fewer per sweep enrolment (a new database gets it from
    ``create_all``, an older one from ``ahr init``)."""
    inspector = inspect(conn)
    if "event" not in inspector.get_table_names():
        return []
    have = {index["name"] for index in inspector.get_indexes("event")}
    changed = []
    for name in _OLD_EVENT_INDEXES:
        if name in have:
            conn.execute(text(f"DROP INDEX {name}"))
            changed.append(f"index {name} dropped")
    for index in Event.__table__.indexes:  # type: ignore[attr-defined]
        if index.name not in have:
            index.create(conn)
            changed.append(f"index {index.name}")
    return changed


def _sqlite_drop_not_null(conn: Connection, table: str, column: str) -> None:
    """SQLite has no ALTER COLUMN: edit the stored CREATE TABLE text instead, the procedure
    SQLite documents for removing a NOT NULL constraint (no row changes on disk)."""
    sql = conn.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {"t": table}
    ).scalar_one()
    pattern = re.compile(rf'(\n\s*"?{re.escape(column)}"?\s+\w+(?:\(\d+\))?)\s+NOT NULL', re.I)
    relaxed, count = pattern.subn(r"\1", sql, count=1)
    if count != 1:
        raise AssertionError(f"cannot find the NOT NULL of {table}.{column} in {sql!r}")
    conn.execute(text("PRAGMA writable_schema = ON"))
    conn.execute(
        text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = :t"),
        {"sql": relaxed, "t": table},
    )
    conn.execute(text("PRAGMA writable_schema = OFF"))


def _sqlite_bump_schema(conn: Connection) -> None:
    """Every connection (this one included) reads the edited table definitions again."""
    version = conn.execute(text("PRAGMA schema_version")).scalar_one()
    conn.execute(text(f"PRAGMA schema_version = {int(version) + 1}"))
