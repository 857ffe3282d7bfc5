"""``ahr demo``: a sample database moved in time so that its cases are live now.

``make_demo`` generates the sample afresh (the seed and size of the bundled ``sample.db``) into the
demo's own file: it never reads ``sample.db``, so nothing that happened to that file (opened with
``ahr tui`` as a lead, swept, edited, deleted, or missing from a wheel install) can show in the
demo. Generating costs about 0.1 s, as much as checking that a copy is untouched would.
``make_live_copy`` moves a copy of a given sample database the same way.

Every instant moves by ``now - reference_instant`` and every score day by the whole-day
difference of the two UTC dates, so an open case has exactly the time left it had at the
reference, and the last complete day of scores is yesterday. Shifting changes hashed content, so
the copy's audit chain is recomputed (it is a copy for demonstration, not evidence); the demo
user then joins as a lead with an ordinary audited event, appended after the re-hash.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import SQLModel

from ahr_tui.errors import DatabaseProblem, InvalidInput
from ahr_tui.notify.render import render
from ahr_tui.rules import NotificationKind, Role
from ahr_tui.sample.build import BUNDLED, generate
from ahr_tui.sample.rows import HashedEvent, chain, db_instant, from_db_instant
from ahr_tui.store import audit
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import make_engine, transaction
from ahr_tui.store.models import Operator
from ahr_tui.store.schema import GENESIS_HASH, check_schema
from ahr_tui.store.types import UTCDateTime

_AS_OF = re.compile(r"\bas of (\d{4}-\d{2}-\d{2})\b")


def make_live_copy(source: Path, target: Path, *, now: datetime, actor: Actor) -> None:
    """Copy ``source`` to the new file ``target`` with its times moved to ``now``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    refuse_existing(target)
    _copy(source, target)
    _go_live(target, now, actor)


def refuse_existing(target: Path) -> None:
    """Raise ``InvalidInput`` if ``target`` exists: a demo's copy never replaces a file."""
    if target.exists():
        raise InvalidInput(f"{target} exists; choose a new path (the demo never overwrites).")


def make_demo(target: Path, *, now: datetime, actor: Actor) -> None:
    """Generate the bundled sample into the new file ``target``, its times moved to ``now``;
    ``actor`` is its first lead."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    refuse_existing(target)
    generate(target, **BUNDLED, actor=actor)
    _go_live(target, now, actor)


def _go_live(target: Path, now: datetime, actor: Actor) -> None:
    try:
        conn = sqlite3.connect(target, isolation_level=None)
        try:
            _shift(conn, now.astimezone(UTC))
            conn.execute("PRAGMA journal_mode=WAL")
        finally:
            conn.close()
        _join_as_lead(target, actor, now)
    except BaseException:
        for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)
        raise


def _copy(source: Path, target: Path) -> None:
    if not source.is_file():
        raise DatabaseProblem(f"no sample database at {source}.")
    # A read-only reader of a WAL database leaves -wal and -shm files beside it (next to the
    # bundled sample.db, in a checkout); with nothing in a -wal to read, open it as immutable.
    wal = Path(f"{source}-wal")
    mode = "mode=ro" if wal.exists() and wal.stat().st_size > 0 else "immutable=1"
    try:
        src = sqlite3.connect(f"{source.resolve().as_uri()}?{mode}", uri=True)
    except sqlite3.Error as exc:
        raise DatabaseProblem(f"cannot read {source}: {exc}.") from None
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    except sqlite3.DatabaseError as exc:
        target.unlink(missing_ok=True)
        raise DatabaseProblem(f"cannot copy {source}: {exc}.") from None
    finally:
        src.close()


def _reference(conn: sqlite3.Connection) -> datetime:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'reference_instant'").fetchone()
    except sqlite3.DatabaseError:
        row = None
    if row is None:
        raise DatabaseProblem(
            "that database has no reference instant; make one with `ahr sample --out sample.db`."
        )
    return datetime.fromisoformat(row[0]).astimezone(UTC)


def instant_columns(conn: sqlite3.Connection) -> Iterator[tuple[str, str]]:
    """Every ``UTCDateTime`` column of the models that exists in this database."""
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in present:
            continue
        for column in table.columns:
            if isinstance(column.type, UTCDateTime):
                yield table.name, column.name


def _shift(conn: sqlite3.Connection, now: datetime) -> None:
    reference = _reference(conn)
    delta = now - reference
    days = (now.date() - reference.date()).days

    def moved(value: str | None) -> str | None:
        instant = from_db_instant(value)
        return None if instant is None else db_instant(instant + delta)

    conn.create_function("ahr_moved", 1, moved, deterministic=True)
    conn.execute("BEGIN")
    for table, column in instant_columns(conn):
        conn.execute(f'UPDATE "{table}" SET "{column}" = ahr_moved("{column}") '
                     f'WHERE "{column}" IS NOT NULL')
    _shift_scores(conn, days)
    _shift_notes(conn, days)
    created = conn.execute("SELECT value FROM meta WHERE key = 'created_at'").fetchone()
    if created is not None:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'created_at'",
                     ((datetime.fromisoformat(created[0]) + delta).isoformat(),))
    conn.execute("UPDATE meta SET value = ? WHERE key = 'reference_instant'",
                 (now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),))
    _rerender(conn)
    _rehash(conn)
    conn.execute("COMMIT")


def _shift_scores(conn: sqlite3.Connection, days: int) -> None:
    """Whole days; through a temporary table, since shifting in place collides on the key."""
    conn.execute("CREATE TEMP TABLE moved_score AS SELECT account_id, date(day, ?) AS day, score "
                 "FROM score", (f"{days:+d} days",))
    conn.execute("DELETE FROM score")
    conn.execute("INSERT INTO score (account_id, day, score) SELECT account_id, day, score "
                 "FROM moved_score ORDER BY day, account_id")
    conn.execute("DROP TABLE moved_score")


def _shift_notes(conn: sqlite3.Connection, days: int) -> None:
    """The sweep's notes name the day they evaluated ('as of 2026-03-01'): move it too."""
    def moved(match: re.Match[str]) -> str:
        day = date.fromisoformat(match.group(1)) + timedelta(days=days)
        return f"as of {day.isoformat()}"

    rows = conn.execute("SELECT id, note FROM event WHERE note LIKE '%as of %'").fetchall()
    conn.executemany("UPDATE event SET note = ? WHERE id = ?",
                     [(_AS_OF.sub(moved, note), event_id) for event_id, note in rows])


def _rerender(conn: sqlite3.Connection) -> None:
    """Notifications quote the case deadline; render them again from the moved rows."""
    rows = conn.execute(
        "SELECT n.id, n.kind, a.seller_id, a.name, a.store, c.id, c.policy, c.summary, c.deadline "
        "FROM notification AS n JOIN account AS a ON a.id = n.account_id "
        "LEFT JOIN aha_case AS c ON c.id = n.case_id"
    ).fetchall()
    updates = []
    for nid, kind, seller, name, store, case_id, policy, summary, deadline in rows:
        text = render(NotificationKind(kind), seller_id=seller, seller_name=name, store=store,
                      case_id=case_id, policy=policy, summary=summary,
                      deadline=from_db_instant(deadline))
        updates.append((text.subject, text.body, nid))
    conn.executemany("UPDATE notification SET subject = ?, body = ? WHERE id = ?", updates)


def _rehash(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        "SELECT id, at, recorded_at, actor, client, tty, account_id, case_id, action, "
        "from_state, to_state, note FROM event ORDER BY id"
    ).fetchall()
    events = (HashedEvent.from_row(row) for row in rows)
    head = GENESIS_HASH
    updates = []
    for event, prev, digest in chain(events, GENESIS_HASH):
        updates.append((prev, digest, event.id))
        head = digest
    conn.executemany("UPDATE event SET prev_hash = ?, hash = ? WHERE id = ?", updates)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", (head,))


def _join_as_lead(target: Path, actor: Actor, now: datetime) -> None:
    engine = make_engine(str(target))
    try:
        check_schema(engine)
        with transaction(engine, write=True) as session:
            if session.get(Operator, actor.name) is not None:
                return
            session.add(Operator(name=actor.name, role=Role.LEAD.value, added_at=now,
                                 added_by=actor.name))
            audit.append(session, actor=actor, action="operator_add", at=now, recorded_at=now,
                         to_state=Role.LEAD.value, note=f"{actor.name} (lead of this demo copy)")
    finally:
        engine.dispose()
