"""Automatic transitions read as automatic in the audit log (DESIGN.md section 4).

The sweep's expiries and enrolment changes, and the expiry an open TUI applies, are recorded under
the OS user whose process applied them, with a note that starts ``automatic: ``.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ahr_tui.rules import last_complete_day
from ahr_tui.rules.automatic import DEADLINE_PASSED, is_automatic
from ahr_tui.service.identity import os_user_name
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Event
from tests.conftest import T0, full_window, seed_account

AS_OF = last_complete_day(T0)


def _events(engine, action):  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        rows = session.execute(select(Event).where(Event.action == action).order_by(Event.id))
        return [(e.actor, e.note) for e in rows.scalars()]


def test_ahr_sweep_records_its_expiries_and_enrolment_changes_as_automatic(cli, engine):
    seed_account(engine, scores=full_window(AS_OF))
    seed_account(engine, "S2", enrollment="not_enrolled", scores=full_window(AS_OF))
    contacted = (T0 - timedelta(hours=73)).strftime("%Y-%m-%dT%H:%M:%SZ")
    opened = cli("case", "open", "S1", "--store", "US", "--policy", "other", "--at", contacted)
    assert opened.exit_code == 0, opened.stderr
    swept = cli("sweep", "--now", "2026-03-02T12:00:00Z")
    assert swept.exit_code == 0, swept.stderr
    me = os_user_name()
    assert _events(engine, "expire") == [(me, "automatic: deadline passed")]
    assert _events(engine, "enrollment") == [
        (me, f"automatic: as of {AS_OF.isoformat()}: all criteria met")
    ]
    # ...and a person's action never carries the mark
    [(_, note)] = _events(engine, "open")
    assert not is_automatic(note)


def test_the_mark_is_the_documented_note() -> None:
    assert DEADLINE_PASSED == "automatic: deadline passed"
    assert is_automatic(DEADLINE_PASSED) and not is_automatic(None)
    assert not is_automatic("called the seller; automatic: no")
