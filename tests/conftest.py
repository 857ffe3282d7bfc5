"""Shared fixtures: an injected clock, a fresh real database per test, seeding helpers, the CLI.

The backends are chosen with ``--backend`` or ``AHR_TEST_BACKEND``: ``sqlite`` (the default),
``postgresql``, or both as ``sqlite,postgresql``. Every test that uses a database (the
``backend`` fixture, through ``db_url``, ``engine`` or ``cli``) runs once per backend named, its
id ending in ``[sqlite]`` or ``[postgresql]``; a test that uses none runs once whatever is named.
On PostgreSQL every test gets its own schema, dropped afterwards, so tests never see each
other's data. The session's last lines count what ran on which backend.
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from syrupy.assertion import SnapshotAssertion
from typer.testing import CliRunner

from ahr_tui.cli.common import CliState
from ahr_tui.cli.main import app
from ahr_tui.rules import Role
from ahr_tui.service.admin import init_database
from ahr_tui.service.identity import os_user_name
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import make_engine, transaction
from ahr_tui.store.models import Account, Operator, Score
from tests.initialised import Key, PgPool, SqliteTemplates, new_schema_name, schema_of, schema_url

PG_BASE = os.environ.get("AHR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


BACKENDS = ("sqlite", "postgresql")


def _backends(value: str) -> tuple[str, ...]:
    """``--backend``'s value: one backend or several, comma-separated, in the order given."""
    names = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    unknown = [name for name in names if name not in BACKENDS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"{value!r}: name sqlite, postgresql, or both as sqlite,postgresql"
        )
    return names


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        type=_backends,
        default=os.environ.get("AHR_TEST_BACKEND", "sqlite"),
        help="database(s) the tests that use one run against: sqlite, postgresql, or "
        "sqlite,postgresql (each such test runs once per backend); env AHR_TEST_BACKEND",
    )


def backends(config: pytest.Config) -> tuple[str, ...]:
    return tuple(config.getoption("--backend"))


@pytest.hookimpl(trylast=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that uses a database runs once per backend named; its id ends with the backend's
    name (``trylast``: after the test's own parameters)."""
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", backends(metafunc.config), indirect=True)


def pytest_report_header(config: pytest.Config) -> str:
    return (f"backends: {', '.join(backends(config))} (a test that uses a database runs once "
            "on each; one that uses none, once)")


def _ran_on(report: pytest.TestReport) -> str:
    props = dict(report.user_properties)
    if "backend" in props:
        return str(props["backend"])
    if "pg_url" in props:
        return "postgresql, whatever --backend says (pg_url)"
    return "no backend (uses no database fixture)"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """How many tests ran on which backend, by outcome (with xdist, as the workers reported)."""
    counts: dict[str, Counter[str]] = {}
    for outcome in ("passed", "failed", "error", "skipped", "xfailed", "xpassed"):
        for report in terminalreporter.stats.get(outcome, ()):
            if not isinstance(report, pytest.TestReport):
                continue
            failed_before = report.when == "setup" and report.outcome != "passed"
            if report.when != "call" and not failed_before:
                continue
            counts.setdefault(_ran_on(report), Counter())[outcome] += 1
    if not counts:
        return
    terminalreporter.section("tests by backend")
    for where in sorted(counts):
        done = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts[where].items()))
        terminalreporter.write_line(f"{where}: {done}")


@pytest.fixture(autouse=True)
def _pinned_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the developer's environment out of rendering and identity."""
    for var in ("NO_COLOR", "TEXTUAL_THEME", "AHR_DB", "COLUMNS", "LINES", "SSH_CONNECTION",
                "COLORTERM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")  # the colour depth (tui.few_colours)


class FakeClock:
    """A clock the test moves by hand; nothing sleeps to make a deadline pass."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, instant: datetime) -> None:
        self.now = instant


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The backend this run of the test is on (``pytest_generate_tests`` parametrizes it)."""
    name = str(request.param)
    request.node.user_properties.append(("backend", name))
    return name


@pytest.fixture(name="snapshot")
def _snapshot_without_backend(
    snapshot: SnapshotAssertion, request: pytest.FixtureRequest
) -> SnapshotAssertion:
    """syrupy's ``snapshot`` (which ``snap_compare`` uses), named without the backend: a screen
    is the same picture on every backend, so one file serves a test's run on each
    (``test_x[sqlite]`` and ``test_x[postgresql]`` compare with ``test_x.svg``)."""
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and "backend" in callspec.params:
        name, ours = request.node.name, str(callspec.params["backend"])
        if name.endswith(f"[{ours}]"):
            name = name[: -len(ours) - 2]
        elif name.endswith(f"-{ours}]"):
            name = name[: -len(ours) - 2] + "]"
        snapshot.test_location.testname = name
    return snapshot


@contextmanager
def fresh_pg_schema() -> Iterator[str]:
    """A URL on a new, empty PostgreSQL schema of its own, dropped afterwards.

    An unreachable server fails the test (never skips it): CI must not pass without PostgreSQL.
    """
    schema = new_schema_name()
    admin = create_engine(
        PG_BASE, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        pytest.fail(_pg_unreachable_message(exc), pytrace=False)
    try:
        yield schema_url(PG_BASE, schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _pg_unreachable_message(exc: BaseException) -> str:
    first = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else repr(exc)
    return (
        f"PostgreSQL at {PG_BASE} is unreachable ({first}); start it with "
        "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` "
        "or point AHR_TEST_PG at a server"
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    """With PostgreSQL among the backends, every test on it needs the server: refuse to start
    without it."""
    if "postgresql" not in backends(session.config):
        return
    probe = create_engine(PG_BASE, connect_args={"connect_timeout": 5})
    try:
        with probe.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        pytest.exit(_pg_unreachable_message(exc), returncode=pytest.ExitCode.TESTS_FAILED)
    finally:
        probe.dispose()


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database location nobody else uses: a temp file, or a fresh PostgreSQL schema.

    For a test that asks for ``engine`` on PostgreSQL, the schema is only named here: ``engine``
    puts an initialised one under that name (``tests.initialised``)."""
    if backend == "sqlite":
        yield str(tmp_path / "ahr.db")
        return
    if "engine" not in request.fixturenames:
        with fresh_pg_schema() as url:
            yield url
        return
    pool = request.getfixturevalue("_initialised_pg")
    schema = new_schema_name()
    try:
        yield schema_url(PG_BASE, schema)
    finally:
        pool.drop(schema)  # when it could not be given back


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty PostgreSQL schema whatever ``--backend`` says (tests of PostgreSQL itself)."""
    request.node.user_properties.append(("pg_url", True))
    with fresh_pg_schema() as url:
        yield url


@pytest.fixture
def me() -> Actor:
    """The OS user running the tests: ``ahr init`` makes them the first lead."""
    return Actor(name=os_user_name())


@pytest.fixture(scope="session")
def _initialised_sqlite(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    return SqliteTemplates(tmp_path_factory.mktemp("initialised"))


@pytest.fixture(scope="session")
def _initialised_pg() -> Iterator[PgPool]:
    pool = PgPool(PG_BASE)
    yield pool
    pool.close()


@pytest.fixture
def engine(
    db_url: str, backend: str, clock: FakeClock, me: Actor, request: pytest.FixtureRequest
) -> Iterator[Engine]:
    """``db_url`` as ``init_database`` (as ``me``, at ``clock()``) makes it: a copy of a database
    it made once per run (``tests.initialised``); the real thing when something is already there.
    """
    key = Key(actor=me.name, now=clock())
    with ExitStack() as stack:
        copied = False
        if backend == "sqlite":
            path = Path(db_url)
            if not path.exists():
                request.getfixturevalue("_initialised_sqlite").copy_to(path, key)
                copied = True
        else:
            pool = request.getfixturevalue("_initialised_pg")
            schema = schema_of(db_url)
            if not pool.exists(schema):
                stack.enter_context(pool.lend(schema, key))
                copied = True
        eng = make_engine(db_url, create=True)
        stack.callback(eng.dispose)
        if not copied:
            init_database(eng, actor=me, now=clock())
        yield eng


def add_operator(engine: Engine, name: str, role: Role, now: datetime = T0) -> None:
    with transaction(engine, write=True) as session:
        session.add(Operator(name=name, role=role.value, added_at=now, added_by="test"))


def seed_account(
    engine: Engine,
    seller_id: str = "S1",
    store: str = "US",
    *,
    name: str = "Acme Goods",
    plan: str = "professional",
    phone: str | None = "+1 415 555 2671",
    email: str | None = "seller@example.com",
    status: str = "active",
    enrollment: str = "enrolled",
    scores: dict[date, int] | None = None,
) -> int:
    """Insert one account directly (the store layer), with optional daily scores."""
    with transaction(engine, write=True) as session:
        account = Account(
            seller_id=seller_id, store=store, name=name, plan=plan, email=email,
            emergency_phone=phone, status=status, enrollment=enrollment,
        )
        session.add(account)
        session.flush()
        assert account.id is not None
        for day, value in (scores or {}).items():
            session.add(Score(account_id=account.id, day=day, score=value))
        return account.id


def full_window(as_of: date, score: int = 600, days: int = 180) -> dict[date, int]:
    """``days`` consecutive daily scores ending on ``as_of``."""
    return {as_of - timedelta(days=i): score for i in range(days)}


@dataclass
class Cli:
    db: str
    clock: FakeClock
    runner: CliRunner

    def __call__(self, *args: str, input: str | bytes | None = None):  # type: ignore[no-untyped-def]
        state = CliState(db=self.db, clock=self.clock)
        try:
            # prog_name: the program's name as a shell runs it (Typer's runner says ``root``)
            return self.runner.invoke(app, ["--db", self.db, *args], obj=state, input=input,
                                      prog_name="ahr")
        finally:
            # An ahr process ends with its command; here its engine would hold a connection
            # (a PostgreSQL server's, of max_connections) until the garbage collector came by.
            if state._engine is not None:
                state._engine.dispose()


@pytest.fixture
def cli(db_url: str, clock: FakeClock, engine: Engine) -> Cli:
    """Runs ``ahr`` in-process on the test's initialised database."""
    return Cli(db=db_url, clock=clock, runner=CliRunner())


#: Every ahr table (for ``snapshot``) but the window counters' cache (``store.window``), which a
#: sweep that changes nothing may still bring to its day; ``tests/test_window_counts.py`` checks it.
TABLES = (
    "meta", "store", "account", "score", "aha_case", "contact_attempt", "event", "notification",
    "operator", "operator_hours", "saved_view",
)


#: What a sweep may write without changing anything anyone sees: each account's phone check
#: (``store.phone_checks``: its status, the number it was decided for, and the rules' name).
PHONE_CHECKS = frozenset({"phone_status", "phone_checked"})


def snapshot(engine: Engine, *, checks: bool = True) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order: equal snapshots mean nothing was written.
    ``checks=False`` leaves out the phone checks (``PHONE_CHECKS``)."""
    with engine.connect() as conn:
        found = {}
        for t in TABLES:
            result = conn.execute(text(f"SELECT * FROM {t}"))
            keep = [i for i, name in enumerate(result.keys()) if checks or name not in PHONE_CHECKS]
            rows = [tuple(r[i] for i in keep) for r in result]
            if not checks and t == "meta":
                rows = [r for r in rows if r[0] != "phone_rules"]
            found[t] = sorted(rows, key=repr)
        return found
