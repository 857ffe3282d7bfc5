"""The sweep's deadline warning: once per open case with at most 24 hours left, never otherwise."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine

from ahr_tui.rules import CaseAction, NotificationKind, PolicyArea, last_complete_day
from ahr_tui.service.cases import act, open_case
from ahr_tui.service.sweep import sweep
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Notification
from tests.conftest import T0, seed_account

WARNING = NotificationKind.DEADLINE_WARNING.value


def run_sweep(engine: Engine, me: Actor, now: datetime) -> list[int]:
    return sweep(engine, now=now, as_of=last_complete_day(now), actor=me).warned


def warnings(engine: Engine) -> list[Notification]:
    with transaction(engine) as session:
        query = select(Notification).where(Notification.kind == WARNING).order_by(Notification.id)  # type: ignore[arg-type]
        return list(session.execute(query).scalars())


def open_at(engine: Engine, me: Actor, seller_id: str, at: datetime) -> int:
    seed_account(
        engine, seller_id, name=f"Seller {seller_id}", email=f"{seller_id.lower()}@example.com"
    )
    case = open_case(
        engine,
        seller_id=seller_id,
        store="US",
        policy=PolicyArea.REVIEWS,
        at=at,
        summary="",
        actor=me,
        now=at,
    )
    return case.id


def test_no_warning_while_more_than_24_hours_remain(engine: Engine, me: Actor) -> None:
    open_at(engine, me, "S1", T0)

    assert run_sweep(engine, me, T0 + timedelta(hours=47, minutes=59)) == []
    assert warnings(engine) == []


def test_one_warning_when_24_hours_or_less_remain_and_never_a_second(
    engine: Engine, me: Actor
) -> None:
    case_id = open_at(engine, me, "S1", T0)

    assert run_sweep(engine, me, T0 + timedelta(hours=48)) == [case_id]  # exactly 24 h left
    assert run_sweep(engine, me, T0 + timedelta(hours=48)) == []
    assert run_sweep(engine, me, T0 + timedelta(hours=70)) == []

    [note] = warnings(engine)
    assert (note.case_id, note.state, note.to_addr) == (case_id, "pending", "s1@example.com")
    assert note.created_at == T0 + timedelta(hours=48)
    assert note.next_attempt_at == note.created_at
    assert note.subject == f"Less than 24 hours left: case {case_id} (reviews, US)"
    assert note.body == (
        "Hello Seller S1,\n"
        "\n"
        f"We have not yet heard from you about case {case_id} on your selling account S1 in the\n"
        "United States store (policy area: reviews).\n"
        "The 72-hour window ends at 2026-03-05 12:00 UTC.\n"
        "Please work with us before then to keep your account protected.\n"
    )


def test_no_warning_once_the_seller_has_responded(engine: Engine, me: Actor) -> None:
    case_id = open_at(engine, me, "S1", T0)
    act(
        engine,
        case_id,
        CaseAction.RESPOND,
        at=T0 + timedelta(hours=30),
        text=None,
        actor=me,
        now=T0 + timedelta(hours=30),
    )

    assert run_sweep(engine, me, T0 + timedelta(hours=60)) == []
    assert warnings(engine) == []


def test_an_overdue_case_expires_instead_of_being_warned(engine: Engine, me: Actor) -> None:
    case_id = open_at(engine, me, "S1", T0)

    report = sweep(engine, now=T0 + timedelta(hours=73), as_of=T0.date(), actor=me)

    assert (report.expired, report.warned) == ([case_id], [])
    assert warnings(engine) == []


def test_each_case_gets_its_own_warning(engine: Engine, me: Actor) -> None:
    first = open_at(engine, me, "S1", T0)
    second = open_at(engine, me, "S2", T0 + timedelta(hours=10))

    assert run_sweep(engine, me, T0 + timedelta(hours=50)) == [first]
    assert run_sweep(engine, me, T0 + timedelta(hours=58)) == [second]
    assert [n.case_id for n in warnings(engine)] == [first, second]
