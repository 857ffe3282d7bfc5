"""Issue 17's figures on PostgreSQL next to SQLite, the same steps on the same data, one run.

``bench/out/scale-N.db`` (``ahr sample --accounts N --days 180``, built on first use, as
``bench_scale.py`` does) is copied to a private SQLite file and, with ``ahr db copy``, into a
fresh PostgreSQL schema (dropped afterwards). Then on each backend, every ``ahr`` command a
real process (wall, CPU and peak RSS of that process; PostgreSQL's own server work is not in
the CPU column). Each step runs on SQLite, then on PostgreSQL, before the next step (a busy
machine's load moves both alike):

1. ``ahr init`` and a sweep at the sample's reference instant (the window counters are built);
2. the daily import: one score per account for the next day;
3. the first sweep of that day (the window slides a day; cases expire) and a repeat sweep;
4. every account reset to ``not_enrolled``, the sweep that enrols them and a repeat:
   (that sweep - the repeat) / changes is the cost of one enrolment change.

Each PostgreSQL figure is printed with its ratio to the SQLite one (DESIGN.md section 7:
<= 2x).

    .venv/bin/python bench/bench_scale_pg.py --accounts 50000 \
        --pg postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from bench_scale import OUT, ahr, copy_db, daily_file, ensure_sample, reference

RESET = ("UPDATE account SET enrollment = 'not_enrolled', enrollment_changed_at = NULL "
         "WHERE enrollment <> 'revoked'")
Figure = tuple[float, float, int]  # wall s, CPU s, peak RSS MB


def steps(dbs: dict[str, str], now: datetime, scores: Path,
          resets: dict[str, Callable[[], None]]) -> dict[str, dict[str, Figure]]:
    """The issue's operations on each of ``dbs`` (name -> path or URL), each as (wall, CPU,
    RSS); every step runs on one backend and then on the next, so that a change in the
    machine's load falls on both alike."""
    figures: dict[str, dict[str, Figure]] = {name: {} for name in dbs}
    out: dict[str, str] = {}

    def each(what: str | None, *args: str) -> None:
        for name, db in dbs.items():
            wall, cpu, rss, out[name] = ahr("--db", db, *args)
            if what is not None:
                figures[name][what] = (wall, cpu, rss)

    each(None, "init")
    each(None, "sweep", "--now", now.isoformat())
    each("daily import", "import", "scores", str(scores), "--quiet")
    day = (now + timedelta(days=1)).isoformat()
    each("first sweep of the day", "sweep", "--now", day)
    each("repeat sweep", "sweep", "--now", day)
    for reset in resets.values():
        reset()
    each("sweep enrolling every reset account", "sweep", "--now", day, "--json")
    changes = {name: max(1, sum(json.loads(text)["enrollment_changes"].values()))
               for name, text in out.items()}
    each("its repeat", "sweep", "--now", day)
    for name, found in figures.items():
        first, repeat = found["sweep enrolling every reset account"], found["its repeat"]
        n = changes[name]
        found["one enrolment change (us)"] = (
            (first[0] - repeat[0]) / n * 1e6, (first[1] - repeat[1]) / n * 1e6, 0)
        print(f"  {name}: {n:,} enrolment changes", flush=True)
    each(None, "audit", "verify")
    for name, text in out.items():
        print(f"  {name}: {text}", flush=True)
    return figures


def sqlite_reset(path: Path) -> Callable[[], None]:
    def reset() -> None:
        with sqlite3.connect(path) as conn:
            conn.execute(RESET)
        conn.close()

    return reset


def pg_reset(plain: str, schema: str) -> Callable[[], None]:
    def reset() -> None:
        import psycopg

        with psycopg.connect(plain, options=f"-c search_path={schema}") as conn:
            conn.execute(RESET)

    return reset


def report(lite: dict[str, Figure], pg: dict[str, Figure]) -> None:
    print(f"\n  {'what':<36} {'SQLite wall / CPU':>20} {'PostgreSQL wall / CPU':>24}  "
          "PG/SQLite wall (target <= 2x)")
    for (what, (l_wall, l_cpu, _)), (p_wall, p_cpu, _) in zip(lite.items(), pg.values(),
                                                              strict=True):
        unit = "us" if "(us)" in what else "s"
        ratio = p_wall / l_wall if l_wall > 0 else float("nan")
        print(f"  {what:<36} {l_wall:9.2f} / {l_cpu:6.2f} {unit:<2} {p_wall:11.2f} / "
              f"{p_cpu:6.2f} {unit:<2}  {ratio:5.2f}x", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--pg", required=True, metavar="URL")
    args = parser.parse_args()
    import psycopg

    print(f"load average {os.getloadavg()[0]:.2f}; {args.accounts:,} accounts x 180 days")
    source = OUT / f"scale-{args.accounts}.db"
    ensure_sample(source, args.accounts)
    now = reference(source)
    plain = args.pg.replace("postgresql+psycopg://", "postgresql://")
    schema = f"bench_scale_{os.getpid()}"
    url = f"{args.pg}?options=-csearch_path%3D{schema}"
    with tempfile.TemporaryDirectory(prefix="ahr-scale-pg-", dir=OUT) as folder:
        tmp = Path(folder)
        lite_db = tmp / "run.db"
        copy_db(source, lite_db)
        scores = tmp / "daily.csv"
        daily_file(scores, source, now.date().isoformat())
        with psycopg.connect(plain, autocommit=True) as admin:
            admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            started = time.perf_counter()
            ahr("db", "copy", "--quiet", "--from", str(source), "--to", url)
            print(f"ahr db copy SQLite -> PostgreSQL: {time.perf_counter() - started:.1f} s",
                  flush=True)
            found = steps({"SQLite": str(lite_db), "PostgreSQL": url}, now, scores,
                          {"SQLite": sqlite_reset(lite_db),
                           "PostgreSQL": pg_reset(plain, schema)})
            lite, pg = found["SQLite"], found["PostgreSQL"]
        finally:
            with psycopg.connect(plain, autocommit=True) as admin:
                admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
    report(lite, pg)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
