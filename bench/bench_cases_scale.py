"""The Cases view on a marketplace-sized database, in a pseudo-terminal (no target of its own).

    .venv/bin/python bench/bench_cases_scale.py --db bench/out/acc1m.db

The app runs as ``bench_accounts.py`` runs it (a child on a 120x40 pty, its clock fixed at the
database's reference instant, started as ``ahr tui`` starts it on an SQLite file). Measured:
start until an urgency word of the first rows is on screen (the first frame with data) and until
the output stays quiet for 1.5 s; ``j`` written ``--keys`` times, 200 ms apart, each until the
first byte back; then the CPU seconds per minute over ``--idle`` seconds; the peak RSS. The
first screen's top lines are printed. DESIGN.md section 7's figures for the 50,000-account
database are ``bench_tui.py``'s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pty_harness import PtyProgram, screen_text

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--keys", type=int, default=20)
    parser.add_argument("--idle", type=float, default=30.0)
    args = parser.parse_args()
    print(f"load average {Path('/proc/loadavg').read_text().strip()}; {args.db}", flush=True)
    app = PtyProgram([str(ROOT / ".venv/bin/python"), str(ROOT / "bench/bench_accounts.py"),
                      "--child", str(args.db)]).start()
    try:
        start = time.perf_counter()
        words = (b"CRITICAL", b"URGENT", b"OVERDUE", b"CONTACT")
        first = app.wait_for(lambda out: any(w in out for w in words), timeout=120)
        if first is None:
            print("no case row within 120 s")
            return 1
        app.quiet_for(1.5, timeout=120)
        quiet = time.perf_counter() - start - 1.5
        print(f"start until the first rows: {first:.2f} s; output quiet from {quiet:.2f} s; "
              f"RSS {app.peak_rss // 2**20} MB")
        print("\n".join(line.rstrip() for line in screen_text(app.output(), 120, 40)[:6]))
        waits = []
        for _ in range(args.keys):
            time.sleep(0.2)
            waits.append(app.key_latency(b"j", timeout=3.0) or 3.0)
        print(f"j: median {statistics.median(waits) * 1000:.1f} ms, "
              f"max {max(waits) * 1000:.1f} ms ({args.keys} keys)")
        cpu, wall = app.cpu_seconds(), time.perf_counter()
        time.sleep(args.idle)
        per_minute = (app.cpu_seconds() - cpu) / (time.perf_counter() - wall) * 60
        print(f"idle: {per_minute:.2f} CPU s/min; peak RSS {app.peak_rss // 2**20} MB")
    finally:
        app.stop()
    print(f"load average {Path('/proc/loadavg').read_text().strip()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
