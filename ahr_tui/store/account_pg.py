"""PostgreSQL's side of the Accounts view's SQL (``store.account_list``): its indexes, the fill
factor of ``account``, the filter's trigram test and the read of a list of ids as one value.

``account_list`` asks here whenever the database is PostgreSQL; SQLite's counterparts (FTS5,
its covering index) stay there.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import Session

_PG_INDEX = [
    "CREATE INDEX IF NOT EXISTS ix_account_name_lower ON account (lower(name), seller_id, store)",
    # SQLite's covering index: every id in seller order, and the filter's walk of that order,
    # from the index alone (an index-only scan) instead of a heap fetch per account.
    "CREATE INDEX IF NOT EXISTS ix_account_seller_cover ON account (seller_id, store) "
    "INCLUDE (name, id)",
]
#: Room on each page of ``account`` for a second version of every row on it: a sweep's
#: enrolment changes (no indexed column) are then HOT updates, which write no index entry. On
#: a full page every change wrote an entry in each of the table's indexes (six when
#: measured), the two trigram GIN ones most of all: 10,000 changes at 100,000 accounts took
#: 1.27 s and 175,850 WAL records, 0.11 s and 11,652 as HOT updates. It applies to the pages
#: written from then on: ``ahr db copy`` fills a new table this way (twice the pages).
_PG_FILLFACTOR = 50
#: ``{ops}``: pg_trgm's operator class, named with the schema the extension lives in (the
#: schema that was first on the search path of whoever created it: maybe not this one).
_PG_TRGM = [
    "CREATE INDEX IF NOT EXISTS ix_account_seller_trgm ON account "
    "USING gin (lower(seller_id) {ops})",
    "CREATE INDEX IF NOT EXISTS ix_account_name_trgm ON account "
    "USING gin (lower(name) {ops})",
]


def install_index(conn: Connection) -> bool:
    """The name-order and covering indexes, the fill factor and (when ``pg_trgm`` can be had)
    the trigram indexes; idempotent. True when the trigram indexes were created now."""
    for statement in _PG_INDEX:
        conn.execute(text(statement))
    _fillfactor(conn)
    return _install_trgm(conn)


def _fillfactor(conn: Connection) -> None:
    """``account``'s fill factor (``_PG_FILLFACTOR``), set only when it differs (the ``ALTER``
    would wait for a running ``VACUUM`` of the table)."""
    wanted = f"fillfactor={_PG_FILLFACTOR}"
    options = conn.execute(text(
        "SELECT reloptions FROM pg_class WHERE oid = 'account'::regclass")).scalar()
    if wanted not in (options or []):
        conn.execute(text(f"ALTER TABLE account SET ({wanted})"))


def _install_trgm(conn: Connection) -> bool:
    """``pg_trgm`` and its indexes, in a savepoint: without the right to create the extension
    the filter still works (by scanning)."""
    if conn.execute(text("SELECT 1 FROM pg_indexes WHERE indexname = 'ix_account_name_trgm' "
                         "AND schemaname = current_schema()")).first():
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
            for statement in _PG_TRGM:
                conn.execute(text(statement.format(ops=f"{where}.gin_trgm_ops")))
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


#: The filter's test for a needle of three characters or more, which the two
#: trigram GIN indexes answer together (a bitmap of each, OR-ed). The store is left out: a
#: store code has at most two characters (``store.code`` is ``varchar(2)``, ``account.store``
#: its foreign key), and a test of it would need a scan of every account.
TRGM_TEST = "(lower(a.seller_id) LIKE :p ESCAPE '\\' OR lower(a.name) LIKE :p ESCAPE '\\')"
_TRGM = "ahr_trgm"


def has_trgm(session: Session) -> bool:
    """Whether ``account``'s trigram indexes exist; a yes is kept with the pooled connection
    (a keystroke asks twice)."""
    connection = session.connection()
    if connection.info.get(_TRGM):
        return True
    found = connection.execute(text(
        "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() "
        "AND indexname IN ('ix_account_seller_trgm', 'ix_account_name_trgm')")).scalar() == 2
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


def matches_in_order(
    session: Session, source: str, order: str, params: dict[str, Any], cap: int,
    stop: Callable[[], bool],
) -> array[int] | None:
    """The ids of ``source`` (a FROM clause on ``account a``) that the trigram test finds for
    the pattern ``params["p"]``, in ``order``, if at most ``cap`` match: one statement, with
    ``params``' other values bound too. None when more match (the order is then not read) or
    ``stop()`` turned true.

    One statement instead of two (the matches sent to the client, and back as an array to be
    ordered): at a million accounts the keystroke ``acm`` (996 matches) took 8.2-8.3 ms, now
    6.2-6.6 ms (bench/README.md, issue 17). When more than ``cap`` match, the count stops the
    order from being read at all."""
    sql = f"""WITH found AS MATERIALIZED (
        SELECT a.id FROM account a WHERE {TRGM_TEST} LIMIT :ahr_cap + 1)
    SELECT (SELECT count(*) FROM found), (
        SELECT string_agg(int8send(id), ''::bytea) FROM (
            SELECT a.id FROM {source}
            WHERE a.id = ANY(ARRAY(SELECT id FROM found))
            AND (SELECT count(*) FROM found) <= :ahr_cap
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
