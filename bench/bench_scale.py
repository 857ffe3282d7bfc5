"""Issue 17's figures at a scale this machine affords, each against its baseline, in one run.

Builds (once) ``bench/out/scale-N.db`` with ``ahr sample --accounts N --days 180`` and works on
private copies of it, every ``ahr`` command a real process (wall, CPU and peak RSS from
``wait4``):

1. the daily import: N scores for the next day (one per account) with ``ahr import scores``,
   against sqlite3's ``.import`` of the same file into a bare table with the same key;
2. the first sweep of that day (the window counters slide by a day; cases expire) and a repeat
   sweep, against the hand-written window GROUP BY over every score row (run in-process);
3. the cost of one enrolment change: the same copy with every account reset to
   ``not_enrolled`` (about 80 % enrol), (that sweep - a repeat sweep) / changes;
4. the Accounts view's reads (``service.detail``): every row as the view loads them now.

Each figure is printed with its 1,000,000-account target and a linear extrapolation
(figure x 1,000,000 / N): the work of each step is per account or per score row.

    .venv/bin/python bench/bench_scale.py [--accounts 100000]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
AHR = [sys.executable, "-m", "ahr_tui"]
MILLION = 1_000_000
GROUP_BY = (
    "SELECT account_id, count(*), sum(CASE WHEN score >= 250 THEN 1 ELSE 0 END) FROM score "
    "WHERE day BETWEEN ? AND ? GROUP BY account_id"
)


def ahr(*args: str) -> tuple[float, float, int, str]:
    """Run ``ahr``: (wall s, CPU s, peak RSS MB, stdout) of that process alone."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([*AHR, *args], stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if proc.returncode:
            raise SystemExit(f"ahr {' '.join(args)} failed: {err.read().decode(errors='replace')}")
        text = out.read().decode().strip()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, text


def copy_db(source: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


#: Seconds of CPU an ``ahr`` command costs on an empty database (process start, imports):
#: not multiplied when extrapolating.
FIXED = {"cpu": 0.0}


def line(what: str, seconds: float, base: float | None, target: str, n: int,
         extra: str = "", cpu: float | None = None) -> None:
    """One figure: wall seconds, the ratio to its baseline, and at 1M accounts: CPU seconds
    beyond the fixed cost scaled by 1,000,000 / N (wall on this shared machine waits for a
    core as often as it computes)."""
    ratio = f"{seconds / base:6.2f}x" if base else "       "
    basis = seconds if cpu is None else cpu
    fixed = 0.0 if cpu is None else FIXED["cpu"]
    at_million = fixed + max(0.0, basis - fixed) * MILLION / n
    label = "wall" if cpu is None else "CPU"
    cpu_text = "" if cpu is None else f" (CPU {cpu:6.2f} s)"
    print(f"  {what:<40} {seconds:7.2f} s{cpu_text} {ratio}  at 1M ~{at_million:6.1f} s "
          f"{label}  (target {target}){extra}", flush=True)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def ensure_sample(path: Path, accounts: int) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    wall, cpu, rss, out = ahr("sample", "--out", str(path), "--accounts", str(accounts),
                              "--days", "180", "--open-cases", str(accounts // 40))
    print(out.splitlines()[0] if out else "")
    line(f"ahr sample --accounts {accounts:,} --days 180", wall, None, "<= 900 s at 1M",
         accounts, f"; CPU {cpu:.1f} s, RSS {rss} MB")


def reference(path: Path) -> datetime:
    with sqlite3.connect(path) as conn:
        (value,) = conn.execute("SELECT value FROM meta WHERE key = 'reference_instant'").fetchone()
    conn.close()
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def daily_file(path: Path, db: Path, day: str) -> int:
    """One score per account for ``day``, in account order (as a marketplace export)."""
    rnd = random.Random(17)
    with sqlite3.connect(db) as conn:
        sellers = conn.execute("SELECT seller_id, store FROM account ORDER BY id").fetchall()
    conn.close()
    with path.open("w") as out:
        out.write("seller_id,store,date,score\n")
        for seller, store in sellers:
            out.write(f"{seller},{store},{day},{rnd.choice((120, 260, 400, 700, 900))}\n")
    return len(sellers)


def bench_import(db: Path, scores: Path, rows: int, n: int, tmp: Path) -> None:
    bare = tmp / "bare.db"
    subprocess.run(["sqlite3", str(bare), "CREATE TABLE score(seller_id, store, date, score, "
                    "PRIMARY KEY(seller_id, store, date))"], check=True)
    base, _ = timed(lambda: subprocess.run(
        ["sqlite3", str(bare), f".import --csv --skip 1 {scores} score"], check=True))
    wall, cpu, rss, _ = ahr("--db", str(db), "import", "scores", str(scores), "--quiet")
    print(f"daily import, {rows:,} rows (sqlite3 .import into a bare table: {base:.2f} s)")
    line("ahr import scores", wall, base, "<= 2.0x", n, f"; RSS {rss} MB", cpu=cpu)


def bench_sweeps(db: Path, now: datetime, n: int) -> None:
    first_day = (now.date() - timedelta(days=180)).isoformat()
    last_day = (now.date() - timedelta(days=1)).isoformat()
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        conn.execute(GROUP_BY, (first_day, last_day)).fetchall()  # warm the cache
        base, _ = timed(lambda: conn.execute(GROUP_BY, (first_day, last_day)).fetchall())
    conn.close()
    print(f"sweeps at {now.isoformat()} (hand-written window GROUP BY: {base:.2f} s)")
    for what, target in (("first sweep of the day", "<= 60 s at 1M"),
                         ("repeat sweep", "<= 10 s at 1M")):
        wall, cpu, rss, out = ahr("--db", str(db), "sweep", "--now", now.isoformat())
        line(f"ahr sweep, {what}", wall, base, target, n, f"; RSS {rss} MB", cpu=cpu)
        print(f"      {out.splitlines()[0]}")


def bench_enrolment(db: Path, now: datetime, n: int) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE account SET enrollment = 'not_enrolled', "
                     "enrollment_changed_at = NULL WHERE enrollment <> 'revoked'")
    conn.close()
    first = ahr("--db", str(db), "sweep", "--now", now.isoformat(), "--json")
    repeat = ahr("--db", str(db), "sweep", "--now", now.isoformat(), "--json")
    import json

    changes = sum(json.loads(first[3])["enrollment_changes"].values())
    per = (first[0] - repeat[0]) / max(1, changes) * 1e6
    per_cpu = (first[1] - repeat[1]) / max(1, changes) * 1e6
    print(f"every account reset to not_enrolled: {changes:,} enrolment changes")
    line("ahr sweep enrolling them", first[0], None, "<= 60 s at 1M", n,
         f"; RSS {first[2]} MB", cpu=first[1])
    line("ahr sweep, repeat", repeat[0], None, "<= 10 s at 1M", n, cpu=repeat[1])
    print(f"  one enrolment change (state, audit event, notification): {per:.1f} us wall, "
          f"{per_cpu:.1f} us CPU  (target <= 20 us)", flush=True)
    _, _, _, verify = ahr("--db", str(db), "audit", "verify")
    print(f"      {verify}")


_VIEW = """
import sys, time, resource
from datetime import datetime
from ahr_tui.service.database import open_database
from ahr_tui.service.account_list import AccountSort, filtered, first_page, ordered
from ahr_tui.rules import last_complete_day
now = datetime.fromisoformat(sys.argv[2])
as_of = last_complete_day(now)
engine = open_database(sys.argv[1])
t = time.perf_counter()
first_page(engine, as_of, AccountSort.SELLER, 200)
first = time.perf_counter() - t
t = time.perf_counter()
ids = ordered(engine, as_of, AccountSort.SELLER)
every = time.perf_counter() - t
keys = []
for needle in ("a", "ac", "acm", "acme"):  # one keystroke each: until the first screenful
    t = time.perf_counter()
    shown = []
    filtered(engine, as_of, AccountSort.SELLER, lambda: ids, needle, first=200,
             on_first=lambda part: shown.append(time.perf_counter() - t))
    keys.append(shown[0] if shown else time.perf_counter() - t)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(first, every, max(keys), len(ids), rss)
"""


def bench_accounts_view(db: Path, now: datetime, n: int) -> None:
    out = subprocess.run([sys.executable, "-c", _VIEW, str(db), now.isoformat()], check=True,
                         capture_output=True, text=True).stdout.split()
    first, every, key = float(out[0]), float(out[1]), float(out[2])
    print(f"Accounts view ({int(out[3]):,} accounts; reads as the view does them)")
    print(f"  first rows (`tab` to the first screenful)  {first:7.3f} s  (independent of N; "
          "target <= 1 s)")
    line("every id in seller order (the view's list; read after the first rows)", every, None,
         "-", n, f"; RSS {out[4]} MB")
    line("filter keystroke: to its first screenful (worst of 4)", key, None, "<= 0.1 s", n)


def fixed_costs(tmp: Path) -> None:
    empty = tmp / "empty.db"
    ahr("--db", str(empty), "init")
    _, cpu, rss, _ = ahr("--db", str(empty), "sweep", "--now", "2026-03-02T12:00:00Z")
    FIXED["cpu"] = cpu
    print(f"fixed cost: ahr sweep on an empty database {cpu:.2f} s CPU, RSS {rss} MB "
          "(not scaled when extrapolating)")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    args = parser.parse_args()
    n = args.accounts
    print(f"load average {os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs; {n:,} accounts x 180 "
          "days; '~' columns: fixed cost + the rest x 1,000,000 / N")
    source = OUT / f"scale-{n}.db"
    ensure_sample(source, n)
    now = reference(source)
    with tempfile.TemporaryDirectory(prefix="ahr-scale-", dir=OUT) as folder:
        tmp = Path(folder)
        fixed_costs(tmp)
        db = tmp / "run.db"
        copy_db(source, db)
        ahr("--db", str(db), "init")
        ahr("--db", str(db), "sweep", "--now", now.isoformat())  # the sample's own day first
        day = now.date().isoformat()
        scores = tmp / "daily.csv"
        rows = daily_file(scores, db, day)
        bench_import(db, scores, rows, n, tmp)
        bench_sweeps(db, now + timedelta(days=1), n)
        bench_accounts_view(db, now + timedelta(days=1), n)
        enrol = tmp / "enrol.db"
        shutil.copyfile(db, enrol)
        bench_enrolment(enrol, now + timedelta(days=1), n)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
