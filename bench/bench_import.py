"""Benchmark: ``ahr import scores`` of 1,000,000 rows against sqlite3's own ``.import``.

DESIGN.md section 7: the import must take at most 2.0x the time ``sqlite3 bare.db ".import --csv
--skip 1 scores.csv score"`` takes to load the same CSV into a bare table with the same primary
key, measured in the same run, with a peak RSS of at most 200 MB.

The script generates its own CSV (and the sellers it names) in a temporary directory, times the
sqlite3 baseline twice (a bare table keyed seller first, as the CSV is sorted, and one keyed day
first, as ahr's score table is since schema 4; both ratios are printed), then ``ahr import scores
--quiet`` into a fresh initialised database as a real process, whose peak RSS and CPU time come
from ``wait4``. The ratio is printed for wall time (the target) and CPU time (steadier on a
shared machine). With ``--db URL`` (or ``--backend postgresql``) it also times the PostgreSQL
path into a fresh schema of that database, next to a plain ``COPY`` of the CSV into a bare table
with the same key.

The machine is shared, so each side runs ``--repeat`` times (interleaved) and the best times are
compared; every round is printed too. Peak RSS is the largest seen.

    .venv/bin/python bench/bench_import.py [--rows N] [--sellers N] [--backend postgresql]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

AHR = [sys.executable, "-m", "ahr_tui"]
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: The baselines: the bare table keyed as the CSV is sorted (seller first: ``.import`` appends),
#: and keyed as ahr keys its score table since schema 4 (day first: DESIGN's "same primary key";
#: a seller-by-seller history then lands at one place per day in it too). Both are printed.
BARE_TABLES = {
    "seller first": "CREATE TABLE score(seller_id, store, date, score, "
                    "PRIMARY KEY(seller_id, store, date))",
    "day first": "CREATE TABLE score(seller_id, store, date, score, "
                 "PRIMARY KEY(date, seller_id, store))",
}


def generate(folder: Path, rows: int, sellers: int) -> tuple[Path, Path]:
    """sellers.csv (all in US) and scores.csv: ``rows`` scores, seller by seller, day by day."""
    days = -(-rows // sellers)
    first = date(2025, 1, 1)
    day_text = [(first + timedelta(days=i)).isoformat() for i in range(days)]
    seller_file, score_file = folder / "sellers.csv", folder / "scores.csv"
    with seller_file.open("w", newline="") as out:
        out.write("seller_id,store,name,plan,emergency_phone,email\n")
        for s in range(sellers):
            out.write(f"A{s:09d}X,US,Seller {s},professional,+1 415 555 2671,s{s}@example.com\n")
    with score_file.open("w", newline="") as out:
        out.write("seller_id,store,date,score\n")
        written = 0
        for s in range(sellers):
            lines = [
                f"A{s:09d}X,US,{d},{(s * 7 + i * 13) % 1001}\n" for i, d in enumerate(day_text)
            ]
            lines = lines[: rows - written]
            out.writelines(lines)
            written += len(lines)
            if written >= rows:
                break
    return seller_file, score_file


def timed(cmd: list[str], **kwargs: object) -> tuple[float, float, int]:
    """Run ``cmd``; (wall seconds, CPU seconds, peak RSS in MB) of that process alone."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)  # type: ignore[call-overload]
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{stderr}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def sqlite_figures(folder: Path, sellers: Path, scores: Path, run_no: int) -> dict[str, float]:
    """One round: each sqlite3 baseline, then ahr, each into a fresh database. Keys: ``wall``,
    ``cpu``, ``rss`` (ahr), and ``<baseline> wall`` / ``<baseline> cpu`` per ``BARE_TABLES``."""
    sqlite3 = shutil.which("sqlite3")
    if sqlite3 is None:
        raise SystemExit("the sqlite3 command-line shell is needed: apt-get install -y sqlite3")
    figures: dict[str, float] = {}
    for name, table in BARE_TABLES.items():
        bare = folder / f"bare{run_no}.db"
        run([sqlite3, str(bare), table])
        wall, cpu, _ = timed([sqlite3, str(bare), f".import --csv --skip 1 {scores} score"])
        figures[f"{name} wall"], figures[f"{name} cpu"] = wall, cpu
        bare.unlink()
    db = str(folder / f"ahr{run_no}.db")
    run([*AHR, "--db", db, "init"])
    run([*AHR, "--db", db, "import", "sellers", str(sellers), "--quiet"])
    figures["wall"], figures["cpu"], rss = timed(
        [*AHR, "--db", db, "import", "scores", str(scores), "--quiet"])
    figures["rss"] = rss
    for leftover in folder.glob(f"ahr{run_no}.db*"):
        leftover.unlink()
    return figures


def postgres_figures(url: str, sellers: Path, scores: Path) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    schema = "bench_" + uuid.uuid4().hex[:12]
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        conn.execute(f'CREATE SCHEMA "{schema}_bare"')
    try:
        base = _pg_copy_baseline(plain, f"{schema}_bare", scores)
        db = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
        run([*AHR, "--db", db, "init"])
        run([*AHR, "--db", db, "import", "sellers", str(sellers), "--quiet"])
        wall, cpu, rss = timed([*AHR, "--db", db, "import", "scores", str(scores), "--quiet"])
        print(f"postgresql COPY into a bare table:   {base:6.2f} s")
        print(
            f"postgresql ahr import scores:        {wall:6.2f} s wall, {cpu:5.2f} s CPU, "
            f"peak RSS {rss} MB; {wall / base:.2f}x the bare COPY"
        )
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
            conn.execute(f'DROP SCHEMA "{schema}_bare" CASCADE')


def _pg_copy_baseline(plain_url: str, schema: str, scores: Path) -> float:
    import psycopg

    with psycopg.connect(plain_url) as conn:
        conn.execute(
            f'CREATE TABLE "{schema}".bare (seller_id text, store text, date date, '
            "score integer, PRIMARY KEY (seller_id, store, date))"
        )
        conn.commit()
        start = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy(f'COPY "{schema}".bare FROM STDIN (FORMAT csv, HEADER true)') as copy,
            scores.open("rb") as source,
        ):
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        conn.commit()
        return time.perf_counter() - start


def _round(folder: Path, sellers: Path, scores: Path, run_no: int) -> dict[str, float]:
    got = sqlite_figures(folder, sellers, scores, run_no)
    bases = ", ".join(
        f"{name} {got[name + ' wall']:.2f} s ({got[name + ' cpu']:.2f} CPU)"
        for name in BARE_TABLES)
    print(f"  round {run_no + 1} (load {_load()}): sqlite3 {bases}; ahr {got['wall']:.2f} s "
          f"({got['cpu']:.2f} CPU, {got['rss']:.0f} MB)", flush=True)
    return got


def _summary(rounds: list[dict[str, float]]) -> None:
    """The best of each side over the rounds, and ahr's ratio to each baseline."""
    best = {key: min(r[key] for r in rounds) for key in rounds[0]}
    rss = max(r["rss"] for r in rounds)
    print(f"best of {len(rounds)} rounds:")
    for name in BARE_TABLES:
        print(f"sqlite3 .import, bare table keyed {name + ':':14s}"
              f"{best[name + ' wall']:6.2f} s wall, {best[name + ' cpu']:5.2f} s CPU")
    print(f"ahr import scores (SQLite):                     {best['wall']:6.2f} s wall, "
          f"{best['cpu']:5.2f} s CPU, peak RSS {rss:.0f} MB")
    for name in BARE_TABLES:
        ratio = best["wall"] / best[name + " wall"]
        verdict = "ok" if ratio <= 2.0 else "MISSED"
        print(f"ratio to the {name} baseline: wall {ratio:.2f}x [target <= 2.0] {verdict}; "
              f"CPU {best['cpu'] / best[name + ' cpu']:.2f}x")
    print(f"peak RSS: {rss:.0f} MB  [target <= 200] {'ok' if rss <= 200 else 'MISSED'}",
          flush=True)


def _load() -> str:
    with open("/proc/loadavg") as source:
        return source.read().split()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sellers", type=int, default=5_000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds; the best of each side is compared"
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--db", help="also measure this PostgreSQL database (SQLAlchemy URL)")
    args = parser.parse_args()
    pg_url = args.db or (PG_DEFAULT if args.backend == "postgresql" else None)
    with tempfile.TemporaryDirectory(prefix="ahr-bench-import-") as tmp:
        folder = Path(tmp)
        sellers, scores = generate(folder, args.rows, args.sellers)
        size = scores.stat().st_size / 1e6
        print(f"{args.rows:,} score rows for {args.sellers:,} sellers ({size:.0f} MB CSV)")
        rounds = [_round(folder, sellers, scores, run_no) for run_no in range(args.repeat)]
        _summary(rounds)
        if pg_url:
            postgres_figures(pg_url, sellers, scores)


if __name__ == "__main__":
    main()
