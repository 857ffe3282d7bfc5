"""The audit log: ``ahr audit verify`` finds any event edited, inserted or deleted in the database,
naming the first bad one (exit 1), and ``ahr audit log`` filters and prints it safely.

The tampering is done with plain SQL behind the program's back, as an intruder with write access
to the database would; the same tests run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from ahr_tui.rules import CaseAction, PolicyArea
from ahr_tui.service import cases
from ahr_tui.store import audit
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from tests.conftest import T0, seed_account


def _history(engine: Engine, me: Actor) -> int:
    """Eight events: init (1), two opens, a note, a response, a resolve, an assign, a note."""
    seed_account(engine, "S1")
    seed_account(engine, "S2")
    a = cases.open_case(
        engine,
        seller_id="S1",
        store="US",
        policy=PolicyArea.REVIEWS,
        at=T0,
        summary="first",
        actor=me,
        now=T0,
    ).id
    b = cases.open_case(
        engine,
        seller_id="S2",
        store="US",
        policy=PolicyArea.OTHER,
        at=T0,
        summary="second",
        actor=me,
        now=T0,
    ).id
    cases.add_note(engine, a, text="called the seller", actor=me, now=T0 + timedelta(hours=1))
    cases.act(
        engine,
        a,
        CaseAction.RESPOND,
        at=T0 + timedelta(hours=2),
        text=None,
        actor=me,
        now=T0 + timedelta(hours=2),
    )
    cases.act(
        engine,
        a,
        CaseAction.RESOLVE,
        at=T0 + timedelta(hours=3),
        text="fixed",
        actor=me,
        now=T0 + timedelta(hours=3),
    )
    cases.assign(engine, b, to=None, actor=me, now=T0 + timedelta(hours=4))
    cases.add_note(engine, b, text="left a voicemail", actor=me, now=T0 + timedelta(hours=5))
    return 8


def _sql(engine: Engine, *statements: str, **params: object) -> None:
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


def _verify_fails_at(cli, event_id: int, word: str) -> str:
    result = cli("audit", "verify")
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    message = result.stderr.strip()
    assert message.count("\n") == 0 and "Traceback" not in message
    assert re.search(rf"\bat event {event_id}:", message), message
    assert word in message, message
    return message


def test_verify_passes_on_an_intact_log(cli, engine, me):
    total = _history(engine, me)
    result = cli("audit", "verify")
    assert result.exit_code == 0, result.output
    assert f"{total} events verified" in result.stdout


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("note", "nothing happened here"),
        ("actor", "somebody-else"),
        ("to_state", "open"),
        ("case_id", None),
    ],
)
def test_an_edited_event_is_named(cli, engine, me, column, value):
    _history(engine, me)
    _sql(engine, f"UPDATE event SET {column} = :v WHERE id = 4", v=value)
    _verify_fails_at(cli, 4, "edited")


def test_an_edited_timestamp_is_named(cli, engine, me):
    _history(engine, me)
    earlier = (T0 - timedelta(days=1)).replace(tzinfo=None)
    _sql(engine, "UPDATE event SET at = :v WHERE id = 5", v=earlier)
    _verify_fails_at(cli, 5, "edited")


def test_an_unreadable_timestamp_is_named_not_a_crash(cli, engine, me, backend):
    _history(engine, me)
    if backend == "sqlite":  # SQLite stores whatever text it is given
        _sql(engine, "UPDATE event SET recorded_at = 'yesterday-ish' WHERE id = 3")
    else:  # PostgreSQL's column type refuses garbage; the nearest edit is a far-off value
        _sql(engine, "UPDATE event SET recorded_at = '0001-01-01 00:00:00' WHERE id = 3")
    _verify_fails_at(cli, 3, "edited")


def test_an_edited_hash_is_named(cli, engine, me):
    _history(engine, me)
    _sql(engine, "UPDATE event SET hash = :h WHERE id = 6", h="f" * 64)
    _verify_fails_at(cli, 6, "edited")


def _copy_event(engine: Engine, source_id: int, new_id: int, prev_hash: str, hash_: str) -> None:
    _sql(
        engine,
        "INSERT INTO event (id, at, recorded_at, actor, client, tty, account_id, case_id, action,"
        " from_state, to_state, note, prev_hash, hash)"
        " SELECT :new, at, recorded_at, actor, client, tty, account_id, case_id, action,"
        " from_state, to_state, 'inserted by an intruder', :prev, :hash FROM event WHERE id = :src",
        new=new_id,
        prev=prev_hash,
        hash=hash_,
        src=source_id,
    )


def _hash_of(engine: Engine, event_id: int) -> str:
    with engine.connect() as conn:
        found = conn.execute(text("SELECT hash FROM event WHERE id = :i"), {"i": event_id})
        return str(found.scalar())


def test_an_event_inserted_in_the_middle_is_named(cli, engine, me):
    total = _history(engine, me)
    # make room for a new event 4 (renumber 4.. up by one, through a free range), then insert it
    _sql(
        engine,
        "UPDATE event SET id = id + 1000 WHERE id >= 4",
        "UPDATE event SET id = id - 999 WHERE id >= 1000",
    )
    _copy_event(engine, 3, 4, _hash_of(engine, 3), "e" * 64)
    _verify_fails_at(cli, 4, "inserted")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM event")).scalar() == total + 1


def test_an_event_appended_with_a_correct_hash_but_not_through_ahr_is_named(cli, engine, me):
    """An intruder who recomputes the hash still cannot move the chain head it does not know of."""
    total = _history(engine, me)
    with transaction(engine) as s:
        from ahr_tui.store.models import Event

        last = s.get(Event, total)
        assert last is not None
        fields = {**last.model_dump(), "id": total + 1, "note": "forged", "prev_hash": last.hash}
        forged = Event(**fields)
        forged.hash = audit.event_hash(forged, last.hash)
    _copy_event(engine, total, total + 1, last.hash, forged.hash)
    _sql(engine, "UPDATE event SET note = 'forged' WHERE id = :i", i=total + 1)
    _verify_fails_at(cli, total + 1, "added outside ahr")


def test_an_event_inserted_with_a_skipped_id_is_named(cli, engine, me):
    total = _history(engine, me)
    _copy_event(engine, total, total + 5, _hash_of(engine, total), "d" * 64)
    _verify_fails_at(cli, total + 5, "inserted")


@pytest.mark.parametrize("deleted", [1, 4])
def test_a_deleted_event_is_named(cli, engine, me, deleted):
    _history(engine, me)
    _sql(engine, "DELETE FROM event WHERE id = :i", i=deleted)
    _verify_fails_at(cli, deleted, "deleted")


def test_deleting_the_newest_event_is_noticed(cli, engine, me):
    total = _history(engine, me)
    _sql(engine, "DELETE FROM event WHERE id = :i", i=total)
    _verify_fails_at(cli, total, "deleted")


def test_the_first_of_several_tamperings_is_named(cli, engine, me):
    _history(engine, me)
    _sql(engine, "UPDATE event SET note = 'x' WHERE id = 7", "DELETE FROM event WHERE id = 3")
    _verify_fails_at(cli, 3, "deleted")


def test_log_filters_by_case_and_since_and_emits_json(cli, engine, me):
    _history(engine, me)
    result = cli("audit", "log", "--json")
    assert result.exit_code == 0, result.output
    every = json.loads(result.stdout)
    assert [e["id"] for e in every] == list(range(1, 9))
    required = {
        "id",
        "at",
        "recorded_at",
        "actor",
        "case_id",
        "action",
        "from",
        "to",
        "note",
        "hash",
    }
    assert all(required <= set(e) for e in every)
    assert every[0]["action"] == "operator_add" and every[0]["actor"] == me.name
    one = json.loads(cli("audit", "log", "--case", "1", "--json").stdout)
    assert [e["action"] for e in one] == ["open", "note", "respond", "resolve"]
    later = json.loads(cli("audit", "log", "--since", "2026-03-02T15:00:00Z", "--json").stdout)
    assert [e["action"] for e in later] == ["resolve", "assign", "note"]
    plain = cli("audit", "log", "--case", "2")
    assert plain.exit_code == 0
    assert "left a voicemail" in plain.stdout and "assign" in plain.stdout


def test_log_of_an_unknown_case_and_a_bad_instant_are_one_sentence(cli, engine, me):
    _history(engine, me)
    missing = cli("audit", "log", "--case", "99")
    assert missing.exit_code == 1 and missing.stderr.strip() == "ahr: no case 99."
    bad = cli("audit", "log", "--since", "last tuesday")
    assert bad.exit_code == 2 and "'last tuesday' is not an instant" in bad.stderr
    assert "a UTC day (2026-11-29)" in bad.stderr
    naive = cli("audit", "log", "--since", "2026-03-02T00:00:00")
    assert naive.exit_code == 2 and "has no UTC offset (add Z or +HH:MM)" in naive.stderr


def test_log_since_takes_a_utc_day_or_a_span_as_its_help_says(cli, engine, me):
    _history(engine, me)

    def ids(since: str) -> list[int]:
        result = cli("audit", "log", "--since", since, "--json")
        assert result.exit_code == 0, result.stderr
        return [e["id"] for e in json.loads(result.stdout)]

    assert ids("2026-03-02") == ids("2026-03-02T00:00:00Z") != []
    assert ids("2026-03-03") == []
    assert ids("3h") == ids("2026-03-02T09:00:00Z")  # the clock stands at 2026-03-02T12:00Z
    shown = " ".join(cli("audit", "log", "--help").stdout.split())
    assert "--since T|DAY|DURATION" in shown and "a UTC day (2026-11-29: from 00:00 UTC)" in shown
    assert "a span back from now (90m, 8h, 2d)" in shown


def test_a_viewer_who_is_not_an_operator_can_read_and_verify_the_log(cli, engine, me, monkeypatch):
    _history(engine, me)
    monkeypatch.setattr("ahr_tui.service.identity.os_user_name", lambda uid=None: "just-looking")
    assert cli("audit", "verify").exit_code == 0
    assert cli("audit", "log").exit_code == 0
    refused = cli("case", "note", "1", "--text", "hi")
    assert refused.exit_code == 1 and "triage" in refused.stderr


def _old_table(events: list[dict]) -> str:
    """The text ``ahr audit log`` wrote when it held every event (``cli.common.table``)."""
    import io
    import sys

    from ahr_tui.cli.common import table
    from ahr_tui.wording import instant

    rows = []
    for e in events:
        at = datetime.fromisoformat(e["at"].replace("Z", "+00:00"))
        rows.append((e["id"], instant(at), e["actor"],
                     " ".join(filter(None, (e["client"], e["tty"]))) or "-",
                     e["case_id"] or "-", e["action"], e["from"] or "-", e["to"] or "-",
                     (e["note"] or "")[:80]))
    out, sys.stdout = sys.stdout, io.StringIO()
    try:
        table(("ID", "AT", "ACTOR", "WHERE", "CASE", "ACTION", "FROM", "TO", "NOTE"), rows)
        return sys.stdout.getvalue()
    finally:
        sys.stdout = out


def test_the_log_is_read_a_page_at_a_time_and_prints_what_one_table_did(
        cli, engine, me, monkeypatch):
    """A log longer than a page (pages of 3 here, 2,000 in use): the same text as the whole
    table measured at once, the widest values past the first page included; the JSON is the
    same document as ``json.dumps`` of the whole list."""
    from ahr_tui.service import audit_log

    _history(engine, me)
    cases.add_note(engine, 2, text="a much longer note than any before it, past the first "
                   "pages " * 3, actor=me, now=T0 + timedelta(hours=6))
    every = json.loads(cli("audit", "log", "--json").stdout)
    monkeypatch.setattr(audit_log, "PAGE", 3)
    paged = cli("audit", "log", "--json")
    assert paged.exit_code == 0 and json.loads(paged.stdout) == every
    assert paged.stdout == json.dumps(every, ensure_ascii=True, indent=2) + "\n"
    shown = cli("audit", "log")
    assert shown.exit_code == 0 and shown.stdout == _old_table(every)
    assert len(every) == 9 and "a much longer note" in shown.stdout.splitlines()[-1]
    none = cli("audit", "log", "--since", "2030-01-01", "--json")
    assert none.stdout == "[]\n" and json.loads(none.stdout) == []
    assert cli("audit", "log", "--since", "2030-01-01").stdout.split() == [
        "ID", "AT", "ACTOR", "WHERE", "CASE", "ACTION", "FROM", "TO", "NOTE"]


def test_an_event_written_between_the_two_walks_is_not_printed_unmeasured(
        cli, engine, me, monkeypatch):
    """The text is measured on a first walk and printed on a second: an event appended in
    between (another operator's action) is left for the next run, not printed past the
    columns measured without it."""
    from ahr_tui.service import audit_log

    _history(engine, me)
    walks = []
    pages = audit_log.event_pages

    def watched(*args, **kwargs):
        walks.append(kwargs.get("through"))
        if len(walks) == 2:  # between the measuring walk and the printing one
            cases.add_note(engine, 2, text="late" * 40, actor=me, now=T0 + timedelta(hours=6))
        return pages(*args, **kwargs)

    monkeypatch.setattr(audit_log, "event_pages", watched)
    shown = cli("audit", "log")
    assert shown.exit_code == 0 and walks == [None, 8]
    assert [line.split()[0] for line in shown.stdout.splitlines()[1:]] == [
        str(i) for i in range(1, 9)]
    assert "late" not in shown.stdout
