"""The SQL behind the Accounts view at scale: ordered account ids, a filter index, one page's rows.

The view never holds every account: it keeps the ids of the list in its order (8 bytes each) and
reads the rows of the pages it draws (``page_rows``). Its filter is a case-insensitive substring
of seller id, name or store:

- SQLite: an FTS5 table with the trigram tokenizer (``account_fts``, external content on
  ``account``, kept current by triggers on ``account``'s insert, delete and an update of those
  three columns) answers a needle of three characters or more without a scan;
- PostgreSQL: a ``pg_trgm`` GIN index on ``account.search`` (the three fields, lower-cased,
  a generated column) answers the same needles, when the extension can be had (else the filter
  walks); the PostgreSQL pieces live in ``store.account_pg``;
- any needle: ``matching_in`` tests a chunk of ids (a walk of the ordered ids, stopped early
  for a first screenful); a needle the index answers is tested against the set of ids it
  finds (``indexed_ids``) instead, or joined to the order (``ordered_ids(by_index=)``).

The window counts come from ``store.window``'s counters when they hold the day or one a little
earlier (``store.page_counts``: moved to the day for the page's accounts alone), else from a
count over the page's accounts only."""

from __future__ import annotations

import json
import sqlite3
from array import array
from collections.abc import Callable, Sequence
from datetime import date
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from ahr_tui.rules import Policy, window_bounds
from ahr_tui.store import account_pg
from ahr_tui.store.page_counts import counts_from, held_day, page_counts
from ahr_tui.store.queries import day_literals, id_filter

#: The orders the view offers (``service.account_list.AccountSort``'s values).
SELLER, AHR, BELOW, NAME = "seller", "ahr", "below", "name"
#: The orders whose keys are the account's own columns (seller id, name, store): a filter
#: walks them in an index of ``account`` with the filter's test, stopped at the first matches,
#: and needs neither ``score`` nor ``window_count`` to order what it finds.
OWN_ORDERS: frozenset[str] = frozenset({SELLER, NAME})

_SQLITE_INDEX = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS account_fts USING fts5(seller_id, name, store, "
    "content='account', content_rowid='id', tokenize='trigram')",
    "CREATE INDEX IF NOT EXISTS ix_account_name_nocase ON account "
    "(name COLLATE NOCASE, seller_id, store)",
    # The seller order's filter walk (a needle the trigram index cannot answer) reads the three
    # columns here, not each account's row: at 1M, ``zz``'s first 100 matches 120-240 ms -> a
    # few ms, its whole list 2.2 s -> 0.4 s (51 MB).
    "CREATE INDEX IF NOT EXISTS ix_account_seller_cover ON account (seller_id, store, name)",
    "CREATE TRIGGER IF NOT EXISTS ahr_account_fts_insert AFTER INSERT ON account BEGIN "
    "INSERT INTO account_fts (rowid, seller_id, name, store) "
    "VALUES (NEW.id, NEW.seller_id, NEW.name, NEW.store); END",
    "CREATE TRIGGER IF NOT EXISTS ahr_account_fts_delete AFTER DELETE ON account BEGIN "
    "INSERT INTO account_fts (account_fts, rowid, seller_id, name, store) "
    "VALUES ('delete', OLD.id, OLD.seller_id, OLD.name, OLD.store); END",
    "CREATE TRIGGER IF NOT EXISTS ahr_account_fts_update "
    "AFTER UPDATE OF seller_id, name, store ON account BEGIN "
    "INSERT INTO account_fts (account_fts, rowid, seller_id, name, store) "
    "VALUES ('delete', OLD.id, OLD.seller_id, OLD.name, OLD.store); "
    "INSERT INTO account_fts (rowid, seller_id, name, store) "
    "VALUES (NEW.id, NEW.seller_id, NEW.name, NEW.store); END",
]
def install_index(conn: Connection) -> bool:
    """Create the filter index, its triggers and the name-order index (idempotent: ``ahr init``
    adds them to an older database). On SQLite a new ``account_fts`` is filled from ``account``
    (about 25 s per million accounts). True when the filter index was created now."""
    if conn.dialect.name == "sqlite":
        new = not conn.execute(
            text("SELECT 1 FROM sqlite_master WHERE name = 'account_fts'")).first()
        for statement in _SQLITE_INDEX:
            conn.execute(text(statement))
        if new:
            conn.execute(text("INSERT INTO account_fts (account_fts) VALUES ('rebuild')"))
        return new
    return account_pg.install_index(conn)


def install(bind: Engine | Connection) -> None:
    """``install_index`` in its own transaction when given an engine."""
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            install_index(conn)
    else:
        install_index(bind)


def settle(engine: Engine) -> None:
    """After many accounts changed (a sweep's enrolments): on PostgreSQL, vacuum ``account``
    so that the view's index-only scans stay index-only (``account_pg.vacuum_account``); on
    SQLite nothing (its indexes hold what the view reads)."""
    if engine.dialect.name == "postgresql":
        account_pg.vacuum_account(engine, analyze=False)


# ------------------------------------------------------------------ order


def _latest_sql(as_of: date, policy: Policy, column: str = "score") -> str:
    """The account's newest score (or its day) in the window, NULL without one: key seeks on
    the window's days, newest first, stopping at the first found (one seek for an account
    scored on the window's last day)."""
    days = day_literals(*window_bounds(as_of, policy))
    return (f"(SELECT s.{column} FROM score s WHERE s.day IN ({days}) AND s.account_id = a.id "
            "ORDER BY s.day DESC LIMIT 1)")


def _order_sql(session: Session, sort: str, as_of: date, policy: Policy) -> tuple[str, str]:
    """(FROM clause, ORDER BY) of the list in ``sort``. BELOW reads ``window_count`` when it
    holds the day (``counts_current``), else counts the window (a GROUP BY over every score)."""
    nocase = "a.name COLLATE NOCASE" if _sqlite(session) else "lower(a.name)"
    if sort == AHR:
        return "account a", f"coalesce({_latest_sql(as_of, policy)}, -1), a.seller_id, a.store"
    if sort == BELOW:
        counted = "window_count" if counts_current(session, as_of, policy) else (
            "(SELECT account_id, sum(CASE WHEN score >= :t THEN 1 ELSE 0 END) AS at_or_above "
            "FROM score WHERE day >= :first AND day <= :last GROUP BY account_id)")
        return (f"account a LEFT JOIN {counted} w ON w.account_id = a.id",
                "coalesce(w.at_or_above, 0), a.seller_id, a.store")
    if sort == NAME:
        return "account a", f"{nocase}, a.seller_id, a.store"
    return "account a", "a.seller_id, a.store"


def ordered_ids(
    session: Session, sort: str, as_of: date, policy: Policy,
    *, limit: int | None = None, among: Sequence[int] | None = None,
    matching: str | None = None, by_index: bool = False,
    stop: Callable[[], bool] = lambda: False,
) -> array[int] | None:
    """Account ids in ``sort`` order (every account, those of ``among``, or those matching the
    needle ``matching`` as ``matching_in`` tests it: with ``by_index``, as the trigram index
    finds it, which needs ``indexable``), at most ``limit``.

    Read 10,000 at a time; None when ``stop()`` turned true meanwhile (a newer request)."""
    source, order = _order_sql(session, sort, as_of, policy)
    where, params = _where(session, among, matching, by_index)
    params.update(_window_params(session, as_of, policy))
    sql = f"SELECT a.id FROM {source} {where} ORDER BY {order}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    if not _sqlite(session):
        return account_pg.read_ids(session, sql, params, stop)
    # The driver's own tuples (a million SQLAlchemy rows cost seconds); a progress handler
    # interrupts the statement once ``stop()``: a newer keystroke never waits behind a scan.
    raw: Any = session.connection().connection.driver_connection
    raw.set_progress_handler(lambda: 1 if stop() else 0, 20_000)
    try:
        return _fetch_ids(raw.execute(sql, params), stop)
    except sqlite3.OperationalError:
        if stop():
            return None
        raise
    finally:
        raw.set_progress_handler(None, 0)


def _where(
    session: Session, among: Sequence[int] | None, matching: str | None, by_index: bool
) -> tuple[str, dict[str, Any]]:
    """``ordered_ids``'s WHERE clause (empty for every account) and its parameters."""
    if among is not None:
        where, params = id_filter(session, among)
        return "WHERE " + where, params
    if matching is not None and by_index and _sqlite(session):
        return ("WHERE a.id IN (SELECT rowid FROM account_fts WHERE account_fts MATCH :q)",
                {"q": _phrase(matching)})
    if matching is not None and by_index:
        return "WHERE " + account_pg.SEARCH_TEST, {"p": like_pattern(matching)}
    if matching is not None:
        test, params = _walk_test(session, matching)
        return "WHERE " + test, params
    return "", {}


def _fetch_ids(result: Any, stop: Callable[[], bool]) -> array[int] | None:
    ids: array[int] = array("q")
    while chunk := result.fetchmany(10_000):
        if stop():
            result.close()
            return None
        ids.extend(map(itemgetter(0), chunk))
    return ids


def counts_current(session: Session, as_of: date, policy: Policy) -> bool:
    """True when ``window_count`` holds the window ending on ``as_of`` with nothing dirty, so
    the BELOW order can read it."""
    return held_day(session, as_of, policy) == as_of and session.execute(
        text("SELECT 1 FROM window_dirty LIMIT 1")).first() is None


def account_signature(session: Session) -> tuple[int, int]:
    """(count, highest id) of the accounts: two statements, each answered from a b-tree
    without reading the rows (together, SQLite would scan the table)."""
    count = session.execute(text("SELECT count(*) FROM account")).scalar()
    top = session.execute(text("SELECT max(id) FROM account")).scalar()
    return int(count or 0), int(top or 0)


def account_total(session: Session) -> int:
    return int(session.execute(text("SELECT count(*) FROM account")).scalar() or 0)


# ----------------------------------------------------------------- filter


def like_pattern(needle: str) -> str:
    """``%needle%`` for LIKE with ``\\`` as the escape character, lower-cased."""
    escaped = needle.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def indexable(session: Session, needle: str) -> bool:
    """Whether the trigram index answers ``needle``: three characters or more, on PostgreSQL
    when ``pg_trgm``'s index exists (``install_index``) and the needle holds no
    ``account_pg.SEPARATOR``."""
    if len(needle) < 3:
        return False
    return _sqlite(session) or (account_pg.SEPARATOR not in needle
                                and account_pg.has_trgm(session))


def _phrase(needle: str) -> str:
    return '"' + needle.replace('"', '""') + '"'


def indexed_matches(session: Session, needle: str, cap: int) -> list[int] | None:
    """The ids of the accounts whose seller id, name or store contains ``needle``, from the
    trigram index, if there are at most ``cap`` of them; None when the index cannot answer
    (``indexable``) or more match."""
    if not indexable(session, needle):
        return None
    if _sqlite(session):
        rows = session.execute(
            text("SELECT rowid FROM account_fts WHERE account_fts MATCH :q LIMIT :n"),
            {"q": _phrase(needle), "n": cap + 1},
        ).all()
    else:
        rows = session.execute(
            text(f"SELECT a.id FROM account a WHERE {account_pg.SEARCH_TEST} LIMIT :n"),
            {"p": like_pattern(needle), "n": cap + 1},
        ).all()
    return None if len(rows) > cap else [int(r[0]) for r in rows]


def dense_first(
    session: Session, needle: str, sort: str, as_of: date, policy: Policy, first: int
) -> array[int] | None:
    """PostgreSQL, the seller and name orders: the first ``first`` accounts that match
    ``needle`` (which ``indexable`` must allow), when they lie close together in the order
    (``account_pg.dense_first``); None otherwise, and always on SQLite, whose FTS5 index
    counts a needle's matches up to the cap in a few milliseconds."""
    if _sqlite(session) or sort not in OWN_ORDERS or first <= 0:
        return None
    _, order = _order_sql(session, sort, as_of, policy)
    return account_pg.dense_first(session, order, needle, first)


def indexed_in_order(
    session: Session, needle: str, cap: int, sort: str, as_of: date, policy: Policy,
    stop: Callable[[], bool] = lambda: False,
) -> array[int] | None:
    """The ids of the accounts whose seller id, name or store contains ``needle``, in ``sort``
    order, when the trigram index answers (``indexable``) and at most ``cap`` match; None when
    it cannot, more match, or ``stop()`` turned true. SQLite: the index's matches, then their
    order (``ordered_ids``); PostgreSQL: both in one statement (``account_pg``)."""
    if not indexable(session, needle):
        return None
    if _sqlite(session):
        few = indexed_matches(session, needle, cap)
        if few is None:
            return None
        return ordered_ids(session, sort, as_of, policy, among=few, stop=stop)
    source, order = _order_sql(session, sort, as_of, policy)
    params = {"p": like_pattern(needle), **_window_params(session, as_of, policy)}
    return account_pg.matches_in_order(session, None if sort in OWN_ORDERS else source, order,
                                       params, cap, stop)


def indexed_ids(session: Session, needle: str) -> set[int]:
    """Every id the trigram index finds for ``needle`` (``indexable`` must hold): about 0.1 s
    for 250,000 of a million accounts, read with the driver's own tuples."""
    if not _sqlite(session):
        found = f"SELECT a.id FROM account a WHERE {account_pg.SEARCH_TEST}"
        ids = account_pg.read_ids(session, found, {"p": like_pattern(needle)}, lambda: False)
        return set(ids or ())
    raw: Any = session.connection().connection.driver_connection
    rows = raw.execute("SELECT rowid FROM account_fts WHERE account_fts MATCH ?",
                       (_phrase(needle),))
    return set(map(itemgetter(0), rows))


def matching_in(session: Session, ids: Sequence[int], needle: str) -> set[int]:
    """Which of ``ids`` (a chunk of a few thousand) match ``needle`` (case-insensitive
    substring of seller id, name or store)."""
    where, params = id_filter(session, ids)
    test, bound = _walk_test(session, needle)
    params.update(bound)
    rows = session.execute(text(f"SELECT a.id FROM account a WHERE {where} AND {test}"), params)
    return {int(r[0]) for r in rows}


def _walk_test(session: Session, needle: str) -> tuple[str, dict[str, Any]]:
    """The filter's test on ``account a`` for ``needle`` in a walk, and the parameters it binds.

    SQLite's ``LIKE`` folds ASCII letters alone (``ö`` missed ``Ölberg``, where the trigram
    index, which answers three characters or more, folds every letter): a needle beyond ASCII
    is tested with ``GLOB`` and a class of each of its letters' cases instead
    (``glob_pattern``), in SQLite's C as ``LIKE`` is. PostgreSQL: ``account_pg.walk_test``,
    the needle bound lower-cased."""
    if not _sqlite(session):
        return account_pg.walk_test(needle), {"s": needle.lower()}
    if needle.isascii():
        test, params = "LIKE :p ESCAPE '\\'", {"p": like_pattern(needle)}
    else:
        test, params = "GLOB :g", {"g": glob_pattern(needle)}
    return " OR ".join(f"a.{field} {test}" for field in ("seller_id", "name", "store")
                       ).join("()"), params


#: The characters ``GLOB`` reads as a pattern: each stands for itself in a class of its own.
_GLOB_SPECIAL = frozenset("*?[")


def glob_pattern(needle: str) -> str:
    """``*needle*`` for SQLite's case-sensitive ``GLOB``, each letter a class of the characters
    whose lower case is its own (``Öl`` -> ``*[Öö][Ll]*``; ``ß`` -> ``[ßẞ]``, though ``ß``'s upper
    case is ``SS``), as the filter folds a field (``str.lower``); ``*``, ``?`` and ``[`` each in
    a class of its own."""
    parts = []
    for char in needle:
        cases = sorted(_cases(char))
        if len(cases) > 1 or char in _GLOB_SPECIAL:
            parts.append("[" + "".join(cases) + "]")
        else:
            parts.append(char)
    return "*" + "".join(parts) + "*"


def _cases(char: str) -> set[str]:
    """``char``, its one-character lower and upper cases, and every character of the Basic
    Multilingual Plane whose lower case is ``char``'s."""
    lower = char.lower()
    found = {c for c in (char, lower, char.upper()) if len(c) == 1}
    return found | _upper_of().get(lower, set()) if len(lower) == 1 else found


@cache
def _upper_of() -> dict[str, set[str]]:
    """Each lower-case character of the Basic Multilingual Plane: the characters that lower to
    it (``ß``: ``ẞ``; ``k``: ``K`` and the Kelvin sign), worked out once (about 30 ms)."""
    found: dict[str, set[str]] = {}
    for code in range(0x10000):
        char = chr(code)
        lower = char.lower()
        if lower != char and len(lower) == 1:
            found.setdefault(lower, set()).add(char)
    return found


# ------------------------------------------------------------------ rows


def page_rows(session: Session, ids: Sequence[int], as_of: date, policy: Policy) -> list[Any]:
    """The rows of ``ids`` in that order: (id, seller_id, store, name, plan, status, enrollment,
    phone, region, newest day, newest score, days scored, days at or above the threshold)."""
    if not ids:
        return []
    if _sqlite(session):
        return _sqlite_page_rows(session, ids, as_of, policy)
    where, params = id_filter(session, ids)
    params.update(_window_params(session, as_of, policy))
    newest = _latest_sql(as_of, policy, "day")
    found = session.execute(text(
        f"{_PAGE_SELECT}, {newest}, {_latest_sql(as_of, policy)} "
        f"FROM account a JOIN store st ON st.code = a.store WHERE {where}"), params).all()
    counts = page_counts(session, [int(r[0]) for r in found], as_of, policy)
    by_id = {int(r[0]): (*r, *counts.get(int(r[0]), (0, 0))) for r in found}
    return [by_id[i] for i in ids if i in by_id]


_PAGE_SELECT = ("SELECT a.id, a.seller_id, a.store, a.name, a.plan, a.status, a.enrollment, "
                "a.emergency_phone, st.region")


def _sqlite_page_rows(
    session: Session, ids: Sequence[int], as_of: date, policy: Policy
) -> list[Any]:
    """``page_rows`` with the driver's cursor: the same statements all day (kept prepared by
    the driver), no SQLAlchemy compiling of 180 days and the ids at each call."""
    raw: Any = session.connection().connection.driver_connection
    listed = json.dumps(list(ids))
    days = day_literals(*window_bounds(as_of, policy))
    found = raw.execute(
        f"{_PAGE_SELECT}, {_latest_sql(as_of, policy, 'day')}, {_latest_sql(as_of, policy)} "
        "FROM account a JOIN store st ON st.code = a.store "
        "WHERE a.id IN (SELECT value FROM json_each(?))",
        (listed,)).fetchall()
    held = held_day(session, as_of, policy)
    if held is not None:  # the counters, moved to the day if they hold one a little earlier
        counts = counts_from(session, [int(r[0]) for r in found], held, as_of, policy)
    else:  # each (day, account) a key seek: days x accounts of the page, no more
        counts = {a: (n, ok) for a, n, ok in raw.execute(
            f"SELECT account_id, count(*), sum(score >= ?) FROM score WHERE day IN ({days}) "
            "AND account_id IN (SELECT value FROM json_each(?)) GROUP BY account_id",
            (policy.threshold, listed))}
    by_id = {r[0]: (*r, *counts.get(r[0], (0, 0))) for r in found}
    return [by_id[i] for i in ids if i in by_id]


# ---------------------------------------------------------------- helpers


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _window_params(session: Session, as_of: date, policy: Policy) -> dict[str, Any]:
    first, last = window_bounds(as_of, policy)
    if _sqlite(session):
        return {"first": first.isoformat(), "last": last.isoformat(), "t": policy.threshold}
    return {"first": first, "last": last, "t": policy.threshold}
