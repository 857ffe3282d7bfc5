"""The Accounts view's reads at scale: the list as ordered ids, filtered ids, one page of rows.

At 1,000,000 accounts the view cannot read every account (it did: 1.28 GB, 28 s). It asks here
for the ids of the list in its order (``ordered``: 8 bytes an account), for the ids that match
its filter (``filtered``: the trigram index when few match; else a walk of the ordered ids that
hands over the first screenful as soon as it has it, then the whole list from the index when it
answers the needle), and for the rows of the pages it draws
(``page``). Each call is one read transaction; a ``stop`` function lets a newer keystroke end
an older walk between chunks. ``export_accounts`` writes the list as shown to CSV.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ahr_tui.rules import DEFAULT_POLICY, Policy, band
from ahr_tui.service.detail import AccountRow, PhoneCache, as_date
from ahr_tui.service.export import csv_cell, write_atomically
from ahr_tui.service.filter_match import fields_matched
from ahr_tui.service.sort_cycle import SortCycle

if TYPE_CHECKING:
    from ahr_tui.service.database import Database

#: Filters that the trigram index matches at most this many accounts for are ordered in one
#: query; above it, the ordered ids are walked (many match, so a screenful comes quickly).
#: Where the two cost the same at a million accounts: ordering m matches costs about m x 2.5
#: us (SQLite) or 6 us (PostgreSQL), a walk to the first 200 of m about 200 x 1,000,000 / m
#: rows at 0.3 or 0.65 us each, equal near m = 5,000 on both. With 20,000, a needle with
#: 19,919 matches (``yiwu``) took 52 ms to its first screenful on SQLite and 130 ms on
#: PostgreSQL; with 5,000, 5.4 and 31 ms (bench/README.md, issue 17). PostgreSQL's count up to
#: the cap is the slow part there (its trigram index rechecks each match on the table): a
#: needle that a sample of the order finds often is walked without it (``filtered``).
INDEX_CAP = 5_000
#: Ids tested per query in a walk.
WALK_CHUNK = 4_000

Stop = Callable[[], bool]


class AccountSort(SortCycle):
    """The Accounts view's orders, in the order ``s`` cycles through them."""

    SELLER = "seller"
    AHR = "ahr"  # lowest current AHR first (no score counts as lowest)
    BELOW = "below"  # most days below 250 first
    NAME = "name"


def _never() -> bool:
    return False


def first_page(
    db: Database, as_of: date, sort: AccountSort, limit: int, *, rows_for: int | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> tuple[array[int], list[AccountRow], int]:
    """The first ``limit`` ids of the whole list in ``sort``, the rows of the first
    ``rows_for`` of them (all when None), and the number of accounts: what the view shows at
    once (an index walk for the seller and name orders). A row's window counts cost a key seek
    per day of the window when the counters do not hold the day: the view asks for the rows
    its screen shows, the others are read as it scrolls. Raises ``AhrError`` or SQLAlchemy's
    errors, as every function here."""
    from ahr_tui.store import account_list as store
    from ahr_tui.store.engine import transaction

    with transaction(db) as session:
        ids = store.ordered_ids(session, sort.value, as_of, policy, limit=limit) or array("q")
        shown = ids if rows_for is None else ids[:rows_for]
        rows = _rows(store.page_rows(session, shown, as_of, policy), policy)
        return ids, rows, store.account_total(session)


def scores_end(db: Database) -> date | None:
    """The last day any account was scored (None: none yet). The view says it when the window
    runs past it (a sample's scores end on a fixed day; a day's import not yet in)."""
    from ahr_tui.store.engine import transaction
    from ahr_tui.store.queries import last_score_day

    with transaction(db) as session:
        return last_score_day(session)


def signature(db: Database) -> tuple[int, int]:
    """(number of accounts, highest account id): when neither changed, an order read before
    still lists the same accounts (a reload then keeps it)."""
    from ahr_tui.store import account_list as store
    from ahr_tui.store.engine import transaction

    with transaction(db) as session:
        return store.account_signature(session)


def ordered(
    db: Database, as_of: date, sort: AccountSort, *, stop: Stop = _never,
    policy: Policy = DEFAULT_POLICY,
) -> array[int] | None:
    """Every account id in ``sort`` order (``as_of``: the window's last day, UTC); None when
    ``stop()`` became true while reading."""
    from ahr_tui.store import account_list as store
    from ahr_tui.store.engine import transaction

    with transaction(db) as session:
        return store.ordered_ids(session, sort.value, as_of, policy, stop=stop)


def filtered(
    db: Database, as_of: date, sort: AccountSort, order: Callable[[], array[int] | None],
    needle: str, *, first: int = 0, on_first: Callable[[array[int]], None] | None = None,
    stop: Stop = _never, policy: Policy = DEFAULT_POLICY,
) -> array[int] | None:
    """The ids of the list in ``sort`` order (``order()`` gives every id in that order, waiting
    for it if need be; None once stopped) whose seller id, name or store contains ``needle``
    (case-insensitive), in that order; None when ``stop()`` became true.

    When many match, ``on_first`` gets the first ``first`` of them as soon as they are known.
    The seller and name orders never wait for ``order()``: an index walk with the filter's
    test answers (stopped early for the first ones); the AHR and days-below orders walk
    ``order()`` a chunk at a time. On PostgreSQL, a needle whose matches lie close together in
    the seller or name order has its first ones walked to at once (``dense_first``), not
    counted first with the trigram index (tens of ms for tens of thousands of matches)."""
    from ahr_tui.store import account_list as store
    from ahr_tui.store.engine import transaction

    needle = needle.strip()
    if not needle:
        return order()
    with transaction(db) as session:
        by_index = store.indexable(session, needle)
        if by_index and on_first is not None:  # PostgreSQL: many close together, no count
            part = store.dense_first(session, needle, sort.value, as_of, policy, first)
            if part is not None:
                if stop():
                    return None
                on_first(part)
                return store.ordered_ids(session, sort.value, as_of, policy, matching=needle,
                                         by_index=True, stop=stop)
        few = store.indexed_in_order(session, needle, INDEX_CAP, sort.value, as_of, policy, stop)
        if few is not None or stop():  # the index answered, or a newer keystroke came
            return None if stop() else few
        if sort.value in store.OWN_ORDERS:  # an index walk, stopped early at first
            if on_first is not None:
                part = store.ordered_ids(session, sort.value, as_of, policy, limit=first,
                                         matching=needle)
                if part is not None and not stop():
                    on_first(part)
            # The whole list: the trigram index joined to the order (0.05-0.3 s at a million
            # accounts) when it answers; else the walk goes on to the end (seconds).
            return store.ordered_ids(session, sort.value, as_of, policy, matching=needle,
                                     by_index=by_index, stop=stop)
        hits = store.indexed_ids(session, needle) if by_index else None
    ids = order()
    if ids is None:
        return None
    return _walk(db, ids, needle, first, on_first, stop, hits)


def _walk(
    db: Database, ids: array[int], needle: str, first: int,
    on_first: Callable[[array[int]], None] | None, stop: Stop, hits: set[int] | None,
) -> array[int] | None:
    """``ids`` that match ``needle``, a chunk at a time in one read transaction: those among
    ``hits`` (what the trigram index found) if given, else as ``matching_in`` tests them."""
    from ahr_tui.store import account_list as store
    from ahr_tui.store.engine import transaction

    found: array[int] = array("q")
    with transaction(db) as session:
        for start in range(0, len(ids), WALK_CHUNK):
            if stop():
                return None
            chunk = ids[start:start + WALK_CHUNK]
            matched = hits if hits is not None else store.matching_in(session, chunk, needle)
            found.extend(i for i in chunk if i in matched)
            if on_first is not None and len(found) >= first:
                on_first(found[:first])
                on_first = None
    return found


#: What the filter searches, by the name the app gives each field (``matched_fields``).
FILTER_FIELDS: tuple[tuple[str, Callable[[AccountRow], str]], ...] = (
    ("seller id", lambda r: r.seller_id),
    ("name", lambda r: r.name),
    ("store", lambda r: r.store),
)


def matched_fields(row: AccountRow, needle: str) -> list[str]:
    """The fields (``FILTER_FIELDS``' names, in that order) of ``row`` that contain
    ``needle``, case-insensitive (``filter_match.fold_needle``). For rows already read (the app
    asks it of the rows on screen, never of every match: at a million accounts the matches
    are counted by the database, not read)."""
    return fields_matched(FILTER_FIELDS, (row,), needle)


def page(
    db: Database, as_of: date, ids: Sequence[int], policy: Policy = DEFAULT_POLICY
) -> list[AccountRow]:
    """The rows of ``ids``, in that order (an id no longer in the database is left out)."""
    from ahr_tui.store import account_list as store
    from ahr_tui.store.engine import transaction

    with transaction(db) as session:
        return _rows(store.page_rows(session, ids, as_of, policy), policy)


def _rows(found: Sequence[Sequence[object]], policy: Policy) -> list[AccountRow]:
    rows = []
    for (acc_id, seller_id, store, name, plan, status, enrollment, phone, region, day,
         score, scored, at_or_above) in found:
        rows.append(AccountRow(
            account_id=int(acc_id), seller_id=str(seller_id), store=str(store), name=str(name),
            plan=str(plan), status=str(status), enrollment=str(enrollment),
            phone=None if phone is None else str(phone), region=str(region),
            latest_score=None if score is None else int(score), latest_day=as_date(day),
            days_below=policy.window_days - int(at_or_above),
            days_missing=policy.window_days - int(scored),
        ))
    return rows


# ------------------------------------------------------------------ export

#: The CSV's columns: the view's, with the newest score's day and its band spelled out.
CSV_COLUMNS = ("seller_id", "store", "name", "plan", "ahr", "ahr_day", "band", "days_below",
               "days_missing", "enrollment", "status", "phone")


def export_accounts(
    db: Database, as_of: date, ids: Sequence[int], path: Path, *, overwrite: bool = False,
    policy: Policy = DEFAULT_POLICY,
) -> int:
    """Write the accounts of ``ids`` (the list as shown: filtered and sorted) to ``path`` as
    CSV, read a page at a time; returns the number written. Raises ``FileExistsError`` when
    ``path`` exists and ``overwrite`` is false, ``InvalidInput`` when it cannot be written;
    text is made inert as in the cases' export (``service.export.csv_cell``)."""
    phones = PhoneCache()

    def lines() -> Iterator[list[str]]:
        yield list(CSV_COLUMNS)
        for start in range(0, len(ids), 2_000):
            for row in page(db, as_of, ids[start:start + 2_000], policy):
                yield [csv_cell(v) for v in _csv_values(row, phones)]

    return write_atomically(path, lines(), overwrite=overwrite) - 1


def _csv_values(row: AccountRow, phones: PhoneCache) -> tuple[object, ...]:
    score = row.latest_score
    return (
        row.seller_id, row.store, row.name, row.plan, score,
        row.latest_day.isoformat() if row.latest_day else None,
        band(score).value if score is not None else None, row.days_below, row.days_missing,
        row.enrollment, row.status, phones.status(row.phone, row.region).value,
    )
