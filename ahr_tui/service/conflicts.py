"""The sentence for a stale case version: what changed since the version the caller saw, once.

``service.cases`` raises it when ``--expect-version`` (or the version a TUI dialog was opened on)
no longer matches; the CLI prints it (exit 3) and the TUI's dialog shows it. A version the case
never had is the caller's mistake, not someone else's change: ``InvalidInput`` (exit 1).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from ahr_tui.errors import AhrError, Conflict, InvalidInput
from ahr_tui.store.models import Event
from ahr_tui.wording import count, instant


def case_conflict(session: Session, case_id: int, seen: int, current: int | None) -> AhrError:
    """``Conflict`` naming the latest change to the case since version ``seen``, or
    ``InvalidInput`` when ``seen`` is a version the case has never been at."""
    if current is not None and not 1 <= seen <= current:
        return InvalidInput(
            f"case {case_id} has never been at version {seen} (it is at version {current}); "
            "nothing was written."
        )
    last = session.execute(
        select(Event)
        .where(Event.case_id == case_id, Event.action != "note")  # notes leave the version alone
        .order_by(col(Event.id).desc())
        .limit(1)
    ).scalar()
    what = ""
    if last is not None and current is not None:
        change = f" ({last.from_state or '-'} -> {last.to_state or '-'})" if last.to_state else ""
        latest = f"{last.actor}'s {last.action} at {instant(last.at)}{change}"
        changes = current - seen
        what = f": {latest}" if changes == 1 else f": {count(changes, 'change')}, the last {latest}"
    return Conflict(
        f"case {case_id} was changed by someone else (you saw version {seen}, it is now "
        f"{current}){what}; nothing was written."
    )
