"""Time ``ahr forecast --hours 72`` and ``ahr handover`` on the large database (issue 16: at
most 1 s each).

The large database (50,000 accounts x 200 days, 5,000 open cases) is the one ``bench_tui.py``
generates into ``bench/out/large.db`` and reuses; its operators have working hours in five
zones (``sample/shifts.py``). Both commands look from the database's reference instant
(``meta.reference_instant``), where its open cases are live: the forecast then holds every due
moment of the next 72 hours, the handover the last 12 hours' events and the next 12 hours. Each
run is a fresh process, interleaved with a baseline run of ``ahr --version`` (the process's
fixed cost) and ``ahr cases --json`` (an existing command that reads the same 8,000 active
cases); the figure is the median wall time, with its CPU time. Exits 1 when a target is missed.

    .venv/bin/python bench/bench_shifts.py [--runs N] [--large PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_metrics import wall
from bench_tui import AHR, OUT, ensure_db

TARGET_S = 1.0


def reference(path: Path) -> str:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = 'reference_instant'").fetchone()
    return str(row[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--large", type=Path, default=OUT / "large.db")
    args = parser.parse_args()
    large = ensure_db(args.large, "--accounts", "50000", "--days", "200", "--open-cases", "5000")
    subprocess.run([*AHR, "--db", str(large), "init"], check=True, stdout=subprocess.DEVNULL)
    now = reference(large)
    db = [*AHR, "--db", str(large)]
    commands = {
        "cases --json (reference: reads the same active cases)": [*db, "cases", "--json"],
        "forecast --hours 72": [*db, "forecast", "--hours", "72", "--now", now],
        "forecast --hours 72 --json": [*db, "forecast", "--hours", "72", "--now", now, "--json"],
        "handover": [*db, "handover", "--now", now],
        "handover --json": [*db, "handover", "--now", now, "--json"],
    }
    found = json.loads(subprocess.run(commands["forecast --hours 72 --json"], check=True,
                                      capture_output=True, text=True).stdout)
    for command in commands.values():
        wall(command)  # warm the page cache and the .pyc files
    base: list[float] = []
    took: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        base.append(wall([*AHR, "--version"]))
        for name, command in commands.items():
            took[name].append(wall(command, cpu[name]))
    b = statistics.median(base)
    uncovered = sum(not m["covered"] for m in found)
    print(f"load {os.getloadavg()[0]:.1f}; {large.name} at {now}: {len(found)} due moments in "
          f"72 h, {uncovered} uncovered")
    print(f"baseline `ahr --version`: {b:.3f} s")
    missed = False
    for name, runs in took.items():
        t = statistics.median(runs)
        if name.startswith("cases"):
            print(f"`ahr {name}`: {t:.3f} s; CPU {statistics.median(cpu[name]):.3f} s")
            continue
        missed |= t > TARGET_S
        print(f"`ahr {name}`: {t:.3f} s = {t / b:.2f}x baseline "
              f"[{', '.join(f'{x:.3f}' for x in runs)}]; target <= {TARGET_S:.1f} s: "
              f"{'met' if t <= TARGET_S else 'MISSED'}; CPU {statistics.median(cpu[name]):.3f} s")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
