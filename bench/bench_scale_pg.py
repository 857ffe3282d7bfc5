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
4. the Accounts view's reads, as the view does them, in a process of their own (its wall and
   CPU around each read, the database opened beforehand): the first rows (``tab`` to the first
   screenful), every id in seller order, and each filter keystroke of ``NEEDLES`` to its first
   screenful (the median of three), and the worst of them;
5. every account reset to ``not_enrolled`` (on PostgreSQL then vacuumed, as autovacuum would
   be after a change of every row), the sweep that enrols them and a repeat: (that sweep - the
   repeat) / changes is the cost of one enrolment change. ``--rounds N`` takes step 5 N times
   (the backends' order alternating) and reports each backend's median, and each round's ratio.

Each PostgreSQL figure is printed with its ratio to the SQLite one (DESIGN.md section 7:
<= 2x).

    .venv/bin/python bench/bench_scale_pg.py --accounts 50000 \
        --pg postgresql+psycopg://postgres@127.0.0.1:5432/test

At 1,000,000 accounts the copy takes half an hour or more: ``--copied SCHEMA`` uses a schema that
``ahr db copy --from bench/out/scale-N.db`` filled beforehand instead (it is dropped afterwards
all the same, unless ``--keep``: then it stays, as the steps left it, for a look at a query).
``--enrolment-only`` times step 5 alone on such a kept schema (the SQLite copy takes steps 1-3
untimed to reach the same point).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
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

#: The Accounts view's reads (bench_scale.py's, with the CPU of each): one line of
#: "what wall cpu" per read, the database opened (schema checked) beforehand.
_VIEW = """
import sys, time
NEEDLES = sys.argv[3].split(",")
from datetime import datetime
from ahr_tui.service.database import open_database
from ahr_tui.service.account_list import AccountSort, filtered, first_page, ordered
from ahr_tui.rules import last_complete_day
as_of = last_complete_day(datetime.fromisoformat(sys.argv[2]))
engine = open_database(sys.argv[1])
def timed(what, fn):
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    print(what, time.perf_counter() - wall, time.process_time() - cpu)
    return value
timed("first", lambda: first_page(engine, as_of, AccountSort.SELLER, 200))
ids = timed("every", lambda: ordered(engine, as_of, AccountSort.SELLER))
worst = (0.0, 0.0)
for needle in NEEDLES:  # one keystroke each, until its first screenful: the median of 3
    times = []
    for _ in range(3):
        wall, cpu, shown = time.perf_counter(), time.process_time(), []
        filtered(engine, as_of, AccountSort.SELLER, lambda: ids, needle, first=200,
                 on_first=lambda part: shown.append((time.perf_counter() - wall,
                                                     time.process_time() - cpu)))
        times.append(shown[0] if shown else (time.perf_counter() - wall,
                                             time.process_time() - cpu))
    middle = sorted(times)[1]
    print(f"key:{needle}", *middle)
    worst = max(worst, middle)
print("keystroke", *worst)
print("ids", len(ids), 0)
"""
#: The filter's needles: growing ones, as typed, and bench_accounts.py's (many matches, a few,
#: two characters, CJK).
NEEDLES = ("a", "ac", "acm", "acme", "kitch", "9ar", "yiwu", "贸易", "zz")
VIEW_READS = {"first": "Accounts view: first rows",
              "every": "every id in seller order",
              **{f"key:{n}": f"  keystroke {n!r}" for n in NEEDLES},
              "keystroke": "filter keystroke, worst needle"}


def view_reads(db: str, now: datetime) -> tuple[dict[str, Figure], int]:
    """The Accounts view's reads on ``db`` at ``now``: {what: (wall s, CPU s, 0)} and the
    number of ids listed. Raises ``SystemExit`` with the child's error if it fails."""
    done = subprocess.run([sys.executable, "-c", _VIEW, db, now.isoformat(), ",".join(NEEDLES)],
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"the Accounts view's reads failed on {db}: {done.stderr}")
    rows = {what: (float(wall), float(cpu)) for what, wall, cpu in
            (line.split() for line in done.stdout.splitlines())}
    ids = int(rows.pop("ids")[0])
    return {VIEW_READS[what]: (wall, cpu, 0) for what, (wall, cpu) in rows.items()}, ids


def steps(dbs: dict[str, str], now: datetime, scores: Path,
          resets: dict[str, Callable[[], None]],
          enrolment_only: frozenset[str] = frozenset(), rounds: int = 1,
          ) -> dict[str, dict[str, Figure]]:
    """The issue's operations on each of ``dbs`` (name -> path or URL), each as (wall, CPU,
    RSS); every step runs on one backend and then on the next, so that a change in the
    machine's load falls on both alike. ``enrolment_only``: the backends already at step 5 (a
    ``--copied`` schema a run has used): the others take steps 1-3 untimed to reach it (no
    view reads), and only step 5 is reported. ``rounds``: step 5 that many times, each
    backend's enrolment change the median of its rounds (the backends' order alternates)."""
    every = dbs
    figures: dict[str, dict[str, Figure]] = {name: {} for name in dbs}
    out: dict[str, str] = {}

    def each(what: str | None, *args: str) -> None:
        for name, db in dbs.items():
            wall, cpu, rss, out[name] = ahr("--db", db, *args)
            if what is not None:
                figures[name][what] = (wall, cpu, rss)
                print(f"  {what}, {name}: {wall:.3f} s wall, {cpu:.3f} s CPU, RSS {rss} MB",
                      flush=True)

    day = (now + timedelta(days=1)).isoformat()
    if enrolment_only:  # only the backends not at that point yet take the steps up to it
        dbs = {name: db for name, db in dbs.items() if name not in enrolment_only}
    each(None, "init")
    each(None, "sweep", "--now", now.isoformat())
    each("daily import", "import", "scores", str(scores), "--quiet")
    each("first sweep of the day", "sweep", "--now", day)
    each("repeat sweep", "sweep", "--now", day)
    if not enrolment_only:
        for name, db in dbs.items():
            found, ids = view_reads(db, now + timedelta(days=1))
            figures[name].update(found)
            print(f"  {name}: " + "; ".join(f"{what} {wall:.3f} s wall, {cpu:.3f} s CPU"
                                            for what, (wall, cpu, _) in found.items()),
                  flush=True)
            print(f"  {name}: the Accounts view lists {ids:,} accounts", flush=True)
    dbs = every
    for name in dbs:  # the enrolment steps alone: only their figures are compared
        figures[name] = {} if enrolment_only else figures[name]
    per_change: dict[str, list[float]] = {name: [] for name in dbs}
    cpu_change: dict[str, list[float]] = {name: [] for name in dbs}
    for round_ in range(1, rounds + 1):
        # each round's backends in turn, the first going second the next round
        dbs = dict(reversed(every.items())) if round_ % 2 == 0 else every
        for name in dbs:
            resets[name]()
        each("sweep enrolling every reset account", "sweep", "--now", day, "--json")
        reports = {name: json.loads(text) for name, text in out.items()}
        for name, found in reports.items():
            if found["enrolment_held"]:  # the day's scores are not there: nothing to time
                raise SystemExit(f"{name}: the sweep held its enrolment changes (no scores for "
                                 f"{found['as_of']}; scores end {found['scores_end']}): "
                                 "--enrolment-only needs a schema a full run has used")
        changes = {name: max(1, sum(found["enrollment_changes"].values()))
                   for name, found in reports.items()}
        each("its repeat", "sweep", "--now", day)
        for name in dbs:
            first, repeat = (figures[name]["sweep enrolling every reset account"],
                             figures[name]["its repeat"])
            n = changes[name]
            per_change[name].append((first[0] - repeat[0]) / n * 1e6)
            cpu_change[name].append((first[1] - repeat[1]) / n * 1e6)
            print(f"  round {round_}, {name}: {n:,} enrolment changes, "
                  f"{per_change[name][-1]:.1f} us wall a change", flush=True)
        lite, pg = (per_change[name][-1] for name in every)
        print(f"  round {round_}: PostgreSQL / SQLite {pg / lite:.2f}x", flush=True)
    dbs = every
    for name in dbs:  # the median of the rounds (the last round's sweeps stay as they are)
        figures[name]["one enrolment change (us)"] = (
            statistics.median(per_change[name]), statistics.median(cpu_change[name]), 0)
    if rounds > 1:
        ratios = [pg / lite for lite, pg in zip(*per_change.values(), strict=True)]
        print(f"  {rounds} rounds: PostgreSQL / SQLite "
              + ", ".join(f"{r:.2f}x" for r in ratios)
              + f"; median {statistics.median(ratios):.2f}x", flush=True)
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
        # as autovacuum (which README says to keep on) would after a change of every row:
        # unvacuumed, the enrolling sweep's reads pruned the reset's dead rows (a cost of this
        # script's reset; an enrolment in production follows an import's inserts)
        with psycopg.connect(plain, options=f"-c search_path={schema}", autocommit=True) as c:
            c.execute("VACUUM (ANALYZE) account")

    return reset


def report(lite: dict[str, Figure], pg: dict[str, Figure]) -> None:
    print(f"\n  {'what':<36} {'SQLite wall / CPU':>20} {'PostgreSQL wall / CPU':>24}  "
          "PG/SQLite wall (target <= 2x)")
    for (what, (l_wall, l_cpu, _)), (p_wall, p_cpu, _) in zip(lite.items(), pg.values(),
                                                              strict=True):
        unit = "us" if "(us)" in what else "s"
        ratio = p_wall / l_wall if l_wall > 0 else float("nan")
        if "keystroke" in what:  # milliseconds: a keystroke takes a few
            unit, l_wall, l_cpu, p_wall, p_cpu = (
                "ms", l_wall * 1e3, l_cpu * 1e3, p_wall * 1e3, p_cpu * 1e3)
        print(f"  {what:<36} {l_wall:9.3f} / {l_cpu:6.3f} {unit:<2} {p_wall:11.3f} / "
              f"{p_cpu:6.3f} {unit:<2}  {ratio:5.2f}x", flush=True)


def copy_to(plain: str, schema: str, source: Path, url: str) -> None:
    """Create ``schema`` and fill it from ``source`` with ``ahr db copy``, printing how long
    that took."""
    import psycopg

    with psycopg.connect(plain, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    started = time.perf_counter()
    ahr("db", "copy", "--quiet", "--from", str(source), "--to", url)
    print(f"ahr db copy SQLite -> PostgreSQL: {time.perf_counter() - started:.1f} s", flush=True)


def drop_schema(plain: str, schema: str, *, keep: bool) -> None:
    """Drop the run's schema, or with ``keep`` say that it stays."""
    if keep:
        print(f"schema {schema} kept", flush=True)
        return
    import psycopg

    with psycopg.connect(plain, autocommit=True) as admin:
        admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--pg", required=True, metavar="URL")
    parser.add_argument("--copied", metavar="SCHEMA",
                        help="a schema already filled by ahr db copy from the same sample")
    parser.add_argument("--enrolment-only", action="store_true",
                        help="with --copied SCHEMA that a run has used: time step 5 alone (the "
                             "SQLite copy is brought to the same point first, untimed)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="step 5 this many times (reset, enrolling sweep, repeat), "
                             "alternating the backends' order; the median is reported")
    parser.add_argument("--keep", action="store_true",
                        help="leave the schema as the steps left it instead of dropping it")
    args = parser.parse_args()
    print(f"load average {Path('/proc/loadavg').read_text().strip()}; {args.accounts:,} "
          "accounts x 180 days")
    source = OUT / f"scale-{args.accounts}.db"
    ensure_sample(source, args.accounts)
    now = reference(source)
    plain = args.pg.replace("postgresql+psycopg://", "postgresql://")
    schema = args.copied or f"bench_scale_{os.getpid()}"
    url = f"{args.pg}?options=-csearch_path%3D{schema}"
    with tempfile.TemporaryDirectory(prefix="ahr-scale-pg-", dir=OUT) as folder:
        tmp = Path(folder)
        lite_db = tmp / "run.db"
        scores = tmp / "daily.csv"
        try:
            copy_db(source, lite_db)
            daily_file(scores, source, now.date().isoformat())
            if not args.copied:
                copy_to(plain, schema, source, url)
            found = steps({"SQLite": str(lite_db), "PostgreSQL": url}, now, scores,
                          {"SQLite": sqlite_reset(lite_db),
                           "PostgreSQL": pg_reset(plain, schema)},
                          frozenset({"PostgreSQL"}) if args.enrolment_only else frozenset(),
                          rounds=args.rounds)
            lite, pg = found["SQLite"], found["PostgreSQL"]
        finally:
            drop_schema(plain, schema, keep=args.keep)
    report(lite, pg)
    print(f"load average after: {Path('/proc/loadavg').read_text().strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
