"""Time ``ahr sweep`` against one hand-written SQL query (DESIGN.md section 7: <= 1.5x).

The baseline is the query a person would write for the sweep's data: per account, the days scored
and the days at or above 250 in the 180-day window (one GROUP BY), run in this process and fetched
in full. The sweep is the real command in a fresh process (``ahr --db DB sweep --now REF``), so
its figure includes starting Python, evaluating every account and writing what changed.

Two sweep figures: the *first* sweep of a fresh copy of the database at the reference instant
(what the daily cron job does: it expires cases and queues warnings), and a *repeat* sweep at the
same instant (nothing left to change). Runs are interleaved with the baseline so that a busy
machine slows both alike; figures are medians. CPU seconds (user + system, every thread) are
shown for SQLite too: on a shared, busy machine they move less than wall time does.

SQLite: on a private copy of ``bench/out/large.db`` (50,000 accounts x 200 days; generated with
``ahr sample`` when missing). PostgreSQL (``--pg URL``): the same database loaded with
``ahr db copy`` into a fresh schema that is dropped afterwards.

    .venv/bin/python bench/bench_sweep.py [--runs N] [--pg postgresql+psycopg://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

TARGET_RATIO = 1.5
WINDOW_DAYS = 180
THRESHOLD = 250
OUT = Path(__file__).resolve().parent / "out"
AHR = Path(sys.executable).with_name("ahr")
QUERY = (
    "SELECT account_id, count(*), sum(CASE WHEN score >= {t} THEN 1 ELSE 0 END) FROM score "
    "WHERE day BETWEEN {p} AND {p} GROUP BY account_id"
)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def ahr(*args: str) -> str:
    """Run ``ahr``; its CPU seconds (user + system, all threads) are added to ``CPU[0]``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run([str(AHR), *args], capture_output=True, text=True, check=False,
                            stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise SystemExit(f"ahr {' '.join(args)} failed ({result.returncode}): {result.stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[0] += (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result.stdout.strip()


CPU = [0.0]


def cpu_of(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall seconds, CPU seconds (this process's or a child's) and the value of ``fn()``."""
    CPU[0] = 0.0
    own = time.process_time()
    seconds, value = timed(fn)
    return seconds, CPU[0] + time.process_time() - own, value


def ensure_source(path: Path, accounts: int, days: int, open_cases: int) -> None:
    if path.exists():
        return
    print(f"generating {path} ({accounts} accounts x {days} days) with ahr sample ...")
    path.parent.mkdir(parents=True, exist_ok=True)
    print(ahr("sample", "--out", str(path), "--accounts", str(accounts), "--days", str(days),
              "--open-cases", str(open_cases)))


def private_copy(source: Path, target: Path) -> None:
    """A consistent snapshot even while someone else has the source open (the backup API)."""
    remove_sqlite(target)
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def reference_instant(path: Path) -> datetime:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = 'reference_instant'").fetchone()
        if row is None:
            (last,) = conn.execute("SELECT max(day) FROM score").fetchone()
            row = (f"{date.fromisoformat(last) + timedelta(days=1)}T12:00:00+00:00",)
    conn.close()
    return datetime.fromisoformat(row[0].replace("Z", "+00:00")).astimezone(UTC)


def window(reference: datetime) -> tuple[date, date]:
    as_of = reference.date() - timedelta(days=1)
    return as_of - timedelta(days=WINDOW_DAYS - 1), as_of


def sqlite_query(path: Path, first: date, last: date) -> Callable[[], int]:
    sql = QUERY.format(t=THRESHOLD, p="?")

    def run() -> int:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            rows = conn.execute(sql, (first.isoformat(), last.isoformat())).fetchall()
        conn.close()
        return len(rows)

    return run


Sample = tuple[float, float]  # wall seconds, CPU seconds


def report(label: str, baseline: list[Sample], first: list[Sample], repeat: list[Sample],
           accounts: int, score_rows: int, *, cpu: bool) -> bool:
    """Print medians and ratios; the target is judged on wall time (DESIGN.md section 7)."""
    base = statistics.median(w for w, _ in baseline)
    base_cpu = statistics.median(c for _, c in baseline)
    print(f"\n{label}: {accounts:,} accounts, {score_rows:,} score rows")
    extra = f", CPU {base_cpu:.2f} s" if cpu else ""
    print(f"  hand-written GROUP BY query   {base:7.2f} s  (n={len(baseline)}, "
          f"min {min(w for w, _ in baseline):.2f}{extra})")
    passed = True
    for name, values in (("ahr sweep, first (fresh copy)", first),
                         ("ahr sweep, repeat", repeat)):
        median = statistics.median(w for w, _ in values)
        ratio = median / base
        verdict = "ok" if ratio <= TARGET_RATIO else "MISSED"
        passed = passed and ratio <= TARGET_RATIO
        line = (f"  {name:<29} {median:7.2f} s  (n={len(values)}, "
                f"min {min(w for w, _ in values):.2f})  {ratio:5.2f} x  "
                f"(target <= {TARGET_RATIO} x: {verdict})")
        if cpu:
            median_cpu = statistics.median(c for _, c in values)
            line += f"; CPU {median_cpu:.2f} s = {median_cpu / base_cpu:.2f} x"
        print(line)
    return passed


def bench_sqlite(source: Path, reference: datetime, runs: int) -> bool:
    base_db, run_db = OUT / "sweep-base.db", OUT / "sweep-run.db"
    private_copy(source, base_db)
    first_day, last_day = window(reference)
    query = sqlite_query(base_db, first_day, last_day)
    now = reference.isoformat()
    baseline: list[Sample] = []
    first: list[Sample] = []
    repeat: list[Sample] = []
    summary, accounts = "", 0
    query()  # warm the page cache
    for _ in range(runs):
        wall, cpu, accounts = cpu_of(query)
        baseline.append((wall, cpu))
        remove_sqlite(run_db)
        shutil.copyfile(base_db, run_db)
        wall, cpu, summary = cpu_of(lambda: ahr("--db", str(run_db), "sweep", "--now", now))
        first.append((wall, cpu))
        wall, cpu, _ = cpu_of(lambda: ahr("--db", str(run_db), "sweep", "--now", now))
        repeat.append((wall, cpu))
    print(f"first sweep: {summary.splitlines()[0]}")
    with sqlite3.connect(base_db) as conn:
        (score_rows,) = conn.execute("SELECT count(*) FROM score").fetchone()
    conn.close()
    ok = report(f"SQLite ({source.name})", baseline, first, repeat, accounts, score_rows,
                cpu=True)
    remove_sqlite(run_db)
    return ok


def bench_postgres(base_url: str, reference: datetime, runs: int) -> bool:
    import psycopg

    plain = base_url.replace("postgresql+psycopg://", "postgresql://")
    schema = f"bench_sweep_{os.getpid()}"
    url = f"{base_url}?options=-csearch_path%3D{schema}"
    with psycopg.connect(plain, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        seconds, out = timed(lambda: ahr("db", "copy", "--quiet", "--from",
                                         str(OUT / "sweep-base.db"), "--to", url))
        print(f"\nahr db copy SQLite -> PostgreSQL: {seconds:.1f} s; {out.splitlines()[-1]}")
        first_day, last_day = window(reference)
        sql = QUERY.format(t=THRESHOLD, p="%s")
        now = reference.isoformat()

        def query() -> int:
            with psycopg.connect(plain, options=f"-c search_path={schema}") as conn:
                return len(conn.execute(sql, (first_day, last_day)).fetchall())

        query()
        seconds, summary = timed(lambda: ahr("--db", url, "sweep", "--now", now))
        first: list[Sample] = [(seconds, 0.0)]
        print(f"first sweep: {summary.splitlines()[0]}")
        baseline: list[Sample] = []
        repeat: list[Sample] = []
        accounts = 0
        for _ in range(runs):
            seconds, accounts = timed(query)
            baseline.append((seconds, 0.0))
            seconds, _ = timed(lambda: ahr("--db", url, "sweep", "--now", now))
            repeat.append((seconds, 0.0))
        with psycopg.connect(plain, options=f"-c search_path={schema}") as conn:
            row = conn.execute("SELECT count(*) FROM score").fetchone()
        return report("PostgreSQL (first sweep: n=1, one copy)", baseline, first, repeat,
                      accounts, row[0] if row else 0, cpu=False)
    finally:
        with psycopg.connect(plain, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", type=Path, default=OUT / "large.db")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pg", metavar="URL", help="also measure on PostgreSQL at this URL")
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=200)
    parser.add_argument("--open-cases", type=int, default=5_000)
    args = parser.parse_args()
    ensure_source(args.db, args.accounts, args.days, args.open_cases)
    reference = reference_instant(args.db)
    first_day, last_day = window(reference)
    print(f"load average before the run: {os.getloadavg()[0]:.2f}; reference instant "
          f"{reference.isoformat()}; window {first_day} .. {last_day}")
    ok = bench_sqlite(args.db, reference, args.runs)
    if args.pg:
        ok = bench_postgres(args.pg, reference, args.runs) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
