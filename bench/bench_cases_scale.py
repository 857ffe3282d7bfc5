"""The Cases view on a marketplace-sized database, in a pseudo-terminal (no target of its own).

    .venv/bin/python bench/bench_cases_scale.py --db bench/out/acc1m.db

The app runs as ``bench_accounts.py`` runs it (a child on a 120x40 pty, its clock fixed at the
database's reference instant, started as ``ahr tui`` starts it on an SQLite file). Measured:
start until an urgency word of the first rows is on screen (the first frame with data); while
the header says the rest is loading, ``j`` every 200 ms, each until the first byte back; start
until the header shows its counts (the whole list) and until the output stays quiet for 1.5 s;
then ``j`` written ``--keys`` times, 200 ms apart, each until the
first byte back; then the CPU seconds per minute over ``--idle`` seconds; the peak RSS. The
first screen's top lines are printed. DESIGN.md section 7's figures for the 50,000-account
database are ``bench_tui.py``'s.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pty_harness import PtyProgram, screen_text

ROOT = Path(__file__).resolve().parents[1]
#: The header's counts (``13,500 expired``): the whole list is shown; while only its first
#: screen is, the header says ``loading cases…`` (rows say ``expired`` after no digit).
COUNTS = re.compile(rb"[0-9] expired")


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
        print("\n".join(line.rstrip() for line in screen_text(app.output(), 120, 40)[:6]))
        loading = []  # j while the header says the rest is loading
        slow = []  # (sent, seconds from start; waited, ms) of those over 100 ms
        while not COUNTS.search(app.output()) and time.perf_counter() - start < 120:
            time.sleep(0.2)
            sent = time.perf_counter() - start
            loading.append(app.key_latency(b"j", timeout=3.0) or 3.0)
            if loading[-1] > 0.1:
                slow.append(f"{sent:.2f} s: {loading[-1] * 1000:.0f} ms")
        whole = app.wait_for(COUNTS.search, timeout=120)
        if whole is None:
            print("no header counts within 120 s")
            return 1
        app.quiet_for(1.5, timeout=120)
        quiet = time.perf_counter() - start - 1.5
        print(f"start until the first rows: {first:.2f} s; until the whole list (the header's "
              f"counts): {whole:.2f} s; output quiet from {quiet:.2f} s; "
              f"RSS {app.peak_rss // 2**20} MB")
        if loading:
            print(f"j while the rest loads: median {statistics.median(loading) * 1000:.1f} ms, "
                  f"max {max(loading) * 1000:.1f} ms ({len(loading)} keys); over 100 ms, "
                  f"sent at: {', '.join(slow) or 'none'}")
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
