"""Where one enrolment change goes: a sweep that enrols every account, its batch writers timed.

DESIGN.md section 7: one enrolment change in a sweep (the account row, its audit event, its
notification) costs at most 20 µs. ``bench_scale.py`` measures it from outside, as (a sweep
that enrols every account - a repeat sweep) / changes. This script does the same in one process
on a database given to it **in place** (pass a copy: it is changed), and also times each of the
three batch writers and the building of their rows (``store.bulk.move_enrollments``,
``store.audit.EventBatches.build`` and ``.insert``, ``service.outbox.seller_rows`` and
``.insert_seller_rows``): wall and CPU per change, and the write-ahead log's size after
the sweep (the bytes the changes wrote; the checkpoint writes them again).

The process collects garbage as an ``ahr`` command does (``cli.entry.COMMAND_GC``): at the
interpreter's default thresholds the collector alone added 7-15 µs a change here.

Every account but the revoked ones is reset to ``not_enrolled`` first; the sweep runs at the
database's ``reference_instant`` (``ahr sample``), so on a file whose window counters are
current (any earlier sweep of that day) it is the enrolment alone.

    cp bench/out/scale-200000.db bench/out/run.db   # then, once, a sweep of its day
    .venv/bin/python bench/bench_enrolment.py bench/out/run.db
"""

from __future__ import annotations

import argparse
import gc
import getpass
import os
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

TIMES: dict[str, list[float]] = {}


def timing(module: Any, name: str, label: str) -> None:
    """Replace ``module.name`` with a wrapper adding its wall and thread CPU time to TIMES."""
    inner: Callable[..., Any] = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        cpu, wall = time.thread_time(), time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            spent = TIMES.setdefault(label, [0.0, 0.0])
            spent[0] += time.perf_counter() - wall
            spent[1] += time.thread_time() - cpu

    setattr(module, name, wrapper)


def reset(db: Path) -> datetime:
    """Every account not revoked back to ``not_enrolled``; the reference instant."""
    with sqlite3.connect(db) as conn:
        (value,) = conn.execute(
            "SELECT value FROM meta WHERE key = 'reference_instant'").fetchone()
        conn.execute("UPDATE account SET enrollment = 'not_enrolled', "
                     "enrollment_changed_at = NULL WHERE enrollment <> 'revoked'")
    conn.close()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("db", type=Path, help="an ahr SQLite file, changed in place")
    db = parser.parse_args().db
    from ahr_tui.cli.entry import COMMAND_GC

    gc.set_threshold(*COMMAND_GC)
    now = reset(db)
    from ahr_tui.rules import last_complete_day
    from ahr_tui.service import outbox
    from ahr_tui.service.database import open_database
    from ahr_tui.service.sweep import sweep
    from ahr_tui.store import audit, bulk
    from ahr_tui.store.actor import Actor

    timing(bulk, "move_enrollments", "account UPDATE")
    timing(audit.EventBatches, "build", "event rows (their hashes)")
    timing(audit.EventBatches, "insert", "event INSERT")
    timing(outbox, "seller_rows", "notification rows (subjects)")
    timing(outbox, "insert_seller_rows", "notification INSERT")
    engine, actor = open_database(str(db)), Actor(name=getpass.getuser())
    as_of = last_complete_day(now)
    print(f"load {os.getloadavg()[0]:.2f}; {db}")
    runs = []
    for _ in range(2):  # the enrolling sweep, then a repeat that changes nothing
        cpu, wall = time.process_time(), time.perf_counter()
        report = sweep(engine, now=now, as_of=as_of, actor=actor)
        runs.append((time.perf_counter() - wall, time.process_time() - cpu, report))
    (wall, cpu, report), (wall2, cpu2, _) = runs
    n = max(1, sum(report.enrollment_changes.values()))
    print(f"enrolling sweep {wall:.2f} s wall, {cpu:.2f} s CPU; {n:,} changes; "
          f"repeat {wall2:.2f} s, {cpu2:.2f} s CPU")
    print(f"one enrolment change: {(wall - wall2) / n * 1e6:.1f} us wall, "
          f"{(cpu - cpu2) / n * 1e6:.1f} us CPU  (target <= 20 us)")
    for label, (w, c) in TIMES.items():
        print(f"  {label:30s} {w / n * 1e6:6.1f} us wall {c / n * 1e6:6.1f} us CPU per change")
    wal = Path(f"{db}-wal")
    size = wal.stat().st_size / 1e6 if wal.exists() else 0.0
    print(f"write-ahead log after both sweeps: {size:.1f} MB; load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
