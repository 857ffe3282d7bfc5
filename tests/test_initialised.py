"""The ``engine`` fixture's copies (``tests.initialised``) are what ``init_database`` makes.

Every test that asks for ``engine`` trusts this: the same tables, indexes, triggers, pragmas,
rows and sequences as a database that ``ahr init`` set up a moment ago, however the previous
user of a PostgreSQL schema left it. The pool's tests run on PostgreSQL whatever ``--backend``
says.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

from ahr_tui.rules import PolicyArea, Role
from ahr_tui.service.admin import init_database
from ahr_tui.service.cases import open_case
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import make_engine
from ahr_tui.store.schema import app_tables
from tests.conftest import PG_BASE, FakeClock, add_operator, fresh_pg_schema, seed_account
from tests.initialised import CATALOG, Key, PgPool, new_schema_name, schema_url


def layout(engine: Engine) -> list[Any]:
    """The database's definition: SQLite's schema and pragmas, or PostgreSQL's catalog of the
    schema with its sequences' positions."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            found: list[Any] = sorted(tuple(r) for r in conn.execute(text(
                "SELECT type, name, tbl_name, sql FROM sqlite_master")))
            for pragma in ("journal_mode", "user_version", "application_id", "page_size",
                           "auto_vacuum", "encoding"):
                found.append((pragma, conn.execute(text(f"PRAGMA {pragma}")).scalar()))
            return found
        found = list(conn.execute(text(CATALOG)).scalars())
        for name in conn.execute(text(
                "SELECT relname FROM pg_class WHERE relkind = 'S' "
                "AND relnamespace = current_schema()::regnamespace ORDER BY relname")).scalars():
            found.append((name, *conn.execute(text(
                f'SELECT last_value, is_called FROM "{name}"')).one()))
        return found


def rows(engine: Engine) -> dict[str, list[str]]:
    """Every row of every ahr table (the window cache's too)."""
    with engine.connect() as conn:
        return {t.name: sorted(repr(tuple(r)) for r in conn.execute(t.select()))
                for t in app_tables()}


@contextmanager
def really_initialised(url: str, me: Actor, clock: FakeClock) -> Iterator[Engine]:
    engine = make_engine(url, create=True)
    try:
        init_database(engine, actor=me, now=clock())
        yield engine
    finally:
        engine.dispose()


def test_the_engine_fixture_is_what_init_database_makes(
    engine: Engine, backend: str, tmp_path: Path, me: Actor, clock: FakeClock
) -> None:
    if backend == "sqlite":
        with really_initialised(str(tmp_path / "real.db"), me, clock) as real:
            assert layout(engine) == layout(real)
            assert rows(engine) == rows(real)
        assert ("journal_mode", "wal") in layout(engine)
        return
    with fresh_pg_schema() as url, really_initialised(url, me, clock) as real:
        assert layout(engine) == layout(real)
        assert rows(engine) == rows(real)


def _use(url: str, clock: FakeClock, me: Actor) -> None:
    """What a test does: accounts, an operator, a case with its audit event (every sequence
    moves)."""
    engine = make_engine(url)
    try:
        add_operator(engine, "tom", Role.TRIAGE)
        seed_account(engine, "S1", scores={clock().date(): 700})
        seed_account(engine, "S2")
        open_case(engine, seller_id="S1", store="US", policy=PolicyArea.REVIEWS,
                  at=clock(), summary="x", actor=me, now=clock())
    finally:
        engine.dispose()


def test_a_pooled_schema_comes_back_as_new_after_a_test_wrote_to_it(
    clock: FakeClock, me: Actor
) -> None:
    pool = PgPool(PG_BASE)
    pool.REST = 0  # the schema just given back is the next one handed out
    key = Key(actor=me.name, now=clock())
    try:
        name = new_schema_name()
        with pool.lend(name, key):
            _use(schema_url(PG_BASE, name), clock, me)
        assert not pool.exists(name)  # back under its pool name
        [used] = pool.resting(key)
        again = new_schema_name()
        with pool.lend(again, key), fresh_pg_schema() as url, \
                really_initialised(url, me, clock) as real:
            assert pool.resting(key) == []  # it is the one handed out
            lent = make_engine(schema_url(PG_BASE, again))
            try:
                assert layout(lent) == layout(real)
                assert rows(lent) == rows(real)
            finally:
                lent.dispose()
        assert pool.resting(key) == [used]
    finally:
        pool.close()


def test_a_pooled_schema_whose_definition_a_test_changed_is_dropped(
    clock: FakeClock, me: Actor
) -> None:
    pool = PgPool(PG_BASE)
    pool.REST = 0
    key = Key(actor=me.name, now=clock())
    try:
        name = new_schema_name()
        with pool.lend(name, key):
            engine = make_engine(schema_url(PG_BASE, name))
            try:
                with engine.begin() as conn:
                    conn.execute(text("DROP INDEX ix_account_name_search"))
            finally:
                engine.dispose()
        [changed] = pool.resting(key)
        again = new_schema_name()
        with pool.lend(again, key):
            assert not pool.exists(changed)
            lent = make_engine(schema_url(PG_BASE, again))
            try:
                with lent.connect() as conn:
                    assert conn.execute(text(
                        "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() "
                        "AND indexname = 'ix_account_name_search'")).first()
            finally:
                lent.dispose()
    finally:
        pool.close()
