"""Upgrade an older ahr database in place: add the columns the models declare but it lacks.

``ahr init`` (``store.schema.ensure_schema``) calls ``upgrade`` after creating any missing tables.
New tables need nothing here (``create_all`` makes them); a new column on an existing table must
be nullable or have a server default, since existing rows get it too. A column that needs a value
computed from the existing rows gets an idempotent ``UPDATE`` in ``BACKFILLS`` (run on every
upgrade, so each must only touch rows still missing the value).
"""

from __future__ import annotations

from sqlalchemy import Column, Table, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateColumn

#: Idempotent statements run after the columns exist, in order: each fills the rows an older
#: schema left empty (e.g. ``UPDATE aha_case SET detected_at = contacted_at WHERE detected_at
#: IS NULL``).
BACKFILLS: list[str] = []


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


def upgrade(conn: Connection, tables: list[Table]) -> list[str]:
    """Add every missing column, then run the backfills; returns ``table.column`` names added.

    Runs inside the caller's transaction (both SQLite and PostgreSQL alter tables
    transactionally), so a failed upgrade leaves the database as it was.
    """
    added = []
    for table, column in missing_columns(conn, tables):
        if not column.nullable and column.server_default is None:
            raise AssertionError(
                f"{table.name}.{column.name} is added to existing rows: make it nullable or give "
                "it a server default"
            )
        ddl = CreateColumn(column).compile(dialect=conn.dialect)
        conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {ddl}"))
        added.append(f"{table.name}.{column.name}")
    for statement in BACKFILLS:
        conn.execute(text(statement))
    return added
