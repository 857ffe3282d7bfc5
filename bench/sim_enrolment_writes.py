"""The SQL of a sweep's enrolment changes alone, in layouts the product does not have: an A/B.

``bench_enrolment.py`` times the product's batch writers; this script asks what SQLite alone
would spend on other layouts before anyone builds them. On a copy of a swept database it
replays, with ``sqlite3`` and no Python work between, what the sweep writes for each account
now enrolled or waiting for a contact (as if each had just moved there): the account update by
id and version, the audit event (fixed 64-character hashes: the hashing is not timed here), the
notification, in batches of 4,800 (a page of 10,000 accounts), then the commit (with its
checkpoint); CPU and wall per change for each of the four, and the write-ahead log's size.
After each variant its events and notifications are deleted and the log checkpointed.

Variants (comma-separated, run in turn, ``--rounds`` times):

- ``bound``: every value bound for each row (the code before the shared values);
- ``shared``: the values every row shares written into the statement (the product now);
- ``narrow``: as ``shared``, the enrolment kept in a table of its own (``account_id``,
  state, instant, version; created in the copy when missing) instead of the account row;
- ``noindex``: as ``shared``, without the notification's two indexes (not an option: the
  delivery and the account's detail read them; it says what they cost).

    .venv/bin/python bench/sim_enrolment_writes.py bench/out/copy.db shared,narrow,bound
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import time
from pathlib import Path

AT = "2026-03-02 12:00:00.000000"
NOTE = "automatic: as of 2026-03-01: all criteria met"
HASH = "ab" * 32
SUBJECT = "You are now enrolled in Account Health Assurance (US)"
BATCH = 4_800
_EVENT = ("INSERT INTO event (id, account_id, case_id, action, from_state, to_state, note, "
          "prev_hash, hash, at, recorded_at, actor, client, tty) VALUES ")
_NOTE = ("INSERT INTO notification (account_id, kind, to_addr, subject, created_at, body, state, "
         "attempts, next_attempt_at) VALUES ")
_INDEXES = ("CREATE INDEX ix_notification_state ON notification (state, next_attempt_at)",
            "CREATE INDEX ix_notification_account_id ON notification (account_id)")


def prepare(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS sim_enrolment (account_id INTEGER PRIMARY KEY "
                 "REFERENCES account (id), enrollment VARCHAR NOT NULL, changed_at DATETIME, "
                 "version INTEGER NOT NULL)")
    if conn.execute("SELECT count(*) FROM sim_enrolment").fetchone()[0] == 0:
        conn.execute("INSERT INTO sim_enrolment SELECT id, enrollment, enrollment_changed_at, "
                     "version FROM account")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def run(conn: sqlite3.Connection, db: Path, variant: str) -> str:
    table, key = ("sim_enrolment", "account_id") if variant == "narrow" else ("account", "id")
    moved = conn.execute(
        f"SELECT {key}, version, enrollment FROM {table} "
        "WHERE enrollment IN ('enrolled', 'pending_contact') ORDER BY 1").fetchall()
    first_event = conn.execute("SELECT max(id) FROM event").fetchone()[0] + 1
    first_note = conn.execute("SELECT coalesce(max(id), 0) FROM notification").fetchone()[0]
    if variant == "noindex":
        conn.execute("DROP INDEX ix_notification_state")
        conn.execute("DROP INDEX ix_notification_account_id")
    spent = {k: [0.0, 0.0] for k in ("account", "event", "notification", "commit")}

    def timed(what: str, sql: str, rows: list[tuple[object, ...]] | None = None) -> None:
        cpu, wall = time.process_time(), time.perf_counter()
        conn.execute(sql) if rows is None else conn.executemany(sql, rows)
        spent[what][0] += time.perf_counter() - wall
        spent[what][1] += time.process_time() - cpu

    bound = variant == "bound"
    stamp = "?" if bound else f"'{AT}'"
    update = (f"UPDATE {table} SET enrollment = ?, "
              f"{'changed_at' if table != 'account' else 'enrollment_changed_at'} = {stamp}, "
              f"version = version + 1 WHERE {key} = ? AND version = ?")
    event = _EVENT + ("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" if bound else
                      f"(?, ?, ?, ?, ?, ?, ?, ?, ?, '{AT}', '{AT}', 'sweeper', NULL, NULL)")
    note = _NOTE + ("(?, ?, ?, ?, ?, ?, ?, ?, ?)" if bound else
                    f"(?, ?, ?, ?, '{AT}', '', 'pending', 0, '{AT}')")
    tail = (AT, AT, "sweeper", None, None)
    conn.execute("BEGIN IMMEDIATE")
    for start in range(0, len(moved), BATCH):
        batch = moved[start:start + BATCH]
        timed("account", update, [(state, *((AT,) if bound else ()), account, version)
                                  for account, version, state in batch])
        timed("event", event, [
            (first_event + start + i, account, None, "enrollment", "not_enrolled", state, NOTE,
             HASH, HASH, *(tail if bound else ()))
            for i, (account, _, state) in enumerate(batch)])
        timed("notification", note, [
            (account, "enrolled" if state == "enrolled" else "contact_needed",
             f"s{account}@example.com", SUBJECT, *((AT, "", "pending", 0, AT) if bound else ()))
            for account, _, state in batch])
    timed("commit", "COMMIT")
    wal = Path(f"{db}-wal").stat().st_size / 1e6
    conn.execute("DELETE FROM event WHERE id >= ?", (first_event,))
    conn.execute("DELETE FROM notification WHERE id > ?", (first_note,))
    if variant == "noindex":
        for sql in _INDEXES:
            conn.execute(sql)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    n = max(1, len(moved))
    total = [sum(v[i] for v in spent.values()) / n * 1e6 for i in (0, 1)]
    parts = ", ".join(f"{k} {w / n * 1e6:.1f}/{c / n * 1e6:.1f}" for k, (w, c) in spent.items())
    return (f"{variant:8s} {n:,} changes: {total[0]:5.1f} us wall {total[1]:5.1f} us CPU "
            f"({parts}); WAL {wal:.0f} MB; load {os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("db", type=Path, help="a copy of a swept ahr SQLite file")
    parser.add_argument("variants", help="comma-separated: bound, shared, narrow, noindex")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    conn = sqlite3.connect(args.db, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    prepare(conn)
    print("per change, wall/CPU us: account update, event, notification, commit")
    for _ in range(args.rounds):
        for variant in args.variants.split(","):
            print(run(conn, args.db, variant), flush=True)
    conn.close()


if __name__ == "__main__":
    main()
