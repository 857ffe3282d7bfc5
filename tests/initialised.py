"""Initialised databases for the ``engine`` fixture, made once per run and handed out cheaply.

Every test that asks for ``engine`` gets a database exactly as ``init_database`` leaves a new
one: its tables, indexes, triggers and functions, the seeded stores and meta rows, the first
lead and that lead's audit event. Making one from nothing took about 0.1 s on SQLite and
0.4-1 s on PostgreSQL (about 100 statements, some 80 relations created, and dropped again
afterwards), for 622 tests per run. So ``init_database`` runs once per run (and operator and
instant: ``Key``), and each test gets a copy:

- SQLite: the template file is copied to the test's path (a millisecond).
- PostgreSQL: schemas that ``init_database`` set up are kept in a pool (one per test process:
  with pytest-xdist each worker has its own, ``ahr_pool_gw0_...``). A test's schema is one
  of them renamed to the test's name; afterwards it is renamed back and rests while other tests
  run. Before it is handed out again it is checked (its catalog as the template's, nobody else
  holding a lock in it) and its rows are put back as the template's: a few DELETEs and INSERTs
  and the sequences set back, instead of creating and dropping 80 relations. A schema that
  fails the check (a test dropped an index, added a table, downgraded it) is dropped, like
  every schema before, and a new one made.

Tests of ``ahr init`` and of upgrades themselves use ``db_url`` (an empty database) and run the
real thing; so does ``engine`` when something is already at the test's location.
``tests/test_initialised.py`` checks that a copy equals what ``init_database`` makes.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from ahr_tui.service.admin import init_database
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import make_engine
from ahr_tui.store.schema import app_tables
from ahr_tui.store.window import CACHE_TABLES


@dataclass(frozen=True)
class Key:
    """What ``init_database`` writes into a new database besides the schema: who, and when."""

    actor: str
    now: datetime


def initialise(url: str, key: Key) -> None:
    """The real thing: ``init_database`` on ``url`` as ``key`` says."""
    engine = make_engine(url, create=True)
    try:
        init_database(engine, actor=Actor(name=key.actor), now=key.now)
    finally:
        engine.dispose()


class SqliteTemplates:
    """One initialised file per ``Key``, copied for each test."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._files: dict[Key, Path] = {}

    def copy_to(self, path: Path, key: Key) -> None:
        """An initialised database at ``path``, which must not exist yet."""
        template = self._files.get(key)
        if template is None:
            template = self._folder / f"template-{len(self._files)}.db"
            initialise(str(template), key)
            # closed, so its write-ahead log was checkpointed into the file and removed
            assert not Path(f"{template}-wal").exists()
            self._files[key] = template
        shutil.copyfile(template, path)


def schema_url(base: str, schema: str) -> str:
    """``base`` (a PostgreSQL URL without options) on ``schema``, as the tests spell it."""
    return f"{base}?options=-csearch_path%3D{schema}"


def schema_of(url: str) -> str:
    """The schema of a URL that ``schema_url`` made."""
    head, _, schema = url.partition("?options=-csearch_path%3D")
    assert head and schema and "%" not in schema, url
    return schema


#: pytest-xdist's name for this worker process (gw0, gw1, ...) and an underscore, or nothing: a
#: pool's schemas say whose they are (each worker has a pool of its own).
_WORKER = f"{os.environ['PYTEST_XDIST_WORKER']}_" if "PYTEST_XDIST_WORKER" in os.environ else ""


def new_schema_name() -> str:
    return "t_" + uuid.uuid4().hex[:16]


#: A schema's definition, one line per object, without its name or its objects' numbers: two
#: schemas that ``init_database`` made have the same. Read with the schema first on the search
#: path (``current_schema()``).
CATALOG = """
WITH ns AS (SELECT oid, nspacl FROM pg_namespace WHERE nspname = current_schema())
SELECT replace(item, quote_ident(current_schema()) || '.', '') AS item FROM (
    SELECT format('schema %s', ns.nspacl) AS item FROM ns
    UNION ALL SELECT format('rel %s %s %s %s %s %s %s', c.relname, c.relkind, c.relpersistence,
        c.reloptions, c.relacl, c.relrowsecurity, pg_get_userbyid(c.relowner))
        FROM pg_class c JOIN ns ON c.relnamespace = ns.oid
    UNION ALL SELECT format('col %s %s %s %s %s %s %s %s', c.relname, a.attnum, a.attname,
        format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attisdropped, a.attacl,
        pg_get_expr(d.adbin, d.adrelid))
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN ns ON c.relnamespace = ns.oid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attnum > 0
    UNION ALL SELECT format('con %s %s', co.conname, pg_get_constraintdef(co.oid))
        FROM pg_constraint co JOIN ns ON co.connamespace = ns.oid
    UNION ALL SELECT format('idx %s', pg_get_indexdef(i.indexrelid))
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN ns ON c.relnamespace = ns.oid
    UNION ALL SELECT format('trg %s %s', pg_get_triggerdef(t.oid), t.tgenabled)
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN ns ON c.relnamespace = ns.oid
        WHERE NOT t.tgisinternal
    UNION ALL SELECT format('fn %s %s', p.oid::regprocedure, md5(p.prosrc))
        FROM pg_proc p JOIN ns ON p.pronamespace = ns.oid
    UNION ALL SELECT format('type %s %s', t.typname, t.typtype)
        FROM pg_type t JOIN ns ON t.typnamespace = ns.oid
    UNION ALL SELECT format('seq %s %s %s %s %s', s.seqrelid::regclass, s.seqstart,
        s.seqincrement, s.seqmin, s.seqmax)
        FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN ns ON c.relnamespace = ns.oid
    UNION ALL SELECT format('policy %s', p.polname)
        FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN ns ON c.relnamespace = ns.oid
    UNION ALL SELECT format('rule %s', r.rulename)
        FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN ns ON c.relnamespace = ns.oid
) AS items ORDER BY item
"""
_CATALOG_HASH = f"SELECT md5(string_agg(item, E'\\n' ORDER BY item)) FROM ({CATALOG}) AS listed"

#: Locks that other sessions hold on the schema's relations (a test's process still running).
_OTHERS_LOCKS = """
SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
WHERE c.relnamespace = current_schema()::regnamespace AND l.pid <> pg_backend_pid()
"""


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class PgPool:
    """Initialised PostgreSQL schemas per ``Key``: a template each, and schemas to hand out."""

    #: How many tests run between a schema's return and its next use (a straggler of the last
    #: test, a process or thread still finishing, meets a schema under another name).
    REST = 2

    def __init__(self, base: str) -> None:
        self._base = base
        self._admin = create_engine(base, isolation_level="AUTOCOMMIT")
        self._restorer = create_engine(base)
        self._templates: dict[Key, _Template] = {}
        self._resting: dict[Key, deque[str]] = {}
        self._made: set[str] = set()

    def close(self) -> None:
        """Drop every schema the pool made (the ones handed out were given back or dropped)."""
        with self._admin.connect() as conn:
            for schema in sorted(self._made):
                conn.execute(text(f"DROP SCHEMA IF EXISTS {_quoted(schema)} CASCADE"))
        self._admin.dispose()
        self._restorer.dispose()

    @contextmanager
    def lend(self, name: str, key: Key) -> Iterator[None]:
        """The schema ``name`` (which must not exist) as ``init_database`` makes it, for the
        ``with`` block; afterwards it is taken back (or dropped, when it cannot be)."""
        pooled = self._take(key)
        self._rename(pooled, name)
        try:
            yield
        finally:
            try:
                self._rename(name, pooled)
            except Exception:
                self._made.discard(pooled)
                self.drop(name)
                raise
            self._resting.setdefault(key, deque()).append(pooled)

    def resting(self, key: Key) -> list[str]:
        """The schemas given back for ``key``, oldest first (the next to be handed out)."""
        return list(self._resting.get(key, ()))

    def exists(self, schema: str) -> bool:
        with self._admin.connect() as conn:
            return bool(conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"),
                                     {"s": schema}).first())

    def drop(self, schema: str) -> None:
        with self._admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {_quoted(schema)} CASCADE"))

    def _take(self, key: Key) -> str:
        template = self._template(key)
        resting = self._resting.setdefault(key, deque())
        while len(resting) > self.REST:
            schema = resting.popleft()
            if template.restore(schema, self._restorer):
                return schema
            self._made.discard(schema)
            self.drop(schema)
        return self._new(key)

    def _template(self, key: Key) -> _Template:
        template = self._templates.get(key)
        if template is None:
            schema = self._new(key)
            template = _Template(self._base, schema)
            self._templates[key] = template
        return template

    def _new(self, key: Key) -> str:
        schema = f"ahr_pool_{_WORKER}{uuid.uuid4().hex[:12]}"
        with self._admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {_quoted(schema)}"))
        self._made.add(schema)
        initialise(schema_url(self._base, schema), key)
        return schema

    def _rename(self, old: str, new: str) -> None:
        with self._admin.connect() as conn:
            conn.execute(text(f"ALTER SCHEMA {_quoted(old)} RENAME TO {_quoted(new)}"))


class _Template:
    """A schema that ``init_database`` made and nobody uses: what the others are put back to."""

    def __init__(self, base: str, schema: str) -> None:
        self._base = base
        self.schema = schema
        engine = make_engine(schema_url(base, schema))
        try:
            with engine.connect() as conn:
                self.catalog = conn.execute(text(_CATALOG_HASH)).scalar_one()
                self._filled = [t.name for t in app_tables()
                                if conn.execute(text(f"SELECT count(*) FROM {t.name}")).scalar()]
                self._sequences = conn.execute(text(
                    "SELECT relname FROM pg_class WHERE relkind = 'S' "
                    "AND relnamespace = current_schema()::regnamespace ORDER BY relname"
                )).scalars().all()
                self._states = [conn.execute(text(
                    f"SELECT last_value, is_called FROM {_quoted(name)}")).one()
                    for name in self._sequences]
        finally:
            engine.dispose()

    def restore(self, schema: str, engine: Engine) -> bool:
        """Put ``schema``'s rows and sequences back as the template's, in one transaction on
        ``engine``; False (nothing done) when its catalog differs from the template's or
        another session holds a lock in it."""
        try:
            with engine.begin() as conn:
                conn.execute(text(f"SET LOCAL search_path = {_quoted(schema)}"))
                conn.execute(text("SET LOCAL lock_timeout = '2s'"))
                if conn.execute(text(_CATALOG_HASH)).scalar_one() != self.catalog:
                    return False
                if conn.execute(text(_OTHERS_LOCKS)).scalar_one():
                    return False
                conn.exec_driver_sql(self._restore_sql(schema))
            return True
        except DBAPIError:
            return False

    def _restore_sql(self, schema: str) -> str:
        here, there = _quoted(schema), _quoted(self.schema)
        tables = [t.name for t in app_tables()]
        # the window cache first: while it has a day, the trigger on score writes to it
        emptied = sorted(CACHE_TABLES) + [t for t in reversed(tables) if t not in CACHE_TABLES]
        statements = [f"DELETE FROM {here}.{_quoted(t)}" for t in emptied]
        statements += [f"INSERT INTO {here}.{_quoted(t)} SELECT * FROM {there}.{_quoted(t)}"
                       for t in tables if t in self._filled]
        statements += [
            f"SELECT setval('{here}.{_quoted(name)}', {value}, {'true' if called else 'false'})"
            for name, (value, called) in zip(self._sequences, self._states, strict=True)
        ]
        return ";\n".join(statements)
