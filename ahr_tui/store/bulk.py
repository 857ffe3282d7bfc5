"""Bulk writes for the importers: every dialect-specific piece of bulk SQL lives here.

Scores are the hot path (a million rows per file). SQLite gets an ``INSERT ... ON CONFLICT DO
UPDATE ... WHERE`` upsert run by ``executemany`` on the driver connection, bypassing the ORM; new
rows are counted from the table's row count before and after and changed rows from
``total_changes`` (an upsert whose WHERE is false changes nothing), so no per-row SELECT is
needed. PostgreSQL gets psycopg 3 ``COPY`` into a temporary table and one set-based upsert at the
end. Both run inside the caller's transaction and never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import bindparam, insert, update
from sqlmodel import Session

from ahr_tui.store.models import Account

ScoreRow = tuple[int, str, int]  # account id, 'YYYY-MM-DD', score

_SQLITE_UPSERT = (
    "INSERT INTO score (account_id, day, score) VALUES (?, ?, ?) "
    "ON CONFLICT (account_id, day) DO UPDATE SET score = excluded.score "
    "WHERE score.score IS NOT excluded.score"
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
    """The upsert via the sqlite3 driver; counts from row count and ``total_changes``."""

    def __init__(self, driver: Any) -> None:
        self._db = driver
        self._rows_before = self._count()
        self._changes_before = driver.total_changes

    def _count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM score").fetchone()[0])

    def write(self, rows: Sequence[ScoreRow]) -> None:
        self._db.executemany(_SQLITE_UPSERT, rows)

    def finish(self) -> tuple[int, int]:
        new = self._count() - self._rows_before
        changed = self._db.total_changes - self._changes_before
        return new, changed - new


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
