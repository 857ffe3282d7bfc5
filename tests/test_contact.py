"""``ahr case detect`` and ``ahr case attempt`` on a real database: the first-contact clock, the
attempts, their notifications, the sweep leaving detected cases alone, the import of detected
cases, and every bad input refused in one sentence with nothing written."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from ahr_tui.rules import Role
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import ContactAttempt, Event, Notification
from tests.conftest import T0, Cli, add_operator, seed_account, snapshot
from tests.test_import_common import seed_accounts, write

FOUND = "2026-03-02T08:00:00Z"


def ok(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return str(result.stdout)


def refused(result, code: int, *words: str) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == "" and "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr
    return str(result.stderr)


def detect(cli: Cli, seller: str = "S1", at: str = FOUND) -> int:
    return int(ok(cli("case", "detect", seller, "--store", "US", "--policy", "reviews",
                      "--at", at, "--summary", "review manipulation")))


def show(cli: Cli, case_id: int) -> dict:  # type: ignore[type-arg]
    return json.loads(ok(cli("case", "show", str(case_id), "--json")))  # type: ignore[no-any-return]


def notices(engine: Engine) -> list[str]:
    with transaction(engine) as session:
        rows = session.execute(select(Notification).order_by(Notification.id))  # type: ignore[arg-type]
        return [n.kind for n in rows.scalars()]


def test_a_detected_case_has_a_first_contact_target_and_no_72_hour_clock(
    cli: Cli, engine: Engine
) -> None:
    seed_account(engine, "S1")
    case_id = detect(cli)
    case = show(cli, case_id)
    assert case["status"] == "detected"
    assert (case["detected_at"], case["contact_due"]) == (FOUND, "2026-03-03T08:00:00Z")
    assert case["contacted_at"] is None and case["deadline"] is None
    # in `case show` the attempts are listed (DESIGN section 5); `cases` gives their count
    assert (case["reached_at"], case["attempts"]) == (None, [])
    assert [e["action"] for e in case["events"]][-1] == "detect"
    listed = json.loads(ok(cli("cases", "--json")))
    assert [c["id"] for c in listed] == [case_id] and listed[0]["attempts"] == 0
    assert notices(engine) == []  # nobody has spoken to the seller yet


def test_the_first_attempt_starts_the_72_hours_and_follow_ups_are_logged(
    cli: Cli, engine: Engine
) -> None:
    seed_account(engine, "S1")
    case_id = detect(cli)
    first = json.loads(ok(cli("case", "attempt", str(case_id), "--channel", "phone",
                              "--outcome", "no_answer", "--at", "2026-03-02T09:30:00Z",
                              "--note", "rang out", "--json")))
    assert first["status"] == "open"
    assert first["contacted_at"] == "2026-03-02T09:30:00Z"
    assert first["deadline"] == "2026-03-05T09:30:00Z"
    line = ok(cli("case", "attempt", str(case_id), "--channel", "phone", "--outcome", "voicemail",
                  "--at", "2026-03-02T10:00:00Z"))
    assert line.strip() == (f"case {case_id}: open, attempt 2 (phone, voicemail); deadline "
                            "2026-03-05T09:30:00Z")
    ok(cli("case", "attempt", str(case_id), "--channel", "phone", "--outcome", "reached",
           "--at", "2026-03-02T11:00:00Z", "--note", "spoke to the owner"))
    case = show(cli, case_id)
    assert case["contacted_at"] == "2026-03-02T09:30:00Z"  # follow-ups move no clock
    assert case["reached_at"] == "2026-03-02T11:00:00Z"
    assert [(a["channel"], a["outcome"], a["note"]) for a in case["attempts"]] == [
        ("phone", "no_answer", "rang out"), ("phone", "voicemail", None),
        ("phone", "reached", "spoke to the owner"),
    ]
    assert set(case["attempts"][0]) == {"id", "at", "channel", "outcome", "note", "actor"}
    moves = [(e["action"], e["from"], e["to"], e["note"]) for e in case["events"]
             if e["action"] == "attempt"]
    assert moves[0] == ("attempt", "detected", "open", "phone, no_answer: rang out")
    assert moves[1][1:3] == ("open", "open")
    # the no_answer asked the seller to call back; the voicemail the same UTC day did not again
    assert notices(engine) == ["contact_attempt"]
    assert ok(cli("audit", "verify"))


def test_a_first_attempt_that_reaches_the_seller_sends_the_case_opened_notice(
    cli: Cli, engine: Engine
) -> None:
    seed_account(engine, "S1")
    case_id = detect(cli)
    ok(cli("case", "attempt", str(case_id), "--channel", "phone", "--outcome", "reached",
           "--at", "2026-03-02T09:00:00Z"))
    assert notices(engine) == ["case_opened"]
    with transaction(engine) as session:
        body = session.execute(select(Notification.body)).scalar_one()
    assert "2026-03-05 09:00 UTC" in body


def test_the_sweep_leaves_a_detected_case_alone_however_late(
    cli: Cli, engine: Engine
) -> None:
    seed_account(engine, "S1")
    case_id = detect(cli)
    ok(cli("sweep", "--now", "2026-04-30T00:00:00Z"))
    case = show(cli, case_id)
    assert case["status"] == "detected" and case["deadline"] is None
    assert not {"case_expired", "deadline_warning"} & set(notices(engine))
    assert [e["action"] for e in case["events"]] == ["detect"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--channel", "pager", "--outcome", "reached"], ["'pager'", "phone", "chat"]),
        (["--channel", "phone", "--outcome", "busy"], ["'busy'", "no_answer", "bounced"]),
    ],
)
def test_an_unknown_channel_or_outcome_is_a_usage_error_naming_the_choices(
    cli: Cli, engine: Engine, args: list[str], words: list[str]
) -> None:
    seed_account(engine, "S1")
    case_id = detect(cli)
    before = snapshot(engine)
    result = cli("case", "attempt", str(case_id), *args)
    assert result.exit_code == 2
    for word in words:
        assert word in result.stderr
    assert snapshot(engine) == before


def test_an_attempt_before_the_detection_or_on_a_final_case_writes_nothing(
    cli: Cli, engine: Engine
) -> None:
    seed_account(engine, "S1")
    case_id = detect(cli)
    before = snapshot(engine)
    refused(cli("case", "attempt", str(case_id), "--channel", "phone", "--outcome", "reached",
                "--at", "2026-03-02T07:59:59Z"), 1, "cannot precede the detection")
    assert snapshot(engine) == before
    ok(cli("case", "resolve", str(case_id), "--note", "false positive"))
    before = snapshot(engine)
    line = refused(cli("case", "attempt", str(case_id), "--channel", "phone",
                       "--outcome", "reached"), 1, "resolved")
    assert len(line.strip().splitlines()) == 1
    assert snapshot(engine) == before


def test_a_detection_for_an_account_that_is_not_enrolled_writes_nothing(
    cli: Cli, engine: Engine
) -> None:
    seed_account(engine, "S2", enrollment="lapsed")
    before = snapshot(engine)
    line = refused(cli("case", "detect", "S2", "--store", "US", "--policy", "reviews"), 1,
                   "not enrolled", "standard enforcement applies")
    assert len(line.strip().splitlines()) == 1
    assert snapshot(engine) == before


def test_triage_may_log_attempts_and_someone_who_is_not_an_operator_may_not(
    db_url: str, engine: Engine, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ahr_tui.errors import PermissionDenied
    from ahr_tui.rules.contact import Channel, Outcome
    from ahr_tui.service.contact import record_attempt
    from ahr_tui.store.actor import Actor

    seed_account(engine, "S1")
    case_id = detect(cli)
    add_operator(engine, "tina", Role.TRIAGE)
    view = record_attempt(engine, case_id, channel=Channel.SMS, outcome=Outcome.LEFT_MESSAGE,
                          at=T0, note=None, actor=Actor("tina"), now=T0)
    assert view.attempts == 1
    before = snapshot(engine)
    with pytest.raises(PermissionDenied):
        record_attempt(engine, case_id, channel=Channel.SMS, outcome=Outcome.REACHED, at=T0,
                       note=None, actor=Actor("mallory"), now=T0)
    assert snapshot(engine) == before


def test_import_cases_with_a_detected_at_column(cli: Cli, engine: Engine, tmp_path: Path) -> None:
    seed_accounts(engine)
    path = write(tmp_path, "cases.csv", (
        "seller_id,store,policy,contacted_at,summary,detected_at\n"
        "S1,US,reviews,,found only,2026-03-01T09:00:00Z\n"
        "S1,CA,condition,2026-03-01T12:00:00Z,found then called,2026-03-01T10:00:00Z\n"
        "S1,US,other,2026-03-01T13:00:00Z,called at once,\n"
    ))
    ok(cli("import", "cases", str(path)))
    listed = {c["policy"]: c for c in json.loads(ok(cli("cases", "--json")))}
    assert listed["reviews"]["status"] == "detected"
    assert listed["reviews"]["contact_due"] == "2026-03-02T09:00:00Z"
    assert listed["condition"]["detected_at"] == "2026-03-01T10:00:00Z"
    assert listed["condition"]["deadline"] == "2026-03-04T12:00:00Z"
    assert listed["other"]["detected_at"] == listed["other"]["contacted_at"]
    again = ok(cli("import", "cases", str(path)))
    assert "0 new, 0 updated, 3 unchanged" in again


def test_import_cases_refuses_rows_without_any_time_or_detected_after_the_contact(
    cli: Cli, engine: Engine, tmp_path: Path
) -> None:
    seed_accounts(engine)
    path = write(tmp_path, "cases.csv", (
        "seller_id,store,policy,contacted_at,summary,detected_at\n"
        "S1,US,reviews,,nothing known,\n"
        "S1,US,other,2026-03-01T09:00:00Z,x,2026-03-01T10:00:00Z\n"
        "S2,US,other,,not enrolled,2026-03-01T10:00:00Z\n"
    ))
    before = snapshot(engine)
    result = cli("import", "cases", str(path))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert any(f"{path}:2: contacted_at:" in line and "detected_at" in line for line in lines)
    assert any(f"{path}:3: detected_at:" in line and "after contacted_at" in line
               for line in lines)
    assert any(f"{path}:4: seller_id:" in line and "not enrolled" in line for line in lines)
    assert snapshot(engine) == before


def test_attempts_are_stored_once_with_their_audit_event(cli: Cli, engine: Engine) -> None:
    seed_account(engine, "S1")
    case_id = detect(cli)
    ok(cli("case", "attempt", str(case_id), "--channel", "email", "--outcome", "bounced",
           "--at", "2026-03-02T09:00:00+01:00"))
    with transaction(engine) as session:
        [row] = session.execute(select(ContactAttempt)).scalars()
        events = session.execute(select(Event).where(Event.action == "attempt")).scalars()
        [event] = list(events)
    assert row.at == datetime(2026, 3, 2, 8, tzinfo=UTC) == event.at
    assert (row.channel, row.outcome, row.case_id) == ("email", "bounced", case_id)
    assert event.case_id == case_id and event.to_state == "open"
    assert row.at + timedelta(hours=72) == datetime(2026, 3, 5, 8, tzinfo=UTC)
