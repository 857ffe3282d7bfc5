"""TUI start to first frame with data on PostgreSQL, against the bare Textual app, in one run.

The PostgreSQL database is a copy of the large SQLite benchmark database (``ahr db copy``) in a
schema of its own; its first case row's seller is read from that SQLite source. Same pty method
and baseline as ``bench_tui.py`` (whose helpers this reuses).

    .venv/bin/python bench/bench_tui_pg.py --source bench/out/large-live.db \\
        --url 'postgresql+psycopg://postgres@127.0.0.1/test?options=-csearch_path%3Dbench_large'
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_tui import AHR, HERE, first_case_marker, median_start, verdict

TARGET = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, required=True, help="the SQLite file copied")
    parser.add_argument("--url", required=True, help="the PostgreSQL copy (SQLAlchemy URL)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
    bare, bare_runs = median_start(
        [sys.executable, str(HERE / "bare_datatable.py")], b"bare-row-0001", args.runs
    )
    print(f"(a) bare DataTable app: {bare:.3f} s {[round(t, 3) for t in bare_runs]}", flush=True)
    marker = first_case_marker(args.source)
    took, runs = median_start([*AHR, "--db", args.url, "tui"], marker, args.runs)
    ratio = took / bare
    print(
        f"(c-pg) ahr tui on PostgreSQL, first frame with data: {took:.3f} s = {ratio:.2f}x (a); "
        f"target <= {TARGET:.2f}x: {verdict(ratio <= TARGET)}  {[round(t, 3) for t in runs]}"
    )
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
