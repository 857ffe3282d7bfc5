"""Bulk writes for the importers: every dialect-specific piece of bulk SQL lives here.

Scores are the hot path (a million rows per file). SQLite gets ``executemany`` on the driver
connection, bypassing the ORM, into a temporary staging table (no key, no trigger, no foreign
key: an append); every ``STAGE_ROWS`` rows and at the end the staged rows go into ``score`` in
key order (day, account), so a history file that lists each seller's days in turn still lands as
one append per day instead of an insert at as many places as it has days: ``INSERT OR IGNORE
... SELECT ... ORDER BY`` (its rowcount is the number of new rows), then, only if some keys
already existed, one ``UPDATE ... FROM`` the stage where the score differs (its rowcount is the
number of changed rows). The window counters' row triggers are off for those two statements and
the accounts they would have marked are marked from the stage in one statement
(``store.window.staged_scores``). No per-row SELECT and no count of the whole table.
PostgreSQL gets psycopg 3 ``COPY`` into a temporary table and a set-based upsert from it for each
batch: the server writes one batch while the importer reads the next (``waits_on_server``).
Both run inside the caller's transaction and never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Column, Table, bindparam, insert, update
from sqlmodel import Session

from ahr_tui.store import window
from ahr_tui.store.models import Account

ScoreRow = tuple[int, str, int]  # account id, 'YYYY-MM-DD', score

#: Rows staged before they go into ``score`` in key order: 2,000,000 is about 40 MB of
#: temporary table (SQLite's temporary file, not the process's memory).
STAGE_ROWS = 2_000_000
_SQLITE_STAGE = "ahr_stage_score"
_SQLITE_STAGE_ROW = f"INSERT INTO temp.{_SQLITE_STAGE} (account_id, day, score) VALUES (?, ?, ?)"
_SQLITE_INSERT = (
    "INSERT OR IGNORE INTO score (account_id, day, score) "
    f"SELECT account_id, day, score FROM temp.{_SQLITE_STAGE} ORDER BY day, account_id"
)
_SQLITE_UPDATE = (
    f"UPDATE score SET score = s.score FROM temp.{_SQLITE_STAGE} AS s "
    "WHERE score.day = s.day AND score.account_id = s.account_id AND score.score IS NOT s.score"
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
    #: True when ``write`` mostly waits for the database server (the caller may read the next
    #: batch meanwhile, in a thread: the wait releases the GIL).
    waits_on_server: bool

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
    """Staged, then written in key order; counted by each statement's rowcount."""

    waits_on_server = False

    def __init__(self, driver: Any) -> None:
        self._db = driver
        self._new = self._updated = self._staged = 0
        driver.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {_SQLITE_STAGE} "
            "(account_id INTEGER NOT NULL, day TEXT NOT NULL, score INTEGER NOT NULL)"
        )
        driver.execute(f"DELETE FROM temp.{_SQLITE_STAGE}")

    def write(self, rows: Sequence[ScoreRow]) -> None:
        self._db.executemany(_SQLITE_STAGE_ROW, rows)
        self._staged += len(rows)
        if self._staged >= STAGE_ROWS:
            self._flush()

    def finish(self) -> tuple[int, int]:
        self._flush()
        self._db.execute(f"DROP TABLE temp.{_SQLITE_STAGE}")
        return self._new, self._updated

    def _flush(self) -> None:
        if not self._staged:
            return
        db = self._db
        # a cursor's rowcount, not total_changes: it counts the rows other statements change
        with window.staged_scores(db, f"temp.{_SQLITE_STAGE}"):
            inserted = int(db.execute(_SQLITE_INSERT).rowcount)
            self._new += inserted
            if inserted < self._staged:  # some days were scored before: the file's value wins
                self._updated += int(db.execute(_SQLITE_UPDATE).rowcount)
        db.execute(f"DELETE FROM temp.{_SQLITE_STAGE}")
        self._staged = 0


class _PostgresScores:
    """Each batch ``COPY``-ed into a temporary table and upserted from it at once.

    ``xmax = 0`` on a returned row means the row was inserted rather than updated: the usual
    PostgreSQL idiom for telling the two apart in one statement. One upsert a batch instead of
    one at the end: the server's insert into a table of 180 M rows (5.5 s of a 9.5 s import of
    1,000,000 scores) then runs while the importer parses the next batch (bench/README.md).
    """

    waits_on_server = True

    def __init__(self, driver: Any) -> None:
        self._db = driver
        self._new = self._updated = 0
        with driver.cursor() as cur:
            cur.execute(
                f"CREATE TEMPORARY TABLE {_PG_STAGE} "
                "(account_id integer NOT NULL, day date NOT NULL, score integer NOT NULL) "
                "ON COMMIT DROP"
            )

    def write(self, rows: Sequence[ScoreRow]) -> None:
        with self._db.cursor() as cur:
            with cur.copy(f"COPY {_PG_STAGE} (account_id, day, score) FROM STDIN") as copy:
                copy.write("".join([f"{a}\t{d}\t{s}\n" for a, d, s in rows]))
            new, updated = cur.execute(_PG_UPSERT).fetchone()
            cur.execute(f"TRUNCATE {_PG_STAGE}")
        self._new += int(new)
        self._updated += int(updated)

    def finish(self) -> tuple[int, int]:
        with self._db.cursor() as cur:
            cur.execute(f"DROP TABLE {_PG_STAGE}")
        return self._new, self._updated


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
        stamp = sqlite_literal(when)  # one instant for every row: written once if it can be
        driver.executemany(
            f"UPDATE account SET enrollment = ?, enrollment_changed_at = {stamp or '?'}, "
            "version = version + 1 WHERE id = ? AND version = ?",
            rows if stamp is not None else
            [(enrollment, when, account, version) for enrollment, account, version in rows],
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
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    shared: Sequence[tuple[str, Any]] = (),
) -> None:
    """Insert ``rows``, one value per name in ``columns`` each (typed values through ``bound``
    first), in one batch in the caller's transaction: on SQLite the driver's ``executemany``,
    on PostgreSQL a binary ``COPY`` (the other columns get their server defaults: NULL, or the
    id's sequence). ``shared`` names the columns that hold one value in every row, (name, value)
    each: on SQLite written once, into the statement (``sqlite_literal``), not bound for each
    row (a sweep's audit events share five, its notifications five)."""
    if not rows:
        return
    connection = session.connection()
    driver: Any = connection.connection.driver_connection
    sqlite = connection.dialect.name == "sqlite"
    literals = [sqlite_literal(value) for _, value in shared]
    inline = list(shared)
    if not sqlite or None in literals:  # COPY takes rows alone; a value no literal can hold
        columns = [*columns, *(name for name, _ in shared)]
        values = tuple(value for _, value in shared)
        rows = [(*row, *values) for row in rows] if values else rows
        inline, literals = [], []
    names = ", ".join([*columns, *(name for name, _ in inline)])
    if sqlite:
        marks = ", ".join([*("?" for _ in columns), *(str(text) for text in literals)])
        driver.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)
        return
    types = _binary_types(table, columns, connection.dialect)
    binary = " (FORMAT BINARY)" if types is not None else ""
    statement = f"COPY {table.name} ({names}) FROM STDIN{binary}"
    with driver.cursor() as cur, cur.copy(statement) as copy:
        if types is not None:
            copy.set_types(types)
        for row in rows:
            copy.write_row(row)


#: PostgreSQL column types (as SQLAlchemy compiles them) and the name psycopg dumps each by in a
#: binary ``COPY``. Binary, with the types set once, costs the client a quarter of the text
#: format's CPU (48,000 audit events: 0.07 s against 0.31 s), and spares the server parsing
#: instants and numbers; the server's time is otherwise the same.
_BINARY_TYPES = {
    "INTEGER": "int4", "BIGINT": "int8", "SMALLINT": "int2", "VARCHAR": "text", "TEXT": "text",
    "BOOLEAN": "bool", "DATE": "date", "TIMESTAMP WITHOUT TIME ZONE": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}


def _binary_types(table: Table, columns: Sequence[str], dialect: Any) -> list[str] | None:
    """The psycopg type of each of ``columns`` of ``table`` for a binary ``COPY``; None if one
    has a type not in ``_BINARY_TYPES`` (the text format then)."""
    names = [table.c[name].type.compile(dialect=dialect).split("(")[0] for name in columns]
    types = [_BINARY_TYPES.get(name) for name in names]
    return None if None in types else types  # type: ignore[return-value]


def sqlite_literal(value: Any) -> str | None:
    """``value`` (None, an int or a text, as ``bound`` gives them) written as an SQLite literal;
    None when it cannot be one (a NUL character ends an SQL text; other types are bound)."""
    if value is None:
        return "NULL"
    if type(value) is int:
        return str(value)
    if type(value) is str and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


def insert_accounts(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """New accounts (keys: seller_id, store, name, plan, email, emergency_phone, and any other
    column of ``account``)."""
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
