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
    driver: Any = connection.connection.driver_connection
    if connection.dialect.name == "sqlite":
        before = driver.total_changes
        driver.executemany(
            "UPDATE account SET enrollment = ?, enrollment_changed_at = ?, version = version + 1"
            " WHERE id = ? AND version = ?",
            [(enrollment, when, account_id, version) for enrollment, account_id, version in rows],
        )
        return int(driver.total_changes - before)
    enrollments, ids, versions = (list(column) for column in zip(*rows, strict=True))
    with driver.cursor() as cur:  # one statement over three arrays, not a round trip a row
        cur.execute(_PG_MOVE, (when, enrollments, ids, versions, min(ids), max(ids)))
        return int(cur.rowcount)


#: The range repeats the ids' bounds: without it, once ``account`` has statistics, PostgreSQL
#: merge-joins the arrays with an index scan of ``account`` from its first row, so each batch
#: of a sweep read every account before its own (at 100,000 accounts the tenth batch read
#: 99,997 rows to update 4,777).
_PG_MOVE = """
UPDATE account AS a
SET enrollment = m.enrollment, enrollment_changed_at = %s, version = a.version + 1
FROM unnest(%s::varchar[], %s::integer[], %s::integer[]) AS m (enrollment, id, version)
WHERE a.id = m.id AND a.version = m.version AND a.id BETWEEN %s AND %s
"""


def bound(session: Session, column: Column[Any], value: Any) -> Any:
    """``value`` as ``insert_tuples`` takes it for ``column``: what SQLAlchemy itself would hand
    the driver (on SQLite an instant as its text; on PostgreSQL as naive UTC)."""
    dialect = session.connection().dialect
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    return value if process is None else process(value)


def insert_tuples(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert ``rows``, one value per name in ``columns`` each (typed values through ``bound``
    first), in one batch in the caller's transaction: on SQLite the driver's ``executemany``,
    on PostgreSQL ``COPY`` (the other columns get their server defaults: NULL, or the id's
    sequence)."""
    if not rows:
        return
    connection = session.connection()
    driver: Any = connection.connection.driver_connection
    names = ", ".join(columns)
    if connection.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in columns)
        driver.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)
        return
    with driver.cursor() as cur, cur.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


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
