"""The daily import on PostgreSQL with ``score``'s declared foreign key (A) and with the
statement triggers of ``store.account_keys`` (B), interleaved A B B A per round, each next to
SQLite's import of a new day into the same accounts (a ratio per round, as DESIGN.md section 7
counts it).

Needs a SQLite database and a PostgreSQL copy of it, both initialised and swept (the state
``bench_scale_pg.py --keep`` leaves the schema in; for SQLite, a copy of the sample given
``ahr init`` and a sweep). Each import adds a day after ``--from-day``; a ``CHECKPOINT`` comes
before each PostgreSQL import.

    .venv/bin/python bench/ab_pg_import.py --sqlite bench/out/acc1m.db --rounds 2 \\
        --pg 'postgresql+psycopg://postgres@127.0.0.1:5432/ahr_pg1m?options=-csearch_path%3Dm1' \\
        --from-day 2026-03-10
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date, timedelta
from pathlib import Path

from bench_scale import OUT, ahr, daily_file
from sqlalchemy import text

from ahr_tui.store import account_keys
from ahr_tui.store.engine import make_engine

_DECLARED = ("ALTER TABLE score ADD CONSTRAINT score_account_id_fkey FOREIGN KEY (account_id) "
             "REFERENCES account (id) NOT VALID")  # new rows are checked all the same


def use_declared_key(url: str, declared: bool) -> None:
    """A: the foreign key as ``create_all`` declares it, no trigger; B: as ``ahr init`` now
    leaves it."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            if declared:
                trigger = account_keys.ACCOUNT.insert_trigger("score")
                conn.execute(text(f"DROP TRIGGER IF EXISTS {trigger} ON score"))
                conn.execute(text(_DECLARED))
            else:
                account_keys.install(conn)
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("CHECKPOINT"))
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sqlite", required=True, type=Path)
    parser.add_argument("--pg", required=True, metavar="URL")
    parser.add_argument("--from-day", required=True, type=date.fromisoformat)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print(f"load average {Path('/proc/loadavg').read_text().strip()}", flush=True)
    day = args.from_day
    with tempfile.TemporaryDirectory(prefix="ahr-ab-", dir=OUT) as folder:
        for round_no in range(args.rounds):
            for declared in ((True, False) if round_no % 2 == 0 else (False, True)):
                day += timedelta(days=1)
                scores = Path(folder) / f"{day}.csv"
                rows = daily_file(scores, args.sqlite, day.isoformat())
                lite = ahr("--db", str(args.sqlite), "import", "scores", str(scores), "--quiet")
                use_declared_key(args.pg, declared)
                pg = ahr("--db", args.pg, "import", "scores", str(scores), "--quiet")
                kind = "A foreign key" if declared else "B triggers   "
                print(f"round {round_no + 1} {day} {rows:,} scores: SQLite {lite[0]:.2f} s "
                      f"({lite[1]:.2f} s CPU); PostgreSQL {kind} {pg[0]:.2f} s "
                      f"({pg[1]:.2f} s CPU) = {pg[0] / lite[0]:.2f}x", flush=True)
    use_declared_key(args.pg, False)
    print(f"load average {Path('/proc/loadavg').read_text().strip()}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
