"""Bulk writes for the importers: every dialect-specific piece of bulk SQL lives here.

Scores are the hot path (a million rows per file). SQLite gets ``executemany`` on the driver
connection, bypassing the ORM: per batch, ``INSERT OR IGNORE`` (its rowcount is the number of new
rows), then, only if some keys already existed, an ``UPDATE ... WHERE score IS NOT ?`` over the
batch (its rowcount is the number of changed rows). No per-row SELECT and no count of
the whole table; the common cases (a new day, or the same file again) take one pass. PostgreSQL
gets psycopg 3 ``COPY`` into a temporary table and one set-based upsert at the end. Both run
inside the caller's transaction and never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Column, Table, bindparam, insert, update
from sqlmodel import Session

from ahr_tui.store.models import Account

ScoreRow = tuple[int, str, int]  # account id, 'YYYY-MM-DD', score

_SQLITE_INSERT = "INSERT OR IGNORE INTO score (account_id, day, score) VALUES (?1, ?2, ?3)"
_SQLITE_UPDATE = (
    "UPDATE score SET score = ?3 WHERE account_id = ?1 AND day = ?2 AND score IS NOT ?3"
)
_PG_STAGE = "ahr_import_score"
_PG_UPSERT = f"""
WITH written AS (
    INSERT INTO score (account_id, day, score)
    SELECT account_id, day, score FROM {_PG_STAGE}
    ON CONFLICT (account_id, day) DO UPDATE SET score = EXCLUDED.score
    WHERE score.score IS DISTINCT FROM EXCLUDED.score
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written
"""


class ScoreWriter(Protocol):
    def write(self, rows: Sequence[ScoreRow]) -> None:
        """Upsert ``rows`` (no key twice across all calls) in the caller's transaction."""

    def finish(self) -> tuple[int, int]:
        """(new rows, updated rows) over every ``write``; rows left unchanged are neither."""


def score_writer(session: Session) -> ScoreWriter:
    connection = session.connection()
    driver = connection.connection.driver_connection
    if connection.dialect.name == "sqlite":
        return _SqliteScores(driver)
    return _PostgresScores(driver)


class _SqliteScores:
    """Insert-or-ignore, then update what was ignored; counted by each statement's rowcount."""

    def __init__(self, driver: Any) -> None:
        self._db = driver
        self._new = self._updated = 0

    def write(self, rows: Sequence[ScoreRow]) -> None:
        # a cursor's rowcount, not total_changes: the window counters' triggers on score
        # (store.window) change rows too, and total_changes counts those
        db = self._db
        inserted = int(db.executemany(_SQLITE_INSERT, rows).rowcount)
        self._new += inserted
        if inserted < len(rows):  # some days were scored before: the file's value wins
            self._updated += int(db.executemany(_SQLITE_UPDATE, rows).rowcount)

    def finish(self) -> tuple[int, int]:
        return self._new, self._updated


class _PostgresScores:
    """``COPY`` into a temporary table as rows arrive; one upsert from it at the end.

    ``xmax = 0`` on a returned row means the row was inserted rather than updated: the usual
    PostgreSQL idiom for telling the two apart in one statement.
    """

    def __init__(self, driver: Any) -> None:
        self._db = driver
        with driver.cursor() as cur:
            cur.execute(
                f"CREATE TEMPORARY TABLE {_PG_STAGE} "
                "(account_id integer NOT NULL, day date NOT NULL, score integer NOT NULL) "
                "ON COMMIT DROP"
            )

    def write(self, rows: Sequence[ScoreRow]) -> None:
        with (
            self._db.cursor() as cur,
            cur.copy(f"COPY {_PG_STAGE} (account_id, day, score) FROM STDIN") as copy,
        ):
            copy.write("".join([f"{a}\t{d}\t{s}\n" for a, d, s in rows]))

    def finish(self) -> tuple[int, int]:
        with self._db.cursor() as cur:
            cur.execute(f"ANALYZE {_PG_STAGE}")
            new, updated = cur.execute(_PG_UPSERT).fetchone()
            cur.execute(f"DROP TABLE {_PG_STAGE}")
        return int(new), int(updated)


def move_enrollments(session: Session, rows: Sequence[tuple[str, int, int]], at: datetime) -> int:
    """Set ``enrollment`` (and ``enrollment_changed_at = at``) of each (enrollment, account id,
    version read) whose account is still at that version, bumping it, in one batch; returns how
    many rows were changed."""
    if not rows:
        return 0
    table = Account.__table__  # type: ignore[attr-defined]
    connection = session.connection()
    when = bound(session, table.c.enrollment_changed_at, at)
    if connection.dialect.name == "sqlite":
        driver: Any = connection.connection.driver_connection
        before = driver.total_changes
        driver.executemany(
            "UPDATE account SET enrollment = ?, enrollment_changed_at = ?, version = version + 1"
            " WHERE id = ? AND version = ?",
            [(enrollment, when, account_id, version) for enrollment, account_id, version in rows],
        )
        return int(driver.total_changes - before)
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
        .values(
            enrollment=bindparam("b_enrollment"),
            enrollment_changed_at=bindparam("b_at"),
            version=table.c.version + 1,
        )
    )
    values = [{"b_enrollment": e, "b_id": i, "b_version": v, "b_at": when} for e, i, v in rows]
    return int(connection.execute(statement, values).rowcount)


def bound(session: Session, column: Column[Any], value: Any) -> Any:
    """``value`` as ``insert_tuples`` takes it for ``column``: on SQLite what SQLAlchemy itself
    would hand the driver (an instant as its text), elsewhere the value itself."""
    dialect = session.connection().dialect
    if dialect.name != "sqlite":
        return value
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    return value if process is None else process(value)


def insert_tuples(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert ``rows``, one value per name in ``columns`` each (typed values through ``bound``
    first), in one batch in the caller's transaction: on SQLite straight to the driver's
    ``executemany``, elsewhere a Core insert (which fills the other columns' defaults)."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        connection.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    marks = ", ".join("?" for _ in columns)
    driver: Any = connection.connection.driver_connection
    driver.executemany(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", rows)


def insert_accounts(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """New accounts (keys: seller_id, store, name, plan, email, emergency_phone)."""
    if rows:
        session.execute(insert(Account), list(rows))


def update_accounts(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Changed accounts by ``b_id``; each bumps the version, so a stale operator write fails."""
    if not rows:
        return
    columns = [c for c in rows[0] if c != "b_id"]
    statement = (
        update(Account)
        .where(Account.id == bindparam("b_id"))
        .values({**{c: bindparam(c) for c in columns}, "version": Account.version + 1})
    )
    session.connection().execute(statement, list(rows))
