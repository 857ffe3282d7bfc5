"""Escalation to operators (DESIGN.md section 4): decided by rules.escalation, queued by the
sweep through the outbox with recipient operator, delivered by ``ahr notify send``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from ahr_tui.rules import NotificationKind
from ahr_tui.rules.escalation import Escalation, escalation, recipients
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Case, Notification
from tests.conftest import T0, Cli, FakeClock, seed_account
from tests.test_cli_foundation import ok
from tests.test_notify_smtp import Server
from tests.test_notify_smtp import serve as serve  # the aiosmtpd fixture, shared

H = timedelta(hours=1)
URGENT = NotificationKind.ESCALATION_URGENT
CRITICAL = NotificationKind.ESCALATION_CRITICAL
CONTACT = NotificationKind.ESCALATION_CONTACT_OVERDUE


@pytest.mark.parametrize(
    ("status", "left", "assignee", "expected"),
    [
        ("open", 7 * H, None, None),
        ("open", 6 * H, None, Escalation(URGENT, to_assignee=False)),
        ("open", 6 * H, "ana", None),
        ("open", 1 * H, "ana", Escalation(CRITICAL, to_assignee=True)),
        ("open", 1 * H, None, Escalation(CRITICAL, to_assignee=True)),
        ("open", -H, None, None),  # expires; awaits a decision instead
        ("detected", 5 * H, None, Escalation(URGENT, to_assignee=False)),
        ("detected", -H, "ana", Escalation(CONTACT, to_assignee=False)),
        ("responded", H / 2, None, None),
        ("expired", -H, None, None),
    ],
)
def test_the_level_a_case_is_at_decides_its_escalation(
    status: str, left: timedelta, assignee: str | None, expected: Escalation | None
) -> None:
    assert escalation(status, T0 + left, assignee, T0) == expected


def test_the_assignee_is_told_once_even_when_a_lead() -> None:
    critical = Escalation(CRITICAL, to_assignee=True)
    assert recipients(critical, "ana", ["lea", "max"]) == ["ana", "lea", "max"]
    assert recipients(critical, "lea", ["lea", "max"]) == ["lea", "max"]
    assert recipients(Escalation(URGENT, False), "ana", ["lea"]) == ["lea"]


def _case(engine: Engine, account: int, status: str, due: datetime, assignee: str | None) -> int:
    with transaction(engine, write=True) as session:
        if status == "detected":
            case = Case(account_id=account, policy="reviews", status=status,
                        detected_at=due - 24 * H, contact_due=due, assignee=assignee)
        else:
            case = Case(account_id=account, policy="reviews", status=status,
                        detected_at=due - 72 * H, contact_due=due - 48 * H,
                        contacted_at=due - 72 * H, deadline=due, assignee=assignee)
        session.add(case)
        session.flush()
        assert case.id is not None
        return case.id


def _escalations(engine: Engine) -> list[tuple[int | None, str, str | None, str | None, str]]:
    with transaction(engine) as session:
        rows = session.execute(
            select(Notification).where(Notification.recipient == "operator")
            .order_by(Notification.id)
        ).scalars()
        return [(n.case_id, n.kind, n.operator, n.to_addr, n.state) for n in rows]


@pytest.fixture
def staff(engine: Engine, cli: Cli, me) -> None:  # type: ignore[no-untyped-def]
    ok(cli("operator", "add", "ana", "--role", "triage", "--email", "ana@ops.example.com"))
    ok(cli("operator", "add", "lea", "--role", "lead", "--email", "lea@ops.example.com"))


#: These accounts have no scores: their enrolment is evaluated anyway (they lapse), as it was
#: before a sweep held it for a day nobody was scored on; escalations do not depend on it.
ANY_DAY = ("--allow-missing-scores",)


def test_the_sweep_queues_each_escalation_once_per_case_and_level(
    engine: Engine, cli: Cli, clock: FakeClock, staff: None, me  # type: ignore[no-untyped-def]
) -> None:
    account = seed_account(engine)
    urgent = _case(engine, account, "open", T0 + 5 * H, None)
    assigned = _case(engine, account, "open", T0 + 5 * H, "ana")
    late = _case(engine, account, "detected", T0 - H, None)
    ok(cli("sweep", *ANY_DAY))
    leads = sorted([("lea", "lea@ops.example.com", "pending"), (me.name, None, "undeliverable")])
    assert _escalations(engine) == [
        *((urgent, URGENT.value, *lead) for lead in leads),
        *((late, CONTACT.value, *lead) for lead in leads),
    ]
    first = _escalations(engine)
    ok(cli("sweep", *ANY_DAY))
    assert _escalations(engine) == first  # never twice for the same case and level
    clock.advance(hours=4, minutes=30)  # both open cases are critical now
    ok(cli("sweep", *ANY_DAY))
    critical = [e for e in _escalations(engine) if e[1] == CRITICAL.value]
    assert {(e[0], e[2]) for e in critical} == {
        (urgent, "lea"), (urgent, me.name), (assigned, "ana"), (assigned, "lea"),
        (assigned, me.name),
    }
    ok(cli("sweep", *ANY_DAY))
    assert len(_escalations(engine)) == len(first) + len(critical)


def test_an_operator_without_email_is_listed_not_failed_and_the_rest_are_sent(
    engine: Engine, cli: Cli, clock: FakeClock, staff: None, me,  # type: ignore[no-untyped-def]
    serve: Callable[..., Server],
) -> None:
    account = seed_account(engine)
    _case(engine, account, "open", T0 + H / 2, "ana")
    ok(cli("sweep", *ANY_DAY))
    listed = [n for n in json.loads(ok(cli("notify", "list", "--json")))
              if n["recipient"] == "operator"]
    assert {(n["operator"], n["state"]) for n in listed} == {
        ("ana", "pending"), ("lea", "pending"), (me.name, "undeliverable"),
    }
    silent = next(n for n in listed if n["operator"] == me.name)
    assert silent["last_error"] == f"operator {me.name} has no email address"
    assert f"{me.name}: -" in ok(cli("notify", "list"))
    server = serve()
    sent = ok(cli("notify", "send", "--smtp", f"127.0.0.1:{server.port}",
                  "--from", "ahr@ops.example.com"))
    assert sent.endswith("failed 0, undeliverable 0\n")  # the listed one is not tried again
    to_operators = sorted(
        str(r.message["To"]) for r in server.received if "[ahr]" in r.message["Subject"]
    )
    assert to_operators == ["ana <ana@ops.example.com>", "lea <lea@ops.example.com>"]
    after = {n["operator"]: n["state"] for n in json.loads(ok(cli("notify", "list", "--json")))}
    assert after == {None: "sent", "ana": "sent", "lea": "sent", me.name: "undeliverable"}
