"""The sweep's enrolment changes written in batches: the same rows as one by one, all or nothing.

Pages of two accounts make a handful of accounts span several batches. The batch shortcuts (the
audit hash template, the notification frame) are checked against the plain functions they stand
in for, on arbitrary text.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, String, Table, select, text, update
from sqlalchemy.engine import Engine

from ahr_tui.errors import Conflict
from ahr_tui.notify import render as render_module
from ahr_tui.rules import NotificationKind, last_complete_day
from ahr_tui.service import enrolment, outbox
from ahr_tui.service.sweep import sweep
from ahr_tui.store import audit, bulk
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import make_engine, transaction
from ahr_tui.store.models import Account, Event, Notification
from tests.conftest import T0, full_window, seed_account, snapshot
from tests.test_service_cases import chain_ok

AS_OF = last_complete_day(T0)


def seed_mixed(engine: Engine) -> dict[str, int]:
    """Seven accounts: five move (enrol, contact needed, lapse, re-enrol), two stay."""
    below = full_window(AS_OF)
    for i in range(11):
        below[AS_OF - timedelta(days=i)] = 100
    return {
        "S1": seed_account(engine, "S1", enrollment="not_enrolled", scores=full_window(AS_OF)),
        "S2": seed_account(engine, "S2", enrollment="not_enrolled", phone=None,
                           scores=full_window(AS_OF)),
        "S3": seed_account(engine, "S3", scores=below),
        "S4": seed_account(engine, "S4", scores=full_window(AS_OF)),  # stays enrolled
        "S5": seed_account(engine, "S5", enrollment="lapsed", scores=full_window(AS_OF)),
        "S6": seed_account(engine, "S6", enrollment="revoked", scores=full_window(AS_OF)),
        "S7": seed_account(engine, "S7", enrollment="not_enrolled", name="Ünïcode \"q\" $x",
                           scores=full_window(AS_OF)),
    }


def run(engine: Engine, me):  # type: ignore[no-untyped-def]
    return sweep(engine, now=T0, as_of=AS_OF, actor=me)


def test_changes_spanning_several_batches_are_written_in_account_order_and_chain(
    engine, me, monkeypatch
):
    monkeypatch.setattr(enrolment.account_pages, "__defaults__", (2,))
    ids = seed_mixed(engine)
    report = run(engine, me)
    assert dict(report.enrollment_changes) == {
        "not_enrolled->enrolled": 2, "not_enrolled->pending_contact": 1,
        "enrolled->lapsed": 1, "lapsed->enrolled": 1,
    }
    assert report.notifications == 5
    with transaction(engine) as s:
        accounts = {a.seller_id: a for a in s.execute(select(Account)).scalars()}
        moves = list(s.execute(
            select(Event).where(Event.action == "enrollment").order_by(Event.id)).scalars())
        notes = list(s.execute(select(Notification).order_by(Notification.id)).scalars())
    assert [e.account_id for e in moves] == sorted(ids[k] for k in ("S1", "S2", "S3", "S5", "S7"))
    assert all(e.at == T0 and e.recorded_at == T0 and e.actor == me.name for e in moves)
    for seller in ("S1", "S2", "S3", "S5", "S7"):
        assert accounts[seller].version == 2 and accounts[seller].enrollment_changed_at == T0
    assert (accounts["S4"].version, accounts["S6"].enrollment) == (1, "revoked")
    assert [(n.account_id, n.kind) for n in notes] == [
        (ids["S1"], "enrolled"), (ids["S2"], "contact_needed"), (ids["S3"], "lapsed"),
        (ids["S5"], "enrolled"), (ids["S7"], "enrolled"),
    ]
    unicode_note = notes[-1]
    expected = render_module._render(NotificationKind.ENROLLED, "S7", "Ünïcode \"q\" $x", "US",
                                     None, None, None, None)
    assert unicode_note.subject == expected.subject
    assert unicode_note.body == outbox.DEFERRED  # a batch leaves the body to delivery
    assert outbox.delivered_body(unicode_note.body, unicode_note.kind, seller_id="S7",
                                 name="Ünïcode \"q\" $x", store="US") == expected.body
    assert (unicode_note.state, unicode_note.attempts, unicode_note.next_attempt_at) == (
        "pending", 0, T0)
    assert chain_ok(engine)


def test_a_failure_in_a_later_batch_leaves_nothing_of_the_earlier_ones(engine, me, monkeypatch):
    monkeypatch.setattr(enrolment.account_pages, "__defaults__", (2,))
    seed_mixed(engine)
    before = snapshot(engine)
    calls = []
    real = enrolment.outbox.insert_seller_rows

    def fail_second(session, rows, now):  # type: ignore[no-untyped-def]
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("outbox down")
        real(session, rows, now)

    monkeypatch.setattr(enrolment.outbox, "insert_seller_rows", fail_second)
    with pytest.raises(RuntimeError):
        run(engine, me)
    assert len(calls) == 2
    assert snapshot(engine) == before
    assert chain_ok(engine)


def test_an_account_changed_after_it_was_read_makes_the_sweep_a_conflict(engine, me, monkeypatch):
    ids = seed_mixed(engine)
    before = snapshot(engine)
    real = enrolment.account_pages

    def stale_pages(session, size=enrolment.PAGE):  # type: ignore[no-untyped-def]
        for page in real(session, size):
            session.execute(update(Account).where(Account.id == ids["S1"])
                            .values(version=Account.version + 1))
            yield page

    monkeypatch.setattr(enrolment, "account_pages", stale_pages)
    with pytest.raises(Conflict):
        run(engine, me)
    assert snapshot(engine) == before


def test_each_page_is_read_and_built_before_the_page_before_it_is_written_overlapping_on_pg(
    engine, me, monkeypatch, backend
):
    """Page 2 is read before page 1's writes. On PostgreSQL those writes run in another thread
    while page 2 is decided and its rows (audit hashes included) built: the first write waits,
    bounded, until page 2's rows are built (run one after the other, it would time out), and
    the chain still verifies. SQLite writes in the sweep's own thread, in the same order."""
    monkeypatch.setattr(enrolment.account_pages, "__defaults__", (2,))
    seed_mixed(engine)
    log: list[str] = []
    built = threading.Event()
    real_pages, real_decide, real_build, real_write = (
        enrolment.account_pages, enrolment._decide_page, enrolment._build_page,
        enrolment.write_page)

    def pages(session, size=2):  # type: ignore[no-untyped-def]
        for number, page in enumerate(real_pages(session, size), 1):
            log.append(f"read {number}")
            yield page

    def decide(page, decisions, changes):  # type: ignore[no-untyped-def]
        log.append("decide")
        return real_decide(page, decisions, changes)

    def build(checked, moves, events):  # type: ignore[no-untyped-def]
        rows = real_build(checked, moves, events)
        log.append(f"build {len(rows.events)}")
        built.set()
        return rows

    def write(session, page, events, **kwargs):  # type: ignore[no-untyped-def]
        log.append(f"write in {threading.current_thread().name.split('_')[0]}")
        if backend == "postgresql" and log.count("decide") == 1:
            assert built.wait(10) and log.count("decide") == 1
            built.clear()
            assert built.wait(10), "page 2 was not built while page 1 was written"
        written = real_write(session, page, events, **kwargs)
        log.append("written")
        return written

    monkeypatch.setattr(enrolment, "account_pages", pages)
    monkeypatch.setattr(enrolment, "_decide_page", decide)
    monkeypatch.setattr(enrolment, "_build_page", build)
    monkeypatch.setattr(enrolment, "write_page", write)
    report = run(engine, me)
    writer = "ahr-sweep-write" if backend == "postgresql" else "MainThread"
    assert log[:4] == ["read 1", "decide", "build 2", "read 2"]
    # the threads may log in either order; page 2 is built before page 1's write ends
    assert sorted(log[4:8]) == sorted(["decide", "build 1", f"write in {writer}", "written"])
    if backend == "postgresql":
        assert log.index("build 1") < log.index("written")
    else:
        assert log[4:8] == [f"write in {writer}", "written", "decide", "build 1"]
    assert sum(report.enrollment_changes.values()) == 5
    assert chain_ok(engine)


@pytest.mark.parametrize("client, tty", [
    ("10.0.0.7 'quoted' 22", "pts/0'); DELETE FROM event; --"),
    (None, "Zo\u00eb \u2603 ''"),
])
def test_the_values_every_event_shares_are_stored_as_given_and_chain(engine, me, client, tty):
    """The at, actor, client and tty a batch's events share are written into its statement
    once (``store.bulk.insert_tuples``, ``shared``): quotes and SQL in them stay plain text."""
    seed_mixed(engine)
    who = Actor(name=me.name, client=client, tty=tty)
    report = sweep(engine, now=T0, as_of=AS_OF, actor=who)
    assert sum(report.enrollment_changes.values()) == 5
    with transaction(engine) as s:
        moves = list(s.execute(select(Event).where(Event.action == "enrollment")).scalars())
        notes = list(s.execute(select(Notification)).scalars())
    assert len(moves) == 5 and len(notes) == 5
    assert {(e.actor, e.client, e.tty, e.at, e.recorded_at) for e in moves} == {
        (me.name, client, tty, T0, T0)}
    assert {(n.created_at, n.next_attempt_at, n.state, n.attempts, n.body) for n in notes} == {
        (T0, T0, "pending", 0, outbox.DEFERRED)}
    assert chain_ok(engine)


def test_a_shared_value_an_sqlite_statement_cannot_hold_is_bound_for_each_row(tmp_path):
    """A NUL character ends an SQL text: such a value (and any type but text, integer and
    NULL) is bound with every row instead of written into the statement."""
    assert bulk.sqlite_literal("o'brien") == "'o''brien'"
    assert (bulk.sqlite_literal(None), bulk.sqlite_literal(0)) == ("NULL", "0")
    assert bulk.sqlite_literal("a\x00b") is None and bulk.sqlite_literal(1.5) is None
    engine = make_engine(str(tmp_path / "nul.db"), create=True)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (a INTEGER, b TEXT, c TEXT)"))
        table = Table("t", MetaData(), Column("a", Integer), Column("b", String),
                      Column("c", String))
        with transaction(engine, write=True) as session:
            bulk.insert_tuples(session, table, ("a",), [(1,), (2,)],
                               shared=(("b", "x\x00y"), ("c", "it's")))
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT a, b, c FROM t ORDER BY a")).all()
        assert [tuple(r) for r in rows] == [(1, "x\x00y", "it's"), (2, "x\x00y", "it's")]
    finally:
        engine.dispose()


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=300, deadline=None)
@given(seller=TEXT, name=TEXT, kind=st.sampled_from(list(NotificationKind)),
       store=st.sampled_from(["US", "CA", "MX", "ZZ"]))
def test_the_notification_frame_gives_the_very_text_of_a_full_render(seller, name, kind, store):
    fast = render_module.render(kind, seller_id=seller, seller_name=name, store=store)
    full = render_module._render(kind, seller, name, store, None, None, None, None)
    assert fast == full


@settings(max_examples=300, deadline=None)
@given(seller=TEXT, name=TEXT, kind=st.sampled_from(list(NotificationKind)),
       store=st.sampled_from(["US", "CA", "MX", "ZZ"]))
def test_a_batch_subject_is_the_subject_of_a_full_render(seller, name, kind, store):
    fast = render_module.seller_subject(kind, seller_id=seller, seller_name=name, store=store)
    assert fast == render_module._render(kind, seller, name, store, None, None, None, None).subject


@settings(max_examples=300, deadline=None)
@given(actor=TEXT, note=st.one_of(st.none(), TEXT), client=st.one_of(st.none(), TEXT),
       account_id=st.one_of(st.none(), st.integers(0, 2**40)), state=st.one_of(st.none(), TEXT))
def test_the_batch_hash_template_hashes_exactly_like_one_event_at_a_time(
    actor, note, client, account_id, state
):
    at = datetime(2026, 3, 2, 12, 0, 0, 123456, tzinfo=UTC)
    common = {"at": at, "recorded_at": at + timedelta(seconds=1), "actor": actor,
              "client": client, "tty": "pts/%d"}
    event = {**common, "id": 41, "account_id": account_id, "case_id": None,
             "action": "enrollment", "from_state": state, "to_state": "enrolled", "note": note}
    digest = audit._batch_digest(common)
    assert digest(account_id, None, "enrollment", state, "enrolled", note, 41, "ab" * 32) == (
        audit._digest(event, "ab" * 32))
