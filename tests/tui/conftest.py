"""TUI fixtures: deterministic cases at fixed instants, a fixed operator, an app factory.

Ticks and polls are set an hour apart so that tests drive them by hand (``app.tick()``,
``app.poll()``) after moving the FakeClock; nothing sleeps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget

from ahr_tui.rules import CaseAction, PolicyArea, Role
from ahr_tui.service.cases import act, open_case
from ahr_tui.service.sweep import expire_due
from ahr_tui.store.actor import Actor
from ahr_tui.tui.app import AhrApp
from tests.conftest import T0, FakeClock, add_operator, seed_account

#: The operator the TUI runs as in these tests (fixed, so snapshots do not depend on the OS user).
ALICE = Actor(name="alice")


@dataclass(frozen=True)
class Seeded:
    """Case ids by what they show at T0."""

    crit: int  # 30m left
    urgent: int  # 2h left
    warn: int  # 22h left
    ok: int  # 2d 14h left
    responded: int  # responded with 2d 19h to spare
    expired: int  # 8h past its deadline, expired


SELLERS = (
    ("S1", "US", "Acme Goods"),
    ("S2", "CA", "Bright Lamps"),
    ("S3", "US", "Cedar Books"),
    ("S4", "US", "Delta Tools"),
    ("S5", "CA", "Echo Farms"),
    ("S6", "US", "Fable & Co"),
)


def seed_cases(engine: Engine, clock: FakeClock) -> Seeded:
    add_operator(engine, "alice", Role.LEAD)
    add_operator(engine, "tom", Role.TRIAGE)
    for seller_id, store, name in SELLERS:
        seed_account(engine, seller_id, store, name=name)

    def open_at(seller: int, hours_ago: float, policy: PolicyArea) -> int:
        seller_id, store, _name = SELLERS[seller]
        view = open_case(
            engine, seller_id=seller_id, store=store, policy=policy,
            at=T0 - timedelta(hours=hours_ago), summary=f"case for {seller_id}",
            actor=ALICE, now=clock(),
        )
        return view.id

    expired = open_at(5, 80, PolicyArea.AUTHENTICITY)
    crit = open_at(0, 71.5, PolicyArea.REVIEWS)
    urgent = open_at(1, 70, PolicyArea.PRODUCT_SAFETY)
    warn = open_at(2, 50, PolicyArea.LISTING_POLICY)
    responded = open_at(4, 20, PolicyArea.CONDITION)
    ok = open_at(3, 10, PolicyArea.IP_COMPLAINT)
    act(engine, responded, CaseAction.RESPOND, at=T0 - timedelta(hours=15), text="called back",
        actor=ALICE, now=clock())
    expire_due(engine, now=clock(), actor=ALICE)
    return Seeded(crit, urgent, warn, ok, responded, expired)


@pytest.fixture
def seeded(engine: Engine, clock: FakeClock) -> Seeded:
    return seed_cases(engine, clock)


AppFactory = Callable[..., AhrApp]


@pytest.fixture
def make_app(engine: Engine, clock: FakeClock) -> AppFactory:
    def factory(actor: Actor = ALICE, **kwargs: object) -> AhrApp:
        return AhrApp(
            engine=engine, clock=clock, actor=actor, db_label="test.db",
            tick=3600, poll=3600, **kwargs,
        )

    return factory


async def settle(app: AhrApp, pilot: Pilot[None]) -> None:
    """Let every worker finish and every message it posted be handled (loads chain reloads)."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def open_accounts(app: AhrApp, pilot: Pilot[None]) -> None:
    """From a just-started app: let the Cases view load, ``tab`` to the Accounts view, and let
    it load too."""
    await settle(app, pilot)
    await pilot.press("tab")
    await settle(app, pilot)


class Notes:
    """Records ``app.notify`` calls (toasts are not rendered by ``run_test``)."""

    def __init__(self, app: AhrApp) -> None:
        self.calls: list[tuple[str, dict[str, object]]] = []
        original = app.notify

        def record(message: str, **kwargs: object) -> None:
            self.calls.append((message, kwargs))
            original(message, **kwargs)  # type: ignore[arg-type]

        app.notify = record  # type: ignore[method-assign]

    @property
    def messages(self) -> list[str]:
        return [message for message, _ in self.calls]

    def all_plain(self) -> bool:
        return all(kwargs.get("markup") is False for _, kwargs in self.calls)


class Refreshes:
    """Records every ``refresh()`` of a widget from now on: ``calls`` holds each call's regions
    (``()`` for the whole widget), ``regions`` all regions of all calls in order."""

    def __init__(self, widget: Widget) -> None:
        self.calls: list[tuple[Region, ...]] = []
        original = widget.refresh

        def spy(*regions: Region, **kwargs: object) -> object:
            self.calls.append(regions)
            return original(*regions, **kwargs)  # type: ignore[arg-type]

        widget.refresh = spy  # type: ignore[method-assign,assignment]

    @property
    def regions(self) -> list[Region]:
        return [region for call in self.calls for region in call]

    def clear(self) -> None:
        self.calls.clear()
