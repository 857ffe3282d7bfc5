"""Two sweeps at the same moment on one database queue each notification once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select

from ahr_tui.rules import PolicyArea, last_complete_day
from ahr_tui.service.cases import open_case
from ahr_tui.service.sweep import sweep
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Notification
from tests.conftest import seed_account


def race(*jobs: Callable[[], object]) -> list[BaseException]:
    """Start ``jobs`` at the same moment, each in its own thread; what they raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        barrier.wait()
        try:
            job()
        except BaseException as exc:  # returned to the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


def test_concurrent_sweeps_queue_one_deadline_warning_per_case(engine, clock, me):
    for i in range(5):
        seed_account(engine, f"S{i}")
        open_case(
            engine, seller_id=f"S{i}", store="US", policy=PolicyArea.REVIEWS,
            at=clock() - timedelta(hours=60), summary="", actor=me, now=clock(),
        )
    now = clock()

    def run() -> None:
        sweep(engine, now=now, as_of=last_complete_day(now), actor=me)

    assert race(run, run) == []
    with transaction(engine) as session:
        warnings = session.execute(
            select(Notification.case_id, func.count())
            .where(Notification.kind == "deadline_warning")
            .group_by(Notification.case_id)
        ).all()
    assert sorted(case_id for case_id, _ in warnings) == [1, 2, 3, 4, 5]
    assert all(count == 1 for _, count in warnings)


def test_imports_racing_sweeps_leave_the_window_counters_equal_to_the_scores(
    engine, clock, me, tmp_path
):
    from ahr_tui.rules import DEFAULT_POLICY
    from ahr_tui.service.imports import import_scores
    from ahr_tui.store import window
    from ahr_tui.store.queries import window_counts

    now = clock()
    as_of = last_complete_day(now)
    for i in range(3):
        seed_account(engine, f"S{i}", scores={as_of - timedelta(days=d): 300 for d in range(180)})
    sweep(engine, now=now, as_of=as_of, actor=me)  # the counters now hold as_of
    for round_no, score in enumerate((100, 700, 249)):
        csv = tmp_path / f"scores{round_no}.csv"
        csv.write_text("seller_id,store,date,score\n" + "".join(
            f"S{i},US,{as_of - timedelta(days=d)},{score}\n" for i in range(3) for d in range(5)
        ))
        assert race(lambda: sweep(engine, now=now, as_of=as_of, actor=me),
                    lambda c=csv: import_scores(engine, c, actor=me, now=now)) == []
        with transaction(engine) as session:
            truth = window_counts(session, as_of, DEFAULT_POLICY)
            assert window.counts_at(session, as_of, DEFAULT_POLICY) == truth
        assert truth[1] == (180, 175 if score < 250 else 180)
