"""Snapshots of the Cases view with a fixed clock and fixed data, narrow and wide."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot

from tests.tui.conftest import AppFactory, Seeded, settle


def test_cases_view_80x24(
    snap_compare: Callable[..., bool], make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()

    async def before(pilot: Pilot[None]) -> None:
        await settle(app, pilot)
        await pilot.press("j")

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)


def test_cases_view_160x50(
    snap_compare: Callable[..., bool], make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()

    async def before(pilot: Pilot[None]) -> None:
        await settle(app, pilot)
        await pilot.press("j", "j")

    assert snap_compare(app, terminal_size=(160, 50), run_before=before)


def test_help_80x24(
    snap_compare: Callable[..., bool], make_app: AppFactory, seeded: Seeded
) -> None:
    app = make_app()

    async def before(pilot: Pilot[None]) -> None:
        await settle(app, pilot)
        await pilot.press("question_mark")

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)
