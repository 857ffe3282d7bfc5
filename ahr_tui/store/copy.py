"""Copy a whole ahr database to another URL: SQLite to PostgreSQL when a team outgrows a box.

``ahr db copy`` uses it. The copy is faithful: every table in dependency order with its ids, the
audit chain byte for byte (ids, hashes and ``meta.audit_head``), so ``ahr audit verify`` passes on
the target. Rows stream from the source in batches (a 10-million-row score table never sits in
memory) inside one read transaction, so the copy is one consistent snapshot even while others
write. The target is filled in one transaction (tables included), so a failed copy leaves nothing
behind; it must be empty to begin with. PostgreSQL targets are loaded with COPY, and their id
sequences moved past the copied ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, Table, inspect, select, text
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import DBAPIError

from ahr_tui.errors import DatabaseProblem, InvalidInput
from ahr_tui.store import account_keys
from ahr_tui.store.audit import VerifyResult, verify
from ahr_tui.store.engine import describe, make_engine, sqlite_path, to_url, transaction, translate
from ahr_tui.store.schema import app_tables, check_schema, create_tables
from ahr_tui.store.window import CACHE_TABLES
from ahr_tui.wording import count

BATCH_ROWS = 20_000

Row = Sequence[Any]
Progress = Callable[[str, int], None]


@dataclass
class CopyReport:
    source: str
    target: str
    rows: dict[str, int] = field(default_factory=dict)
    audit: VerifyResult | None = None


def copy_database(
    source: str, target: str, *, batch_rows: int = BATCH_ROWS, progress: Progress | None = None
) -> CopyReport:
    """Copy every ahr table from ``source`` to the empty ``target`` (paths or URLs)."""
    if to_url(source) == to_url(target):
        raise InvalidInput("--from and --to are the same database; nothing was copied.")
    src = _open_source(source)
    target_file = sqlite_path(to_url(target))
    existed = target_file is not None and target_file.exists()
    dst = make_engine(target, create=True)
    report = CopyReport(source=describe(src.url), target=describe(dst.url))
    try:
        _refuse_non_empty(dst)
        try:
            _copy(src, dst, report, batch_rows, progress)
        except DBAPIError as exc:
            raise _copy_problem(exc, report) from None
        if dst.dialect.name == "sqlite":
            _enable_wal(dst)
        with transaction(dst) as session:
            report.audit = verify(session)
    except BaseException:
        dst.dispose()
        if target_file is not None and not existed:
            _remove_sqlite(target_file)
        raise
    finally:
        src.dispose()
    dst.dispose()
    return report


def _open_source(source: str) -> Engine:
    path = sqlite_path(to_url(source))
    if path is not None and not path.exists():  # not make_engine's "create one with init"
        raise DatabaseProblem(f"no database to copy at {path}: --from names the database to "
                              "copy, which must exist.")
    engine = make_engine(source)
    try:
        check_schema(engine)
    except DatabaseProblem:
        engine.dispose()
        raise
    return engine


def _refuse_non_empty(engine: Engine) -> None:
    where = describe(engine.url)
    try:
        tables = inspect(engine).get_table_names()
    except DBAPIError as exc:
        raise translate(exc, where) from None
    if tables:
        raise InvalidInput(
            f"{where} is not empty (it has {count(len(tables), 'table')}); `ahr db copy` needs an "
            "empty database or schema and creates the tables itself; nothing was written."
        )


def _copy_problem(exc: DBAPIError, report: CopyReport) -> DatabaseProblem:
    if "no schema has been selected" in str(exc):
        return DatabaseProblem(
            f"{report.target} names a schema that does not exist; create it first "
            "(CREATE SCHEMA name) or drop the search_path option; nothing was written."
        )
    problem = translate(exc, f"copying {report.source} to {report.target}")
    return DatabaseProblem(problem.message.rstrip(".") + "; nothing was written.")


def _copy(
    src: Engine, dst: Engine, report: CopyReport, batch_rows: int, progress: Progress | None
) -> None:
    # The window cache last: while its state row is absent, copying the scores marks nothing.
    tables = sorted(app_tables(), key=lambda t: t.name in CACHE_TABLES)
    with src.connect() as read, dst.connect() as write:
        if src.dialect.name == "postgresql":
            read = read.execution_options(isolation_level="REPEATABLE READ")
        write = write.execution_options(ahr_write=True)
        with read.begin(), write.begin():
            create_tables(write)
            later = _defer_keys(write)
            _insert_triggers(write, enabled=False)
            for table in tables:
                batches = _read_batches(read, table, batch_rows)
                count = _write(write, table, batches, progress)
                report.rows[table.name] = count
            _insert_triggers(write, enabled=True)
            account_keys.check_all(write)
            for statement in later:
                write.execute(text(statement))
            if dst.dialect.name == "postgresql":
                _reset_sequences(write, tables)


#: PostgreSQL: the foreign keys of the current schema, as ``ALTER TABLE`` statements.
_FOREIGN_KEYS = """
SELECT format('ALTER TABLE %I ADD CONSTRAINT %I %s', t.relname, c.conname,
              pg_get_constraintdef(c.oid)),
       format('ALTER TABLE %I DROP CONSTRAINT %I', t.relname, c.conname)
FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
ORDER BY t.relname, c.conname
"""
#: PostgreSQL: the indexes of the current schema that no constraint owns.
_PLAIN_INDEXES = """
SELECT i.indexdef, format('DROP INDEX %I', i.indexname)
FROM pg_indexes i
WHERE i.schemaname = current_schema() AND NOT EXISTS (
    SELECT 1 FROM pg_constraint c
    WHERE c.conname = i.indexname AND c.connamespace = current_schema()::regnamespace)
ORDER BY i.tablename, i.indexname
"""


def _defer_keys(conn: Connection) -> list[str]:
    """PostgreSQL: drop the foreign keys and the plain indexes of the new tables, and return
    the statements that put them back once the rows are in (primary keys and unique
    constraints stay). As ``pg_restore`` does: a foreign key checked row by row queues one
    trigger event per copied row (172 M for the scores of a million accounts) where adding it
    afterwards checks every row in one join, and an index built from the loaded rows is sorted
    once instead of growing a row at a time (the trigram GIN indexes most of all)."""
    if conn.dialect.name != "postgresql":
        return []
    keys = conn.execute(text(_FOREIGN_KEYS)).all()
    indexes = conn.execute(text(_PLAIN_INDEXES)).all()
    for _, drop in (*keys, *indexes):
        conn.execute(text(drop))
    return [create for create, _ in (*indexes, *keys)]


def _insert_triggers(conn: Connection, *, enabled: bool) -> None:
    """PostgreSQL: the triggers on inserts of scores, events and notifications off for the
    copy, on again before the commit. The window trigger's transition table would hold every
    copied score until the ``COPY`` ends, and mark nothing: the window state row is copied
    after the scores. The account and case checks (``store.account_keys``) would join every
    batch with ``account`` or ``aha_case``: ``account_keys.check_all`` checks every row once
    instead, after the load.
    SQLite's triggers test their ``WHEN`` in place and stay on; its foreign keys check each
    row."""
    if conn.dialect.name == "postgresql":
        action = "ENABLE" if enabled else "DISABLE"
        triggers = [("score", "ahr_window_insert"), *account_keys.INSERT_TRIGGERS]
        for table, name in triggers:
            conn.execute(text(f"ALTER TABLE {table} {action} TRIGGER {name}"))


def _read_batches(conn: Connection, table: Table, batch_rows: int) -> Iterable[Sequence[Row]]:
    query = select(table).order_by(*table.primary_key.columns)
    result = conn.execution_options(yield_per=batch_rows).execute(query)
    yield from result.partitions()


def _write(
    conn: Connection, table: Table, batches: Iterable[Sequence[Row]], progress: Progress | None
) -> int:
    """Insert every batch into ``table``; the rows leave the source as Python values and are
    turned into the target's stored form by the same column types the program writes with."""
    convert = _converter(table, conn.dialect)
    names = [c.name for c in table.columns]
    driver = conn.connection.driver_connection
    assert driver is not None
    count = 0
    if conn.dialect.name == "postgresql":
        columns = ", ".join(f'"{n}"' for n in names)
        # FREEZE: the table was created in this transaction, so its rows may be written frozen
        # and their pages marked all-visible (PostgreSQL 14+) as they load: no hint bits for the
        # first reader to write back, and index-only scans need no VACUUM after the copy.
        sql = f'COPY "{table.name}" ({columns}) FROM STDIN WITH (FREEZE)'
        with driver.cursor() as cur, cur.copy(sql) as cp:
            for batch in batches:
                for row in convert(batch):
                    cp.write_row(row)
                count += len(batch)
                if progress:
                    progress(table.name, count)
    else:
        marks = ", ".join("?" for _ in names)
        columns = ", ".join(f'"{n}"' for n in names)
        sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})'
        cursor = driver.cursor()
        try:
            for batch in batches:
                cursor.executemany(sql, convert(batch))
                count += len(batch)
                if progress:
                    progress(table.name, count)
        finally:
            cursor.close()
    return count


def _converter(table: Table, dialect: Dialect) -> Callable[[Sequence[Row]], list[Row]]:
    procs = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in table.columns]
    if not any(procs):
        return lambda batch: [tuple(row) for row in batch]

    def convert(batch: Sequence[Row]) -> list[Row]:
        return [
            tuple(v if p is None or v is None else p(v) for p, v in zip(procs, row, strict=True))
            for row in batch
        ]

    return convert


def _reset_sequences(conn: Connection, tables: Iterable[Table]) -> None:
    """Explicit ids do not move a PostgreSQL sequence: put each one past the largest copied id."""
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        column = pk[0].name
        sequence = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": f'"{table.name}"', "c": column}
        ).scalar()
        if sequence is None:
            continue
        conn.execute(
            text(
                f'SELECT setval(:s, COALESCE(MAX("{column}"), 1), MAX("{column}") IS NOT NULL) '
                f'FROM "{table.name}"'
            ),
            {"s": sequence},
        )
    for table in tables:
        conn.execute(text(f'ANALYZE "{table.name}"'))


def _enable_wal(engine: Engine) -> None:
    """WAL after the load: a fresh file loads fastest with the default journal, and WAL is how
    every other ahr command expects to find it (``ensure_schema`` does the same)."""
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA journal_mode=WAL")  # type: ignore[union-attr]
    finally:
        raw.close()


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with suppress(OSError):
            Path(str(path) + suffix).unlink()
