"""One enrolment change, two versions of the code, interleaved on one database: an A/B.

``bench_scale.py`` measures one enrolment change from outside (every account reset to
``not_enrolled``, then ``ahr sweep`` and a repeat ``ahr sweep``, each a real process; (sweep -
repeat) / changes, wall and CPU from ``wait4``). This script does exactly that, alternating
between the code of this tree and another copy of ``ahr_tui`` (``--base``: e.g. ``main``'s, from
``git archive``), round after round, so that both see the same machine load and the same
database (whose event and notification tables grow by a sweep's worth each round).

The database is changed in place: pass a copy, swept once at its reference day (its window
counters then hold the day, so each sweep is the enrolment alone)::

    git archive main ahr_tui | tar -x -C /tmp/ahr-main
    cp bench/out/scale-1000000.db bench/out/ab.db
    .venv/bin/ahr --db bench/out/ab.db sweep --now 2026-03-02T12:00:00Z
    .venv/bin/python bench/bench_enrolment_ab.py bench/out/ab.db --base /tmp/ahr-main
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: Runs ``ahr`` from the tree named by AHR_SRC (the editable install's finder set aside).
_BOOT = """
import os, sys
source = os.environ.get("AHR_SRC")
if source:
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f)]
    sys.path.insert(0, source)
sys.argv[0] = "ahr"
from ahr_tui.cli.entry import main
main()
"""


def ahr(source: Path | None, *args: str) -> tuple[float, float, str]:
    """(wall s, CPU s, stdout) of one ``ahr`` process running the code under ``source``."""
    env = dict(os.environ)
    env.pop("AHR_SRC", None)
    if source is not None:
        env["AHR_SRC"] = str(source)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", _BOOT, *args], stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status):
            raise SystemExit(f"ahr {' '.join(args)} failed: {err.read().decode()}")
        return wall, usage.ru_utime + usage.ru_stime, out.read().decode()


def reset(db: Path) -> str:
    """Every account not revoked back to ``not_enrolled``; the reference instant."""
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE account SET enrollment = 'not_enrolled', "
                     "enrollment_changed_at = NULL WHERE enrollment <> 'revoked'")
        (now,) = conn.execute("SELECT value FROM meta WHERE key = 'reference_instant'").fetchone()
    conn.close()
    return str(now)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("db", type=Path, help="an ahr SQLite file, changed in place")
    parser.add_argument("--base", type=Path, required=True,
                        help="a folder holding the other version's ahr_tui package")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; {args.db}; base {args.base}")
    for _ in range(args.rounds):
        for name, source in (("base", args.base), ("this tree", None)):
            now = reset(args.db)
            load = os.getloadavg()[0]
            wall, cpu, out = ahr(source, "--db", str(args.db), "sweep", "--now", now, "--json")
            wall2, cpu2, _ = ahr(source, "--db", str(args.db), "sweep", "--now", now, "--json")
            n = max(1, sum(json.loads(out)["enrollment_changes"].values()))
            print(f"{name:9s} load {load:.2f}-{os.getloadavg()[0]:.2f}: {n:,} changes; sweep "
                  f"{wall:.2f} s ({cpu:.2f} s CPU), repeat {wall2:.2f} s ({cpu2:.2f} s CPU); "
                  f"one change {(wall - wall2) / n * 1e6:.1f} us wall, "
                  f"{(cpu - cpu2) / n * 1e6:.1f} us CPU", flush=True)


if __name__ == "__main__":
    main()
