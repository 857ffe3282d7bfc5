"""Benchmark: the TUI in a pseudo-terminal, against DESIGN.md section 7, in ONE run.

    .venv/bin/python bench/bench_tui.py [--runs 5] [--keys 30] [--idle 20] [--reuse-live 60]

(a) a bare Textual app showing a 50-row DataTable (``bare_datatable.py``): process start to the
    first frame with its rows; the median of ``--runs`` runs after a warm-up. The baseline.
(b) ``ahr tui`` on a small database (a live copy of ``sample.db``, as ``ahr demo`` makes, so
    its cases count down from now): start to the first frame WITH DATA, i.e. until the bytes
    written to the terminal contain the seller of the first case row (the active case with the
    earliest deadline). Target <= 1.6 x (a).
(c) the same on the large database (50,000 accounts x 200 days, 5,000 open cases; generated once
    into ``bench/out/large.db`` with ``ahr sample`` and reused), with the peak RSS of the process
    (psutil, sampled every 20 ms); a live copy too. Target <= 2.0 x (a) and <= 250 MB.
(d) on that last large-database process, once its CPU has settled: ``j`` written ``--keys``
    times, 150-250 ms apart; the time from each write to the first byte written back (a tick's
    repaint that happens to land first is counted too: the figure can only flatter by that). Target
    median <= 15 ms, max <= 60 ms.
(e) then idle at 120x40: the process's CPU seconds per minute and the bytes per second it writes
    over ``--idle`` seconds. Target <= 0.8 CPU s/min and <= 1 KB/s. The countdowns visible are
    counted on the final screen (pyte).
(f) not a target: ``tab`` to the Accounts view (50,000 accounts, loaded on first show) until the
    first account's seller id is on screen, and the peak RSS after it.

Each child runs at 120x40 with TERM=xterm-256color, COLORTERM unset (``pty_harness.py``).
Timings are wall-clock on a shared machine: the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pty_harness import PtyProgram, screen_text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
AHR = [sys.executable, "-m", "ahr_tui"]
COUNTDOWN = re.compile(r"(?<![\w-])-?\d+[dhm] \d\d[hms](?!\w)")
MB = 1024 * 1024


def ensure_db(path: Path, *args: str) -> Path:
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        print(f"generating {path.name}: ahr sample --out {path} {' '.join(args)}", flush=True)
        start = time.perf_counter()
        subprocess.run([*AHR, "sample", "--out", str(path), *args], check=True,
                       stdout=subprocess.DEVNULL)
        print(f"  took {time.perf_counter() - start:.1f} s", flush=True)
    return path


def live_copy(source: Path, reuse_within: float = 0.0) -> Path:
    """A copy of ``source`` moved in time so its cases count down from now (as ``ahr demo``).

    Without it every open case of a generated database is long overdue, and a lead's TUI
    spends the run expiring them instead of idling. A copy made less than ``reuse_within``
    seconds ago is reused (copying the large database takes minutes).
    """
    from ahr_tui.sample import make_live_copy
    from ahr_tui.service.identity import os_user_name
    from ahr_tui.store.actor import Actor

    target = OUT / f"{source.stem}-live.db"
    if target.exists() and time.time() - target.stat().st_mtime < reuse_within:
        return target
    for old in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        old.unlink(missing_ok=True)
    start = time.perf_counter()
    make_live_copy(source, target, now=datetime.now(UTC), actor=Actor(name=os_user_name()))
    print(f"live copy of {source.name}: {time.perf_counter() - start:.1f} s", flush=True)
    return target


def first_case_marker(db: Path) -> bytes:
    """Bytes the first case row must put on screen: the start of its seller's name. The first
    row is the first in ``rules.list_order`` (a detected case counts to its contact_due)."""
    from ahr_tui.rules import CaseStatus, list_order
    from ahr_tui.store.instant import instant

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        rows = con.execute(
            "SELECT a.name, a.seller_id, c.status, coalesce(c.deadline, c.contact_due), c.id"
            " FROM aha_case c JOIN account a ON a.id = c.account_id"
            " WHERE c.status IN ('detected','open','responded','expired')"
        ).fetchall()
    if not rows:
        raise SystemExit(f"{db} has no active case to wait for")
    never = datetime.max.replace(tzinfo=UTC)
    due = {r[4]: instant(r[3]) or never for r in rows}
    row = min(rows, key=lambda r: list_order(CaseStatus(r[2]), due[r[4]], r[4]))
    name = (row[0] or row[1]).strip()
    return name[:10].encode()


def first_account_marker(db: Path) -> bytes:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        (seller,) = con.execute("SELECT min(seller_id) FROM account").fetchone()
    return str(seller)[:11].encode()


def start_to_frame(
    argv: list[str], marker: bytes, timeout: float = 60.0
) -> tuple[float, PtyProgram]:
    prog = PtyProgram(argv).start()
    took = prog.wait_for(lambda out: marker in out, timeout)
    if took is None:
        prog.stop()
        raise SystemExit(f"{' '.join(argv)}: {marker!r} never appeared within {timeout} s")
    return took, prog


def median_start(argv: list[str], marker: bytes, runs: int) -> tuple[float, list[float]]:
    times = []
    for n in range(runs + 1):  # the first run warms caches and is not counted
        took, prog = start_to_frame(argv, marker)
        prog.stop()
        if n:
            times.append(took)
    return statistics.median(times), times


def settle(prog: PtyProgram, timeout: float = 30.0) -> float:
    """Wait until the child uses under 5 % of a core over half a second; seconds waited."""
    start = time.perf_counter()
    proc = psutil.Process(prog.pid)
    while time.perf_counter() - start < timeout:
        before = proc.cpu_times()
        time.sleep(0.5)
        after = proc.cpu_times()
        if (after.user + after.system) - (before.user + before.system) < 0.025:
            break
    return time.perf_counter() - start


def key_latencies(prog: PtyProgram, keys: int) -> list[float]:
    rnd = random.Random(4)
    found = []
    for _ in range(keys):
        took = prog.key_latency(b"j")
        if took is not None:
            found.append(took)
        time.sleep(0.15 + rnd.random() * 0.1)  # not in step with the one-second tick
    return found


def idle(prog: PtyProgram, seconds: float) -> tuple[float, float]:
    """(CPU seconds per minute, bytes per second) over ``seconds`` of doing nothing."""
    cpu0, t0 = prog.cpu_seconds(), time.perf_counter()
    time.sleep(seconds)
    cpu1, t1 = prog.cpu_seconds(), time.perf_counter()
    return (cpu1 - cpu0) / (t1 - t0) * 60, prog.bytes_between(t0, t1) / (t1 - t0)


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keys", type=int, default=30)
    parser.add_argument("--idle", type=float, default=20.0)
    parser.add_argument("--large", type=Path, default=OUT / "large.db")
    parser.add_argument("--small", type=Path, default=None)
    parser.add_argument("--reuse-live", type=float, default=60.0, metavar="MINUTES",
                        help="reuse a live copy of the large database younger than this")
    args = parser.parse_args()

    small = args.small or (ROOT / "sample.db" if (ROOT / "sample.db").exists() else None)
    small = live_copy(small or ensure_db(OUT / "small.db", "--accounts", "200", "--days", "200"))
    large = live_copy(
        ensure_db(args.large, "--accounts", "50000", "--days", "200", "--open-cases", "5000"),
        reuse_within=args.reuse_live * 60,
    )
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)

    bare, bare_runs = median_start([sys.executable, str(HERE / "bare_datatable.py")],
                                   b"bare-row-0001", args.runs)
    print(f"(a) bare DataTable app, start to first frame: {bare:.3f} s (median of "
          f"{', '.join(f'{t:.3f}' for t in bare_runs)})", flush=True)

    tui_small, small_runs = median_start([*AHR, "--db", str(small), "tui"],
                                         first_case_marker(small), args.runs)
    print(f"(b) ahr tui on {small.name}, start to first frame with data: {tui_small:.3f} s = "
          f"{tui_small / bare:.2f}x (a); target <= 1.60x: {verdict(tui_small <= 1.6 * bare)}"
          f"  [{', '.join(f'{t:.3f}' for t in small_runs)}]", flush=True)

    marker = first_case_marker(large)
    large_runs = []
    for n in range(max(2, args.runs // 2) + 1):
        took, prog = start_to_frame([*AHR, "--db", str(large), "tui"], marker)
        rss_at_frame = prog.peak_rss
        if n < max(2, args.runs // 2):
            prog.stop()
        if n:
            large_runs.append(took)
    tui_large = statistics.median(large_runs)
    print(f"(c) ahr tui on {large.name}, start to first frame with data: {tui_large:.3f} s = "
          f"{tui_large / bare:.2f}x (a); target <= 2.00x: {verdict(tui_large <= 2.0 * bare)}"
          f"  [{', '.join(f'{t:.3f}' for t in large_runs)}]", flush=True)

    try:
        waited = settle(prog)
        print(f"    settled after {waited:.1f} s more; peak RSS so far "
              f"{prog.peak_rss / MB:.0f} MB (at first frame {rss_at_frame / MB:.0f} MB); "
              f"target <= 250 MB: {verdict(prog.peak_rss <= 250 * MB)}", flush=True)
        lat = [t * 1000 for t in key_latencies(prog, args.keys)]
        med, worst = statistics.median(lat), max(lat)
        print(f"(d) cursor move (j) to first byte, {len(lat)} keys: median {med:.1f} ms "
              f"(target <= 15: {verdict(med <= 15)}), max {worst:.1f} ms "
              f"(target <= 60: {verdict(worst <= 60)})", flush=True)
        time.sleep(2)
        cpu_min, bps = idle(prog, args.idle)
        shown = screen_text(prog.output(), prog.cols, prog.rows)
        countdowns = sum(len(COUNTDOWN.findall(line)) for line in shown)
        print(f"(e) idle {args.idle:.0f} s at 120x40, {countdowns} countdowns on screen: "
              f"{cpu_min:.2f} CPU s/min (target <= 0.8: {verdict(cpu_min <= 0.8)}), "
              f"{bps:.0f} B/s (target <= 1024: {verdict(bps <= 1024)})", flush=True)
        accounts_view(prog, large)
    finally:
        prog.stop()
    print(f"load average {os.getloadavg()[0]:.2f}", flush=True)


def accounts_view(prog: PtyProgram, db: Path) -> None:
    marker = first_account_marker(db)
    index = len(prog.chunks)
    sent = time.perf_counter()
    os.write(prog.fd, b"\t")
    took = None
    while time.perf_counter() - sent < 60:
        if marker in prog.output(index):
            took = time.perf_counter() - sent
            break
        time.sleep(0.01)
    shown = "not shown within 60 s" if took is None else f"{took:.2f} s"
    settle(prog)
    lat = [t * 1000 for t in key_latencies(prog, 10)]
    print(f"(f) tab to the Accounts view until {marker.decode()} shows: {shown}; peak RSS "
          f"{prog.peak_rss / MB:.0f} MB; then j to first byte median "
          f"{statistics.median(lat):.1f} ms, max {max(lat):.1f} ms (no target)", flush=True)


if __name__ == "__main__":
    main()
