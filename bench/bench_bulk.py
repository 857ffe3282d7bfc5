"""Mark 1,000 cases in the app and assign them all (issue 15: at most 5 s).

On a copy of the large database's live copy (``bench_tui.py`` makes and reuses it; 8,000 active
cases), ``ahr tui`` runs in a pseudo-terminal at 120x40 as an operator (the live copy makes the
OS user a lead). Once the first frame is on screen and the app is idle, 1,000 spaces are written
at once (space marks the row and moves down), then ``a`` and ``enter`` confirm the assignment.
The figure runs from the first space until the app says how many it assigned; it is split into
marking (until the header says ``1000 marked``) and assigning. The baseline, in the same run, is
the same 1,000 assignments made by the service alone (``service.bulk.assign_each``) on a second
copy: the ratio is what the app adds to the database work. Exits 1 when the target is missed.

    .venv/bin/python bench/bench_bulk.py [--cases 1000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_tui import AHR, OUT, ensure_db, live_copy, settle
from pty_harness import PtyProgram

TARGET_S = 5.0
DAY = 86_400.0


def fresh_copy(source: Path, name: str) -> Path:
    target = OUT / name
    for old in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        old.unlink(missing_ok=True)
    with sqlite3.connect(source) as conn:  # fold any -wal into the file first
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(source, target)
    return target


def first_cases(db: Path, n: int) -> list[tuple[int, int]]:
    """The first ``n`` active cases in the list order the app opens with (soonest first)."""
    from ahr_tui.service.case_list import SortKey, sort_cases
    from ahr_tui.service.database import open_database, read
    from ahr_tui.service.views import list_cases

    cases = sort_cases(read(open_database(str(db)), list_cases), SortKey.URGENCY)
    return [(c.id, c.version) for c in cases[:n]]


def service_alone(db: Path, n: int) -> float:
    from ahr_tui.service.bulk import assign_each
    from ahr_tui.service.database import open_database
    from ahr_tui.service.identity import current_actor

    targets = first_cases(db, n)
    started, cpu = time.perf_counter(), time.process_time()
    result = assign_each(open_database(str(db)), targets, to=None, actor=current_actor(),
                         now=datetime.now(UTC))
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert len(result.done) == n, result.failed[:3]
    print(f"  the service alone: {took:.2f} s wall, {cpu:.2f} s CPU", flush=True)
    return took


def in_the_app(db: Path, n: int) -> tuple[float, float]:
    """(seconds to mark ``n`` rows, seconds from then until the assignment is reported); the
    app's CPU seconds for each are printed."""
    prog = PtyProgram([*AHR, "--db", str(db), "tui"]).start()
    try:
        if prog.wait_for(lambda out: b"next " in out, 60) is None:
            raise SystemExit("the app never showed its list")
        settle(prog)
        start, cpu0 = time.perf_counter() - prog.started, prog.cpu_seconds()
        os.write(prog.fd, b" " * n)
        marked = prog.wait_for(lambda out: f"{n} marked".encode() in out, 120)
        if marked is None:
            raise SystemExit(f"the header never said {n} marked")
        cpu1 = prog.cpu_seconds()
        os.write(prog.fd, b"a")
        if prog.wait_for(lambda out: f"Assign {n} marked".encode() in out, 30) is None:
            raise SystemExit("the assign dialog never opened")
        os.write(prog.fd, b"\r")
        done = prog.wait_for(lambda out: f"assigned {n} of {n}".encode() in out, 300)
        if done is None:
            raise SystemExit("the app never reported the assignment")
        print(f"  the app's CPU: marking {cpu1 - cpu0:.2f} s, assigning "
              f"{prog.cpu_seconds() - cpu1:.2f} s (up to a second after the report)", flush=True)
        return marked - start, done - marked
    finally:
        prog.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--large", type=Path, default=OUT / "large.db")
    args = parser.parse_args()
    large = ensure_db(args.large, "--accounts", "50000", "--days", "200", "--open-cases", "5000")
    live = live_copy(large, reuse_within=DAY)
    base = service_alone(fresh_copy(live, "bulk-service.db"), args.cases)
    marking, assigning = in_the_app(fresh_copy(live, "bulk-app.db"), args.cases)
    total = marking + assigning
    print(f"load {os.getloadavg()[0]:.1f}; {live.name}, {args.cases} cases")
    print(f"baseline, the service alone: {base:.2f} s ({base / args.cases * 1000:.1f} ms a case)")
    print(f"in the app: mark {marking:.2f} s + assign {assigning:.2f} s = {total:.2f} s "
          f"= {total / base:.2f}x baseline; target <= {TARGET_S:.0f} s: "
          f"{'met' if total <= TARGET_S else 'MISSED'}")
    return 0 if total <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
