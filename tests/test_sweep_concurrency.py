"""Two sweeps at the same moment on one database queue each notification once."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from ahr_tui.rules import PolicyArea, last_complete_day
from ahr_tui.service.cases import open_case
from ahr_tui.service.sweep import sweep
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Notification
from tests.conftest import seed_account


def test_concurrent_sweeps_queue_one_deadline_warning_per_case(engine, clock, me):
    for i in range(5):
        seed_account(engine, f"S{i}")
        open_case(
            engine, seller_id=f"S{i}", store="US", policy=PolicyArea.REVIEWS,
            at=clock() - timedelta(hours=60), summary="", actor=me, now=clock(),
        )
    now = clock()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            sweep(engine, now=now, as_of=last_complete_day(now), actor=me)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with transaction(engine) as session:
        warnings = session.execute(
            select(Notification.case_id, func.count())
            .where(Notification.kind == "deadline_warning")
            .group_by(Notification.case_id)
        ).all()
    assert sorted(case_id for case_id, _ in warnings) == [1, 2, 3, 4, 5]
    assert all(count == 1 for _, count in warnings)
