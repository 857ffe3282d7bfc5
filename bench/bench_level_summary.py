"""The Cases view header's level counts over many running clocks, a simulated minute of ticks.

``tui.widgets.case_table.LevelSummary`` is asked once a second. Levels change at known instants
(24 h, 6 h and 1 h before a case's due moment, and just after it); with ``--cases`` running
clocks spread over the 72-hour window, some case changes level about every second. The baseline,
measured in the same run, is a full pass over every case (``LevelSummary(cases).at(now)``: what
each such second cost before the summary was brought forward case by case). Printed: CPU per
simulated minute of once-a-second ticks, and its ratio to the baseline's minute; the first
pass (the summary made anew: a list swapped in) against one baseline pass.

    .venv/bin/python bench/bench_level_summary.py --cases 120000
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import UTC, datetime, timedelta


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=120_000)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    from ahr_tui.rules import CaseStatus
    from ahr_tui.service.case_view import CaseView
    from ahr_tui.tui.widgets.case_table import LevelSummary

    t0 = datetime(2026, 3, 2, 12, tzinfo=UTC)
    rng = random.Random(7)
    cases = []
    for number in range(1, args.cases + 1):
        deadline = t0 + timedelta(seconds=rng.uniform(-3600, 72 * 3600))
        contacted = deadline - timedelta(hours=72)
        cases.append(CaseView(
            id=number, account_id=number, seller_id=f"S{number}", store="US", name="n",
            policy="reviews", summary="", status=CaseStatus.OPEN, detected_at=contacted,
            contact_due=contacted + timedelta(hours=24), contacted_at=contacted,
            deadline=deadline, reached_at=None, attempts=0, responded_at=None, assignee=None,
            closed_at=None, outcome_note=None, version=1, enrollment="enrolled",
            account_status="active"))
    print(f"load {os.getloadavg()[0]:.2f}; {args.cases:,} open cases, "
          f"{args.seconds} ticks a second apart")
    cpu = time.process_time()
    for second in range(args.seconds):
        LevelSummary(cases).at(t0 + timedelta(seconds=second))
    full = time.process_time() - cpu
    summary = LevelSummary(cases)
    cpu = time.process_time()
    summary.at(t0)
    first = time.process_time() - cpu
    cpu = time.process_time()
    for second in range(1, args.seconds + 1):
        summary.at(t0 + timedelta(seconds=second))
    ticks = time.process_time() - cpu
    print(f"baseline, a full pass each tick: {full:.3f} CPU s a minute "
          f"({full / args.seconds:.3f} s a pass)")
    print(f"the first pass: {first:.3f} CPU s = {first / (full / args.seconds):.2f}x a baseline "
          f"pass; then {args.seconds} ticks brought forward: {ticks * 1e3:.2f} CPU ms = "
          f"{ticks / full:.4f}x the baseline")


if __name__ == "__main__":
    main()
