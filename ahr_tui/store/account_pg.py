"""PostgreSQL's side of the Accounts view's SQL (``store.account_list``): the stored search text,
its indexes, the fill factor of ``account``, the filter's tests and the read of a list of ids as
one value.

``account_list`` asks here whenever the database is PostgreSQL; SQLite's counterparts (FTS5,
its covering index) stay there.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

#: Joins the three searched fields in ``account.search``: a control character (U+001F, the unit
#: separator), so that no needle without it matches across two fields, and pg_trgm takes it for
#: a word break (no trigram spans two fields).
SEPARATOR = "\x1f"
#: ``account.search`` (schema 6): the seller id, name and store, lower-cased once as each row is
#: written (a generated column, so every writer keeps it right) instead of at every test. The
#: filter's walk tested ``lower()`` of three columns on each row it passed, and ``lower()`` in
#: a ``C.UTF-8`` database converts every string to wide characters: at a million accounts the
#: needle ``zz`` took 16-18 ms against SQLite's 5.4 ms. Generated columns are PostgreSQL's
#: alone: SQLite's ``LIKE`` and FTS5 index fold case themselves.
_PG_SEARCH = ("ALTER TABLE account ADD COLUMN IF NOT EXISTS search text GENERATED ALWAYS AS "
              "(lower(seller_id || E'\\x1f' || name || E'\\x1f' || store)) STORED")
_PG_INDEX = [
    # The name order, and its filter walk, from the index alone. ``name`` is included too:
    # PostgreSQL reads an expression (``lower(name)``) from an index only when the columns it
    # is made of are there; without it, 2,000 rows of the order took 71 ms, not 1 ms.
    "CREATE INDEX IF NOT EXISTS ix_account_name_search ON account (lower(name), seller_id, store) "
    "INCLUDE (id, search, name)",
    # As SQLite's covering index: every id in seller order, and the filter's walk of that
    # order, from the index alone (an index-only scan) instead of a heap fetch per account.
    "CREATE INDEX IF NOT EXISTS ix_account_seller_search ON account (seller_id, store) "
    "INCLUDE (id, search)",
]
#: What schemas 3 to 5 had instead, which ``ahr init`` drops: the orders' indexes without the
#: search text, and a trigram index on each of ``lower(seller_id)`` and ``lower(name)``.
_PG_OLD_INDEX = ("ix_account_name_lower", "ix_account_seller_cover", "ix_account_seller_trgm",
                 "ix_account_name_trgm")
#: Room on each page of ``account`` for a second version of every row on it: a sweep's
#: enrolment changes (no indexed column) are then HOT updates, which write no index entry. On
#: a full page every change wrote an entry in each of the table's indexes (six when
#: measured), the two trigram GIN ones most of all: 10,000 changes at 100,000 accounts took
#: 1.27 s and 175,850 WAL records, 0.11 s and 11,652 as HOT updates. It applies to the pages
#: written from then on: ``ahr db copy`` fills a new table this way (twice the pages).
_PG_FILLFACTOR = 50
#: ``{ops}``: pg_trgm's operator class, named with the schema the extension lives in (the
#: schema that was first on the search path of whoever created it: maybe not this one).
_PG_TRGM = "CREATE INDEX IF NOT EXISTS ix_account_search_trgm ON account USING gin (search {ops})"
_TRGM_INDEX = "ix_account_search_trgm"


def install_index(conn: Connection) -> bool:
    """``account.search``, the name-order and covering indexes, the fill factor and (when
    ``pg_trgm`` can be had) the trigram index; idempotent, and an older schema's indexes are
    dropped. True when the trigram index was created now. On an older database, adding
    ``search`` rewrites ``account`` and its indexes (108 s at a million accounts)."""
    conn.execute(text(_PG_SEARCH))
    for name in _PG_OLD_INDEX:
        conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
    for statement in _PG_INDEX:
        conn.execute(text(statement))
    _fillfactor(conn)
    return _install_trgm(conn)


def vacuum_account(engine: Engine, *, analyze: bool = True) -> None:
    """``VACUUM account`` (with ``ANALYZE`` unless told not), outside any transaction; skipped
    when another vacuum of it holds the table (autovacuum is already at it).

    Index-only scans of ``account`` (the Accounts view's every id in order, and its filter's
    walks) read a page of the table for every row on a page changed since its last vacuum.
    After ``install_index`` added ``search`` to an older database (a rewrite of every row) no
    page is clean: the walk of ``zz`` at 100,000 accounts took 25 ms instead of 7 ms. After a
    sweep that moved 477,033 enrolments at a million accounts, every id took 4.0 s instead of
    0.3 s and ``zz`` 106 ms instead of 7-10 ms, and autovacuum comes only once a fifth of the
    rows have changed (and never where it is off). The vacuum itself took 0.7 s then: HOT
    updates leave no index entries to clean.

    Best effort: a database error (a server's statement timeout, say) is ignored, since the
    work it follows has committed and autovacuum gets there later."""
    options = "SKIP_LOCKED, ANALYZE" if analyze else "SKIP_LOCKED"
    try:
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                text(f"VACUUM ({options}) account"))
    except DBAPIError:
        return


def _fillfactor(conn: Connection) -> None:
    """``account``'s fill factor (``_PG_FILLFACTOR``), set only when it differs (the ``ALTER``
    would wait for a running ``VACUUM`` of the table)."""
    wanted = f"fillfactor={_PG_FILLFACTOR}"
    options = conn.execute(text(
        "SELECT reloptions FROM pg_class WHERE oid = 'account'::regclass")).scalar()
    if wanted not in (options or []):
        conn.execute(text(f"ALTER TABLE account SET ({wanted})"))


def _install_trgm(conn: Connection) -> bool:
    """``pg_trgm`` and its index, in a savepoint: without the right to create the extension
    the filter still works (by walking)."""
    if conn.execute(text("SELECT 1 FROM pg_indexes WHERE indexname = :name "
                         "AND schemaname = current_schema()"), {"name": _TRGM_INDEX}).first():
        return False
    _commit_trgm(conn)
    waits = conn.execute(text("SHOW lock_timeout")).scalar_one()
    try:
        with conn.begin_nested():
            # another session creating it in a long transaction would hold this one as long
            conn.execute(text("SET LOCAL lock_timeout = '5s'"))
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            where = conn.execute(text("SELECT extnamespace::regnamespace::text "
                                      "FROM pg_extension WHERE extname = 'pg_trgm'")).scalar()
            conn.execute(text(_PG_TRGM.format(ops=f"{where}.gin_trgm_ops")))
            conn.execute(text("SELECT set_config('lock_timeout', :w, true)"), {"w": waits})
    except Exception:  # no privilege, no extension, or it waited: the LIKE scan answers instead
        return False
    return True


def _commit_trgm(conn: Connection) -> None:
    """Create ``pg_trgm``, when missing, on a connection of its own that commits at once.

    Created inside the caller's transaction, the extension's catalog row would stay uncommitted
    until that transaction ends, and every other session's ``CREATE EXTENSION IF NOT EXISTS``
    (any ``ahr init``) would wait for it: the half hour of an ``ahr db copy`` of a million
    accounts. Without the right to create it (or if it would have to wait more than 5 s), the
    caller's savepoint tries, and gives up after 5 s more (the filter then scans).

    It goes into the schema ``public`` when there is one: an extension belongs to the whole
    database, and in ahr's own schema it would go with a ``DROP SCHEMA ... CASCADE`` of it,
    taking every other schema's trigram indexes along."""
    if conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first():
        return
    try:
        with conn.engine.connect() as own:
            own = own.execution_options(isolation_level="AUTOCOMMIT")
            own.execute(text("SET lock_timeout = '5s'"))
            public = own.execute(text(
                "SELECT 1 FROM pg_namespace WHERE nspname = 'public'")).first()
            own.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"
                             + (" SCHEMA public" if public else "")))
    except Exception:  # no privilege, no such extension, or it would wait
        return


#: The filter's test (a case-insensitive substring of seller id, name or store) that the
#: trigram index answers, for a needle of three characters or more without ``SEPARATOR``.
SEARCH_TEST = "a.search LIKE :p ESCAPE '\\'"
_TRGM = "ahr_trgm"


def walk_test(needle: str) -> str:
    """The filter's test on ``account a`` for ``needle`` (bound lower-cased as ``:s``) in a walk
    of an order, or of a chunk of ids: ``strpos``, which no index answers, so that the planner
    walks the order's covering index (an index-only scan, stopped at the first screenful)
    rather than take the trigram index and sort every match: a needle with tens of thousands of
    matches has its first 200 within a few thousand rows of the order. A needle that holds
    ``SEPARATOR`` (it could match across two fields of ``search``) tests each field."""
    if SEPARATOR in needle:
        return ("(strpos(lower(a.seller_id), :s) > 0 OR strpos(lower(a.name), :s) > 0 "
                "OR strpos(lower(a.store), :s) > 0)")
    return "strpos(a.search, :s) > 0"


def has_trgm(session: Session) -> bool:
    """Whether ``account``'s trigram index exists; a yes is kept with the pooled connection
    (a keystroke asks twice)."""
    connection = session.connection()
    if connection.info.get(_TRGM):
        return True
    found = connection.execute(text(
        "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = :name"),
        {"name": _TRGM_INDEX}).first() is not None
    connection.info[_TRGM] = found
    return found


def read_ids(
    session: Session, sql: str, params: dict[str, Any], stop: Callable[[], bool]
) -> array[int] | None:
    """The ids that ``sql`` (``SELECT a.id ... ORDER BY``) lists, in its order, on PostgreSQL:
    joined by the server into one value, 8 bytes an id (``int8send``: big-endian). A million
    ids read as rows cost the client 1.3 s of CPU through SQLAlchemy, and still 0.2-0.3 s a
    100,000 through the driver on this busy machine (a protocol message and a Python tuple
    each); as one value, well under a millisecond a 100,000. ``OFFSET 0`` keeps the ordered
    query a subquery of its own, so the aggregate reads its rows in its order."""
    wrapped = f"SELECT string_agg(int8send(id), ''::bytea) FROM ({sql} OFFSET 0) AS listed"
    packed = session.execute(text(wrapped), params).scalar()
    return None if stop() else _unpacked(packed)


#: ``dense_first``'s sample: the first rows of the order it reads, and how many of them must
#: match for the matches to count as close together (0.5 %: at a million accounts, 5,000
#: matches, ``service.account_list.INDEX_CAP``).
PROBE_ROWS = 2_000
PROBE_HITS = 10


def dense_first(
    session: Session, order: str, needle: str, first: int
) -> array[int] | None:
    """The first ``first`` accounts in ``order`` (on ``account a`` alone: the seller or name
    order, which an index walks) whose search text holds ``needle``, when they lie close
    together; else None. One statement: the order's first ``PROBE_ROWS`` rows are tested, and
    only if ``PROBE_HITS`` of them match is the order walked on, for at most as many rows as
    that density needs for ``first`` matches (``first x PROBE_ROWS / PROBE_HITS``: 40,000 rows
    for 200, about 10 ms); a walk that ends short gives None too.

    Why: counting a needle's matches up to ``INDEX_CAP`` with the trigram index (to choose
    between ordering them and walking the order) builds the index's whole bitmap and rechecks
    each match on the table: at a million accounts ``kitch`` (28,397 matches) took 37 ms,
    where its first 200 lie within the first 7,100 rows of the seller order (2 ms). SQLite's
    FTS5 index counts to the cap in a few milliseconds, so SQLite skips this step. A needle
    that fails the sample costs its ~1 ms; one that passes it while its matches thin out later
    (seller ids sharing a prefix) at most the walk's bound."""
    budget = first * PROBE_ROWS // PROBE_HITS
    sql = f"""WITH probe AS MATERIALIZED (
        SELECT count(*) AS hits FROM (
            SELECT a.search FROM account a ORDER BY {order} LIMIT {PROBE_ROWS}) AS a
        WHERE strpos(a.search, :s) > 0)
    SELECT string_agg(int8send(id), ''::bytea) FROM (
        SELECT a.id FROM (
            SELECT a.id, a.search FROM account a ORDER BY {order} LIMIT {budget}) AS a
        WHERE (SELECT hits FROM probe) >= {PROBE_HITS} AND strpos(a.search, :s) > 0
        LIMIT {int(first)}) AS listed"""
    ids = _unpacked(session.execute(text(sql), {"s": needle.lower()}).scalar())
    return ids if len(ids) == first else None


def matches_in_order(
    session: Session, source: str | None, order: str, params: dict[str, Any], cap: int,
    stop: Callable[[], bool],
) -> array[int] | None:
    """The ids of the accounts that ``SEARCH_TEST`` finds for the pattern ``params["p"]`` (from
    the trigram index), in ``order``, if at most ``cap`` match: one statement, with ``params``'
    other values bound too. None when more match (the order is then not read) or ``stop()``
    turned true.

    ``source`` is the FROM clause (on ``account a``) that ``order`` needs, or None when
    ``order`` reads ``a.seller_id``, ``a.store`` and ``a.name`` alone: the matches are then
    ordered as the index finds them, with no second read of each account by its id.

    One statement instead of two (the matches sent to the client, and back as an array to be
    ordered): at a million accounts the keystroke ``acm`` (996 matches) took 8.2-8.3 ms, then
    6.2-6.6 ms (bench/README.md, issue 17). When more than ``cap`` match, the count stops the
    order from being read at all."""
    if source is None:
        found = (f"SELECT a.id, a.seller_id, a.store, a.name FROM account a WHERE {SEARCH_TEST} "
                 "LIMIT :ahr_cap + 1")
        listed = "SELECT a.id FROM found a WHERE"
    else:
        found = f"SELECT a.id FROM account a WHERE {SEARCH_TEST} LIMIT :ahr_cap + 1"
        listed = (f"SELECT a.id FROM {source} WHERE a.id = ANY(ARRAY(SELECT id FROM found)) "
                  "AND")
    sql = f"""WITH found AS MATERIALIZED ({found})
    SELECT (SELECT count(*) FROM found), (
        SELECT string_agg(int8send(id), ''::bytea) FROM (
            {listed} (SELECT count(*) FROM found) <= :ahr_cap
            ORDER BY {order} OFFSET 0) AS listed)"""
    count, packed = session.execute(text(sql), {**params, "ahr_cap": cap}).one()
    if stop() or count > cap:
        return None
    return _unpacked(packed)


def _unpacked(packed: bytes | None) -> array[int]:
    """The ids ``int8send`` packed (big-endian, 8 bytes each)."""
    ids: array[int] = array("q")
    if packed:
        ids.frombytes(packed)
        if sys.byteorder == "little":
            ids.byteswap()
    return ids
