"""The command line on PostgreSQL: ``ahr init`` on an empty database, then every command family.

These run on PostgreSQL whatever ``--backend`` says (``pg_url``, a fresh schema per test); an
unreachable server fails them, it never skips them.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import timedelta
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from sqlalchemy import inspect, select, text
from typer.testing import CliRunner

from ahr_tui.store.engine import make_engine
from ahr_tui.store.schema import app_tables, create_tables
from tests.conftest import PG_BASE, T0, Cli, FakeClock, full_window, seed_account

AS_OF = (T0 - timedelta(days=1)).date()


def ok(result: Any) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return str(result.stdout)


def one_sentence(result: Any, code: int, *words: str) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("ahr: ")
    for word in words:
        assert word in line, line
    return line


def ahr(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real entry point in a child process (what a cron job or an operator runs)."""
    return subprocess.run(
        [sys.executable, "-m", "ahr_tui", *args], capture_output=True, text=True, timeout=60,
        env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL, check=False,
    )


def rows_of(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
                for t in app_tables()
            }
    finally:
        engine.dispose()


@pytest.fixture
def pg_cli(pg_url: str, clock: FakeClock) -> Cli:
    """``ahr --db postgresql+psycopg://...`` in-process, on an initialised fresh schema."""
    cli = Cli(db=pg_url, clock=clock, runner=CliRunner())
    assert ok(cli("init")).startswith("created: postgresql+psycopg://")
    return cli


# --- init ------------------------------------------------------------------------------------


def test_init_sets_up_an_empty_postgresql_schema_and_is_idempotent(pg_url: str) -> None:
    engine = make_engine(pg_url)
    assert inspect(engine).get_table_names() == []
    engine.dispose()

    first = ahr("init", env={"AHR_DB": pg_url})
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("created: postgresql+psycopg://")
    engine = make_engine(pg_url)
    assert set(inspect(engine).get_table_names()) == {t.name for t in app_tables()}
    engine.dispose()
    before = rows_of(pg_url)
    assert len(before["store"]) > 2 and len(before["operator"]) == 1
    assert len(before["event"]) == 1  # the first lead, audited

    again = ahr("--db", pg_url, "init")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("up to date")
    assert rows_of(pg_url) == before
    verify = ahr("--db", pg_url, "audit", "verify")
    assert verify.returncode == 0 and "intact" in verify.stdout


@pytest.mark.parametrize("scheme", ["postgresql://", "postgres://"])
def test_a_plain_postgresql_url_uses_psycopg(pg_url: str, clock: FakeClock, scheme: str) -> None:
    """``postgres://`` too: many a ``DATABASE_URL`` is written so."""
    plain = pg_url.replace("postgresql+psycopg://", scheme)
    cli = Cli(db=plain, clock=clock, runner=CliRunner())
    assert ok(cli("init")).startswith("created: postgresql+psycopg://")
    assert "US" in ok(cli("store", "list"))


def test_commands_before_init_say_how_to_set_the_database_up(pg_url: str, clock: FakeClock) -> None:
    cli = Cli(db=pg_url, clock=clock, runner=CliRunner())
    one_sentence(cli("cases"), 1, "no ahr tables", "`ahr --db ", " init`")


# --- every command family -----------------------------------------------------------------------


def test_store_and_operator_commands(pg_cli: Cli) -> None:
    assert ok(pg_cli("store", "enable", "mx")).strip() == "MX: enabled"
    assert ok(pg_cli("store", "disable", "MX")).strip() == "MX: disabled"
    ok(pg_cli("operator", "add", "alice", "--role", "triage"))
    ok(pg_cli("operator", "add", "bob", "--role", "investigator"))
    ok(pg_cli("operator", "remove", "bob"))
    listing = ok(pg_cli("operator", "list"))
    assert "alice" in listing and "triage" in listing and "bob" not in listing
    one_sentence(pg_cli("store", "enable", "ZZ"), 1, "ZZ")


def test_case_lifecycle_sweep_eligibility_and_audit(pg_cli: Cli, pg_url: str) -> None:
    engine = make_engine(pg_url)
    seed_account(engine, "S1", scores=full_window(AS_OF))
    seed_account(engine, "S2", scores=full_window(AS_OF))
    seed_account(engine, "S3", scores=full_window(AS_OF))
    seed_account(engine, "S4", enrollment="not_enrolled", scores=full_window(AS_OF))
    engine.dispose()

    def open_case(seller: str, at: str) -> int:
        return int(ok(pg_cli("case", "open", seller, "--store", "US", "--policy", "reviews",
                             "--at", at)).strip())

    late = open_case("S1", "2026-02-26T09:00:00Z")
    answered = open_case("S2", "2026-03-01T09:00:00+01:00")
    fraud = open_case("S3", "2026-03-02T11:00:00Z")
    assert ok(pg_cli("case", "respond", str(answered), "--at", "2026-03-02T09:00:00Z")).strip() \
        == f"case {answered}: responded"
    ok(pg_cli("case", "assign", str(answered)))
    ok(pg_cli("case", "note", str(answered), "--text", "seller sent invoices"))
    ok(pg_cli("case", "resolve", str(answered), "--note", "invoices are genuine"))

    report = json.loads(ok(pg_cli("sweep", "--json")))
    assert report["expired"] == [late]
    assert report["enrollment_changes"] == {"not_enrolled->enrolled": 1}
    assert json.loads(ok(pg_cli("sweep", "--json")))["expired"] == []  # idempotent

    ok(pg_cli("case", "deactivate", str(late), "--note", "no answer in 72 hours"))
    ok(pg_cli("case", "fraud", str(fraud), "--evidence", "counterfeit goods"))
    statuses = {c["id"]: c["status"] for c in
                json.loads(ok(pg_cli("cases", "--status", "deactivated", "--status", "fraud",
                                     "--status", "resolved", "--json")))}
    assert statuses == {late: "deactivated", answered: "resolved", fraud: "fraud"}
    assert json.loads(ok(pg_cli("cases", "--json"))) == []

    shown = json.loads(ok(pg_cli("case", "show", str(answered), "--json")))
    assert shown["responded_at"] == "2026-03-02T09:00:00Z"
    assert shown["contacted_at"] == "2026-03-01T08:00:00Z"
    assert [e["action"] for e in shown["events"]][:2] == ["open", "respond"]

    eligibility = {r["seller_id"]: r for r in json.loads(ok(pg_cli("eligibility", "--json")))}
    assert eligibility["S4"]["enrollment"] == "enrolled"
    assert eligibility["S3"]["enrollment"] == "revoked"

    log = json.loads(ok(pg_cli("audit", "log", "--json")))
    assert [e["id"] for e in log] == list(range(1, len(log) + 1))
    assert ok(pg_cli("audit", "verify")).startswith("audit log intact")


def test_notifications_are_listed_and_sent_over_smtp(pg_cli: Cli, pg_url: str) -> None:
    engine = make_engine(pg_url)
    seed_account(engine, "S1", enrollment="not_enrolled", email="s1@example.com",
                 scores=full_window(AS_OF))
    engine.dispose()
    ok(pg_cli("sweep"))
    [queued] = json.loads(ok(pg_cli("notify", "list", "--pending", "--json")))
    assert (queued["kind"], queued["state"], queued["to"]) == ("enrolled", "pending",
                                                               "s1@example.com")

    received: list[bytes] = []

    class Inbox:
        async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
            received.append(bytes(envelope.content or b""))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(Inbox(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        ok(pg_cli("notify", "send", "--smtp", f"127.0.0.1:{port}"))
    finally:
        controller.stop()
    assert len(received) == 1
    assert "<s1@example.com>" in message_from_bytes(received[0])["To"]
    [sent] = json.loads(ok(pg_cli("notify", "list", "--json")))
    assert (sent["state"], sent["attempts"]) == ("sent", 1)
    assert json.loads(ok(pg_cli("notify", "list", "--pending", "--json"))) == []


def test_db_copy_between_two_postgresql_schemas(pg_cli: Cli, pg_url: str) -> None:
    ok(pg_cli("store", "enable", "DE"))
    with _another_schema() as other:
        result = pg_cli("db", "copy", "--from", pg_url, "--to", other)
        assert "audit chain verified" in ok(result)
        assert rows_of(other) == rows_of(pg_url)


# --- PostgreSQL-specific behaviour ------------------------------------------------------------


def test_instants_do_not_depend_on_the_session_time_zone(pg_url: str, clock: FakeClock) -> None:
    tokyo = pg_url + "%20-ctimezone%3DAsia/Tokyo"
    cli = Cli(db=tokyo, clock=clock, runner=CliRunner())
    ok(cli("init"))
    engine = make_engine(tokyo)
    with engine.connect() as conn:
        assert conn.execute(text("SHOW timezone")).scalar() == "Asia/Tokyo"
    seed_account(engine, "S1", scores=full_window(AS_OF))
    engine.dispose()
    case_id = ok(cli("case", "open", "S1", "--store", "US", "--policy", "other",
                     "--at", "2026-03-02T04:30:00-05:00")).strip()
    utc_view = Cli(db=pg_url, clock=clock, runner=CliRunner())
    for view in (cli, utc_view):
        shown = json.loads(ok(view("case", "show", case_id, "--json")))
        assert shown["contacted_at"] == "2026-03-02T09:30:00Z"
        assert shown["deadline"] == "2026-03-05T09:30:00Z"


def test_an_unreachable_server_is_one_sentence_and_exit_1(clock: FakeClock) -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:9/test"
    result = Cli(db=url, clock=clock, runner=CliRunner())("cases")
    one_sentence(result, 1, "cannot connect", "127.0.0.1")


def test_a_missing_database_is_one_sentence_and_exit_1(clock: FakeClock) -> None:
    url = PG_BASE.rsplit("/", 1)[0] + "/no_such_ahr_db"
    result = Cli(db=url, clock=clock, runner=CliRunner())("init")
    said = one_sentence(result, 1, "no_such_ahr_db")
    assert 'the server has no database "no_such_ahr_db"' in said
    assert "`createdb no_such_ahr_db`" in said and "then run `ahr init` on it" in said
    assert said.count("failed") == 0  # not psycopg's "connection failed: ... failed: FATAL"


def test_a_schema_with_other_tables_is_not_touched(pg_url: str, clock: FakeClock) -> None:
    engine = make_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id int primary key)"))
    engine.dispose()
    cli = Cli(db=pg_url, clock=clock, runner=CliRunner())
    one_sentence(cli("init"), 1, "not an ahr database")
    one_sentence(cli("cases"), 1, "not an ahr database")
    engine = make_engine(pg_url)
    assert inspect(engine).get_table_names() == ["invoices"]
    engine.dispose()


class _another_schema:
    """A second fresh schema inside one test (the fixture gives one)."""

    def __enter__(self) -> str:
        from tests.conftest import fresh_pg_schema

        self._cm = fresh_pg_schema()
        return self._cm.__enter__()

    def __exit__(self, *exc: object) -> None:
        self._cm.__exit__(None, None, None)


@pytest.mark.parametrize("where", ["sqlite", "postgresql"])
def test_background_window_counts_equal_the_single_query(
    where: str, pg_url: str, tmp_path: Any, clock: FakeClock
) -> None:
    """The sweep's split, threaded score scan counts exactly what the one GROUP BY counts."""
    from ahr_tui.service.admin import init_database
    from ahr_tui.service.identity import os_user_name
    from ahr_tui.store.actor import Actor
    from ahr_tui.store.engine import transaction
    from ahr_tui.store.queries import WindowCounts, window_counts

    url = pg_url if where == "postgresql" else str(tmp_path / "counts.db")
    engine = make_engine(url, create=True)
    init_database(engine, actor=Actor(name=os_user_name()), now=clock())
    for n in range(7):
        days = {AS_OF - timedelta(days=i): (100 + 37 * i * (n + 1)) % 600 for i in range(n * 40)}
        seed_account(engine, f"S{n}", scores=days)
    with transaction(engine) as session:
        expected = window_counts(session, AS_OF)
    assert len(expected) == 6 and expected[max(expected)][0] == 180
    for parts in (1, 2, 3, 10):
        assert WindowCounts(engine, AS_OF, parts=parts).result() == expected
    engine.dispose()


def test_the_trigram_extension_is_committed_at_once_not_held_by_a_long_transaction(
    pg_url: str,
) -> None:
    """``ahr db copy`` creates the tables in a transaction that lasts as long as the copy (half
    an hour for a million accounts): the filter's ``pg_trgm`` is committed on its own, so another
    session's ``CREATE EXTENSION IF NOT EXISTS`` (any ``ahr init``) does not wait for the copy."""
    engine = make_engine(pg_url, create=True)
    try:
        with engine.begin() as long:
            create_tables(long)  # what ahr db copy does first, in its one transaction
            with engine.connect() as other:
                other.execute(text("SET lock_timeout = '2s'"))
                other.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))  # would time out
                assert other.execute(
                    text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first()
            assert long.execute(text(
                "SELECT 1 FROM pg_indexes WHERE indexname = 'ix_account_search_trgm'")).first()
    finally:
        engine.dispose()
