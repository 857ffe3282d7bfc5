"""Time ``ahr case attempt`` against ``ahr case respond`` (issue 14: <= 1.2x).

Both run as fresh processes on the same database, interleaved so that a busy machine slows both
alike: each round opens one case to respond to and detects one to attempt, then times
``ahr case respond`` on the first and ``ahr case attempt`` (the first attempt, the heavier kind:
it opens the case and queues the seller's e-mail) on the second. The database is a copy of the
bundled ``sample.db`` (schema, stores, operators and 200 accounts) so each command does its real
work. Prints the medians and the ratio; exits 1 when the target is missed.

    .venv/bin/python bench/bench_attempt.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 1.2
ROOT = Path(__file__).resolve().parent.parent


def run(ahr: Path, db: Path, *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(ahr), "--db", str(db), *args], check=True,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    return time.perf_counter() - started, done.stdout.strip()


def enrolled_seller(db: Path) -> str:
    import sqlite3

    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT seller_id FROM account WHERE enrollment = 'enrolled' "
                           "AND status = 'active' AND store = 'US' ORDER BY id LIMIT 1").fetchone()
    return str(row[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    ahr = Path(sys.executable).with_name("ahr")
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        shutil.copy(ROOT / "sample.db", db)
        seller = enrolled_seller(db)
        respond, attempt = [], []
        load = os.getloadavg()[0]
        for _ in range(args.runs + 1):  # the first round warms the page cache and .pyc files
            _, opened = run(ahr, db, "case", "open", seller, "--store", "US",
                            "--policy", "other")
            _, detected = run(ahr, db, "case", "detect", seller, "--store", "US",
                              "--policy", "reviews")
            respond.append(run(ahr, db, "case", "respond", opened)[0])
            attempt.append(run(ahr, db, "case", "attempt", detected, "--channel", "phone",
                               "--outcome", "no_answer", "--note", "rang out")[0])
        respond, attempt = respond[1:], attempt[1:]
    r, a = statistics.median(respond), statistics.median(attempt)
    ratio = a / r
    print(f"ahr case respond  median {r * 1000:.0f} ms over {len(respond)} runs")
    print(f"ahr case attempt  median {a * 1000:.0f} ms over {len(attempt)} runs")
    print(f"ratio {ratio:.2f}x (target <= {TARGET_RATIO}x): "
          f"{'met' if ratio <= TARGET_RATIO else 'MISSED'} (load {load:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after)")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
