"""``ahr init`` upgrades an older database in place: columns the models added appear, rows keep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col

from ahr_tui.rules import DEFAULT_POLICY
from ahr_tui.service.account_list import AccountSort, filtered
from ahr_tui.service.admin import init_database
from ahr_tui.store import window
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import make_engine, transaction
from ahr_tui.store.models import Case
from ahr_tui.store.queries import window_counts
from ahr_tui.store.recognise import SCHEMA_VERSION
from ahr_tui.store.schema import app_tables, read_version
from ahr_tui.store.types import UTCDateTime
from ahr_tui.store.upgrade import event_indexes, missing_columns, over_strict_columns, upgrade
from ahr_tui.store.window import install_triggers
from tests.conftest import T0, FakeClock, seed_account

AS_OF = T0.date() - timedelta(days=1)


def _older_and_newer() -> tuple[Table, Table]:
    old = Table("widget", MetaData(), Column("id", Integer, primary_key=True))
    new = Table(
        "widget",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("label", String, nullable=True),
    )
    return old, new


def test_a_column_the_model_added_is_added_and_the_rows_keep(engine: Engine) -> None:
    old, new = _older_and_newer()
    with engine.begin() as conn:
        old.create(conn)
        conn.execute(text("INSERT INTO widget (id) VALUES (1)"))
    with engine.begin() as conn:
        assert [c.name for _, c in missing_columns(conn, [new])] == ["label"]
        assert upgrade(conn, [new]) == ["widget.label"]
    with engine.begin() as conn:
        assert {c["name"] for c in inspect(conn).get_columns("widget")} == {"id", "label"}
        assert conn.execute(text("SELECT id, label FROM widget")).all() == [(1, None)]
        assert upgrade(conn, [new]) == []  # idempotent
        new.drop(conn)


def test_the_current_schema_needs_no_upgrade(engine: Engine) -> None:
    with engine.begin() as conn:
        assert missing_columns(conn, app_tables()) == []
        assert over_strict_columns(conn, app_tables()) == []



def _schema_1(conn: Connection, contacted: datetime) -> None:
    """A database as schema 1 wrote it, with one open case: a case began contacted
    (``contacted_at`` and ``deadline`` NOT NULL), no detection columns, no contact attempts."""
    old = MetaData()
    for table in app_tables():
        if table.name not in ("aha_case", "contact_attempt"):
            table.to_metadata(old)
    case = Table(
        "aha_case",
        old,
        Column("id", Integer, primary_key=True),
        Column("account_id", Integer, ForeignKey("account.id"), nullable=False, index=True),
        Column("policy", String, nullable=False),
        Column("summary", String, nullable=False),
        Column("contacted_at", UTCDateTime(), nullable=False),
        Column("deadline", UTCDateTime(), nullable=False),
        Column("responded_at", UTCDateTime()),
        Column("status", String, nullable=False),
        Column("assignee", String),
        Column("closed_at", UTCDateTime()),
        Column("outcome_note", String),
        Column("version", Integer, nullable=False),
    )
    old.create_all(conn)
    conn.execute(old.tables["meta"].insert().values(key="schema_version", value="1"))
    conn.execute(old.tables["meta"].insert().values(key="audit_head", value="0" * 64))
    conn.execute(old.tables["store"].insert().values(
        code="US", name="United States", marketplace_id="ATVPDKIKX0DER", region="NA",
        aha_enabled=True))
    account = conn.execute(old.tables["account"].insert().values(
        seller_id="S1", store="US", name="Acme", plan="professional", status="active",
        enrollment="enrolled", version=1))
    conn.execute(case.insert().values(
        account_id=account.inserted_primary_key[0], policy="reviews", summary="",
        contacted_at=contacted, deadline=contacted + timedelta(hours=72), status="open", version=1))


def test_ahr_init_upgrades_a_schema_1_database_and_existing_cases_were_detected_when_contacted(
    db_url: str, clock: FakeClock, me: Actor
) -> None:
    contacted = datetime(2026, 2, 27, 9, 30, 15, 250000, tzinfo=UTC)
    engine = make_engine(db_url, create=True)
    try:
        with engine.begin() as conn:
            _schema_1(conn, contacted)
        assert read_version(engine) == 1
        init_database(engine, actor=me, now=clock())
        assert read_version(engine) == SCHEMA_VERSION == 6
        init_database(engine, actor=me, now=clock())  # idempotent
        with transaction(engine, write=True) as session:
            [case] = session.execute(select(Case)).scalars()
            assert (case.detected_at, case.contacted_at) == (contacted, contacted)
            assert case.contact_due == contacted + timedelta(hours=24)
            assert case.deadline == contacted + timedelta(hours=72)
            session.add(Case(account_id=case.account_id, policy="other", detected_at=contacted,
                             contact_due=contacted + timedelta(hours=24), status="detected"))
        with transaction(engine) as session:
            [_, detected] = session.execute(select(Case).order_by(col(Case.id))).scalars()
            assert (detected.contacted_at, detected.deadline) == (None, None)
        with engine.begin() as conn:
            assert "contact_attempt" in inspect(conn).get_table_names()
            assert missing_columns(conn, app_tables()) == []
            assert over_strict_columns(conn, app_tables()) == []
            if engine.dialect.name == "sqlite":
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        engine.dispose()


def _old_score_key(conn: Connection) -> None:
    """Give the score table the key schemas 1 to 3 had, ``(account_id, day)``."""
    if conn.dialect.name == "sqlite":
        conn.execute(text("DROP TABLE score"))  # its window triggers go with it
        conn.execute(text(
            "CREATE TABLE score (account_id INTEGER NOT NULL REFERENCES account (id), "
            "day DATE NOT NULL, score INTEGER NOT NULL, PRIMARY KEY (account_id, day)) "
            "WITHOUT ROWID"))
        install_triggers(conn)
    else:
        name = inspect(conn).get_pk_constraint("score")["name"]
        conn.execute(text(f'ALTER TABLE score DROP CONSTRAINT "{name}", '
                          f'ADD CONSTRAINT "{name}" PRIMARY KEY (account_id, day)'))


def test_ahr_init_keys_a_schema_3_databases_scores_day_first_and_keeps_them(
    engine: Engine, clock: FakeClock, me: Actor
) -> None:
    """Schema 4 stores scores day first; ``ahr init`` rebuilds an older score table: the same
    rows, the window triggers back, and the window counters agree with the GROUP BY."""
    account = seed_account(engine, "S1")
    other = seed_account(engine, "S2")
    days = [AS_OF - timedelta(days=i) for i in range(40)]
    with engine.begin() as conn:
        _old_score_key(conn)
        conn.execute(text("UPDATE meta SET value = '3' WHERE key = 'schema_version'"))
        for i, day in enumerate(days):
            conn.execute(text("INSERT INTO score (account_id, day, score) VALUES (:a, :d, :s)"),
                         [{"a": account, "d": day, "s": 100 + 10 * i},
                          {"a": other, "d": day, "s": 300}])
        before = conn.execute(text("SELECT account_id, day, score FROM score ORDER BY 1, 2")).all()
        assert inspect(conn).get_pk_constraint("score")["constrained_columns"] == [
            "account_id", "day"]
    assert read_version(engine) == 3
    init_database(engine, actor=me, now=clock())
    assert read_version(engine) == SCHEMA_VERSION == 6
    with engine.begin() as conn:
        assert inspect(conn).get_pk_constraint("score")["constrained_columns"] == [
            "day", "account_id"]
        assert conn.execute(
            text("SELECT account_id, day, score FROM score ORDER BY 1, 2")).all() == before
        if engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    with transaction(engine, write=True) as session:
        assert window.bring_to(session, AS_OF, DEFAULT_POLICY) == "rebuilt"
        session.execute(text("INSERT INTO score (account_id, day, score) VALUES (:a, :d, 999)"),
                        {"a": account, "d": AS_OF - timedelta(days=50)})
        session.execute(text("UPDATE score SET score = 0 WHERE account_id = :a AND day = :d"),
                        {"a": other, "d": AS_OF - timedelta(days=3)})
    with transaction(engine, write=True) as session:  # the triggers marked the change
        assert window.bring_to(session, AS_OF, DEFAULT_POLICY) == "recounted"
        assert window.counts_at(session, AS_OF, DEFAULT_POLICY) == window_counts(
            session, AS_OF, DEFAULT_POLICY)
    init_database(engine, actor=me, now=clock())  # idempotent


def test_ahr_init_says_it_upgrades_before_it_starts_and_what_it_did(cli, engine: Engine) -> None:
    """An upgrade can take minutes: ``ahr init`` says so on stderr first, then what it did."""
    with engine.begin() as conn:
        _old_score_key(conn)
        conn.execute(text("UPDATE meta SET value = '3' WHERE key = 'schema_version'"))
    result = cli("init")
    assert result.exit_code == 0, result.output
    assert "from schema 3 to 6 (minutes for millions of scores" in result.stderr
    assert result.stdout.startswith("upgraded: ") and "(schema 3 -> 6)" in result.stdout
    again = cli("init")
    assert again.stdout.startswith("up to date: ") and again.stderr == ""


def test_a_schema_4_database_gets_its_phone_checks_in_a_moment_and_is_told_so(
    cli, engine: Engine
) -> None:
    """Schema 5 adds two columns to ``account`` (``store.phone_checks``): no warning of
    minutes; the columns come back empty, to be checked by the next sweep."""
    with engine.begin() as conn:
        for column in ("phone_status", "phone_checked"):
            conn.execute(text(f"ALTER TABLE account DROP COLUMN {column}"))
        conn.execute(text("UPDATE meta SET value = '4' WHERE key = 'schema_version'"))
    result = cli("init")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("upgrading ")
    if engine.dialect.name == "postgresql":  # the minutes are schema 6's (the search text)
        assert "from schema 4 to 6 (about 2 minutes a million accounts: schema 6" in (
            result.stderr)
    else:
        assert "from schema 4 to 6..." in result.stderr and "minutes" not in result.stderr
    assert "(schema 4 -> 6)" in result.stdout
    with engine.connect() as conn:
        assert conn.execute(text(
            "SELECT count(*) FROM account WHERE phone_status IS NOT NULL")).scalar() == 0


#: Schema 5's PostgreSQL indexes for the Accounts view (``store.account_pg`` before 6).
_SCHEMA_5_PG_INDEXES = [
    "CREATE INDEX ix_account_name_lower ON account (lower(name), seller_id, store)",
    "CREATE INDEX ix_account_seller_cover ON account (seller_id, store) INCLUDE (name, id)",
    "CREATE INDEX ix_account_seller_trgm ON account USING gin (lower(seller_id) {ops})",
    "CREATE INDEX ix_account_name_trgm ON account USING gin (lower(name) {ops})",
]


def _until_vacuumed(engine: Engine, table: str) -> None:
    """Wait (at most 30 s) until the server counts a ``VACUUM`` of ``table``. Its statistics
    reach the view when the vacuuming session flushes them. Whether the vacuum made every page
    all-visible depends on every other transaction of the server (another test's open snapshot
    holds the horizon back), so it is not what is checked."""
    import time

    deadline = time.monotonic() + 30
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        while not conn.execute(text(
                "SELECT vacuum_count FROM pg_stat_user_tables "
                "WHERE relid = CAST(:t AS regclass)"), {"t": table}).scalar():
            assert time.monotonic() < deadline, f"no VACUUM of {table} was counted"
            time.sleep(0.05)


def test_a_schema_5_database_gets_the_stored_search_text_and_is_told_how_long(
    cli, engine: Engine
) -> None:
    """Schema 6 stores the Accounts filter's text on PostgreSQL (``account.search``: seller id,
    name and store lower-cased, joined by U+001F) with one trigram index and covering indexes
    on it, in place of schema 5's four indexes (108 s at a million accounts, so ``ahr init``
    says so first); on SQLite only the version changes, in a moment."""
    account = seed_account(engine, "S1", "US", name="Ölberg Kitchen")
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        if pg:
            ops = conn.execute(text("SELECT extnamespace::regnamespace::text "
                                    "FROM pg_extension WHERE extname = 'pg_trgm'")).scalar()
            conn.execute(text("ALTER TABLE account DROP COLUMN search"))  # and its indexes
            for statement in _SCHEMA_5_PG_INDEXES:
                conn.execute(text(statement.format(ops=f"{ops}.gin_trgm_ops")))
        conn.execute(text("UPDATE meta SET value = '5' WHERE key = 'schema_version'"))
    result = cli("init")
    assert result.exit_code == 0, result.output
    told = ("from schema 5 to 6 (about 2 minutes a million accounts: schema 6 writes each "
            "account's search text and indexes it)..." if pg else "from schema 5 to 6...")
    assert told in result.stderr, result.stderr
    assert "(schema 5 -> 6)" in result.stdout
    assert read_version(engine) == SCHEMA_VERSION
    if not pg:
        return
    with engine.connect() as conn:
        assert conn.execute(text("SELECT search FROM account")).scalar() == (
            "s1\x1fölberg kitchen\x1fus")
        indexes = set(conn.execute(text(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'account' "
            "AND schemaname = current_schema()")).scalars())
    _until_vacuumed(engine, "account")  # the rewritten table: its index-only scans need it
    assert {"ix_account_search_trgm", "ix_account_seller_search",
            "ix_account_name_search"} <= indexes
    assert not indexes & {"ix_account_name_lower", "ix_account_seller_cover",
                          "ix_account_seller_trgm", "ix_account_name_trgm"}
    for needle in ("kitchen", "ölb", "s1"):  # from the trigram index, and by a walk
        assert list(filtered(engine, AS_OF, AccountSort.SELLER, lambda: None, needle) or []) == [
            account]


def test_ahr_init_says_when_the_filter_has_no_trigram_index(
    cli, engine: Engine, monkeypatch
) -> None:
    """On PostgreSQL, when ``pg_trgm`` cannot be had (no right to create it), ``ahr init`` still
    succeeds and says what is missing and who can fix it; once the index is there, it is
    quiet. SQLite's filter index is its own (FTS5): never a note."""
    import ahr_tui.store.account_pg as pg

    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP INDEX ix_account_search_trgm"))
        monkeypatch.setattr(pg, "_install_trgm", lambda conn: False)  # as without the right
        result = cli("init")
        assert result.exit_code == 0, result.output
        assert result.stderr.startswith("note: the Accounts filter has no trigram index")
        assert "CREATE EXTENSION pg_trgm" in result.stderr
        monkeypatch.undo()
    again = cli("init")
    assert again.exit_code == 0 and again.stderr == "", again.output
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1 FROM pg_indexes WHERE "
                                     "indexname = 'ix_account_search_trgm'")).first()


def test_ahr_init_gives_an_older_event_table_the_partial_index_by_case(
    engine: Engine, clock: FakeClock, me: Actor
) -> None:
    """Schemas 1-4 indexed events by account (no query reads them so) and by case with an entry
    for every event; ``ahr init`` leaves the one partial index by case, and a case's events are
    still found through it."""
    with engine.begin() as conn:
        assert event_indexes(conn) == []  # a new database has it already
        conn.execute(text("DROP INDEX ix_event_case"))
        conn.execute(text("CREATE INDEX ix_event_account_id ON event (account_id)"))
        conn.execute(text("CREATE INDEX ix_event_case_id ON event (case_id)"))
    init_database(engine, actor=me, now=clock())
    with engine.begin() as conn:
        assert [i["name"] for i in inspect(conn).get_indexes("event")] == ["ix_event_case"]
        if engine.dialect.name == "sqlite":
            plan = conn.execute(text(
                "EXPLAIN QUERY PLAN SELECT id FROM event WHERE case_id = 1")).all()
            assert "INDEX ix_event_case (case_id=?)" in plan[0][-1]
        assert event_indexes(conn) == []
