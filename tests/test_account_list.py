"""The Accounts view's reads at scale (``service.account_list``): order, filter, pages, export.

The oracle is the old in-memory view: ``service.detail.account_rows`` (every account) sorted
and filtered in Python. Both filter paths (the trigram index, and the walk of the ordered ids)
are checked against it, and the index is checked after inserts, renames, deletes and an upgrade.
"""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

import ahr_tui.service.account_list as module
from ahr_tui.service.account_list import (
    AccountSort,
    export_accounts,
    filtered,
    first_page,
    ordered,
    page,
)
from ahr_tui.service.admin import init_database
from ahr_tui.service.detail import AccountRow, account_rows
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from ahr_tui.store.recognise import SCHEMA_VERSION
from ahr_tui.store.schema import read_version
from tests.conftest import T0, FakeClock, full_window, seed_account

AS_OF = (T0 - timedelta(days=1)).date()
NAMES = [
    ("S10", "CA", "Acme Goods", 150), ("S20", "US", "Beta Books", 80),
    ("S30", "US", "Cobalt Traders", 640), ("S40", "US", "Delta Deals", None),
    ("X50", "CA", "50% off_sale \\ \"quoted\"", 300), ("Y60", "US", "Ölberg Straße", 220),
    ("Z70", "US", "ACME goods two", 120), ("Z80", "US", "GROSSHANDEL ẞTRASSE", 250),
]
NEEDLES = ["", "a", "ac", "acm", "ACME", "goods", "s", "ca", "50%", "off_", "\\", '"quoted"',
           "%", "_", "straße", "berg", "zzz", " ", "S1", "x50", "deals",
           # letters beyond ASCII in either case, shorter than the trigram index's three
           # characters (SQLite's LIKE folds ASCII alone) and as long
           "ö", "Ö", "öl", "ÖL", "ölb", "ÖLB", "SS", "ẞ", "ß", "eß", "EẞE",
           # and with the characters GLOB reads as a pattern, each standing for itself
           "ö?", "?ö", "ö*", "[ö", "ö[", "öl]", "ö-",
           # PostgreSQL keeps the three fields in one text, joined by U+001F: a needle across
           # two of them matches none (the oracle's answer); one of U+001F alone is blank
           "goods\x1fca", "s10\x1facme", "\x1f"]

ORACLE = {
    AccountSort.SELLER: lambda r: (r.seller_id, r.store),
    AccountSort.AHR: lambda r: (-1 if r.latest_score is None else r.latest_score, r.seller_id),
    AccountSort.BELOW: lambda r: (-r.days_below, r.seller_id, r.store),
    AccountSort.NAME: lambda r: (r.name.lower(), r.seller_id, r.store),
}


@pytest.fixture
def seeded(engine: Engine) -> dict[str, int]:
    ids = {}
    for seller, store, name, score in NAMES:
        scores = full_window(AS_OF, score, days=170 if score == 150 else 180) if score else None
        ids[seller] = seed_account(engine, seller, store, name=name, scores=scores)
    return ids


def everything(engine: Engine) -> list[AccountRow]:
    with transaction(engine) as session:
        return account_rows(session, AS_OF)


def oracle(engine: Engine, sort: AccountSort, needle: str = "") -> list[int]:
    folded = needle.strip().lower()
    rows = [r for r in everything(engine)
            if not folded or any(folded in f.lower() for f in (r.seller_id, r.name, r.store))]
    return [r.account_id for r in sorted(rows, key=ORACLE[sort])]


@pytest.mark.parametrize("sort", list(AccountSort))
def test_each_order_is_the_in_memory_views_order(engine, seeded, sort):
    ids = ordered(engine, AS_OF, sort)
    assert ids is not None and list(ids) == oracle(engine, sort)
    first, rows, total = first_page(engine, AS_OF, sort, 3)
    assert total == len(NAMES) and [r.account_id for r in rows] == list(first) == list(ids)[:3]
    first, rows, _ = first_page(engine, AS_OF, sort, 3, rows_for=2)
    assert list(first) == list(ids)[:3] and [r.account_id for r in rows] == list(ids)[:2]


# 0: never the index, always the walk; 1 and 2: a needle with as many matches as the cap is
# answered by the index, one with a match more by the walk
@pytest.mark.parametrize("cap", [module.INDEX_CAP, 2, 1, 0])
def test_the_filter_matches_what_the_in_memory_filter_matched(engine, seeded, cap, monkeypatch):
    monkeypatch.setattr(module, "INDEX_CAP", cap)
    monkeypatch.setattr(module, "WALK_CHUNK", 3)  # several chunks even on seven accounts
    for sort in AccountSort:
        ids = ordered(engine, AS_OF, sort)
        assert ids is not None
        for needle in NEEDLES:
            parts: list[list[int]] = []
            found = filtered(engine, AS_OF, sort, lambda ids=ids: ids, needle, first=2,
                             on_first=lambda part, parts=parts: parts.append(list(part)))
            assert found is not None
            expected = oracle(engine, sort, needle)
            assert list(found) == expected, (sort, needle)
            assert all(part == expected[:2] for part in parts), (sort, needle, parts)


# PostgreSQL samples the order's first rows before it counts a needle's matches with the
# trigram index (``account_pg.dense_first``): here a sample of 1-4 rows, so that on seven
# accounts it both passes and fails, and its walk both finds the first matches and ends short
@pytest.mark.parametrize("probe", [(1, 1), (2, 1), (4, 2), (3, 3)])
def test_the_sampled_walk_gives_what_the_in_memory_filter_gives(
    engine, seeded, probe, monkeypatch
):
    import ahr_tui.store.account_pg as pg

    monkeypatch.setattr(pg, "PROBE_ROWS", probe[0])
    monkeypatch.setattr(pg, "PROBE_HITS", probe[1])
    for sort in (AccountSort.SELLER, AccountSort.NAME):
        ids = ordered(engine, AS_OF, sort)
        for needle in NEEDLES:
            for first in (1, 2, 3):
                parts: list[list[int]] = []
                found = filtered(engine, AS_OF, sort, lambda ids=ids: ids, needle, first=first,
                                 on_first=lambda part, parts=parts: parts.append(list(part)))
                expected = oracle(engine, sort, needle)
                assert found is not None and list(found) == expected, (sort, needle, first)
                assert all(part == expected[:first] for part in parts), (sort, needle, parts)


def test_a_dense_needle_is_walked_to_without_counting_its_matches(
    engine, seeded, monkeypatch
):
    """On PostgreSQL, when the sample of the order finds the needle often enough, the first
    screenful comes from the walk and the trigram index never counts the matches; a sparse
    needle is counted (and on SQLite every needle is: FTS5 counts in a few milliseconds)."""
    import ahr_tui.store.account_list as store
    import ahr_tui.store.account_pg as pg

    monkeypatch.setattr(pg, "PROBE_ROWS", 3)
    monkeypatch.setattr(pg, "PROBE_HITS", 1)
    counted: list[str] = []
    original = store.indexed_in_order

    def spy(session, needle, *args, **kwargs):  # type: ignore[no-untyped-def]
        counted.append(needle)
        return original(session, needle, *args, **kwargs)

    monkeypatch.setattr(store, "indexed_in_order", spy)
    # in seller order S10 (Acme Goods), S20, S30: "goods" is in the sample, "deals" (S40) not
    for needle in ("goods", "deals"):
        shown: list[list[int]] = []
        found = filtered(engine, AS_OF, AccountSort.SELLER, lambda: None, needle, first=1,
                         on_first=lambda part, shown=shown: shown.append(list(part)))
        assert found is not None and list(found) == oracle(engine, AccountSort.SELLER, needle)
    sqlite = engine.dialect.name == "sqlite"
    assert counted == (["goods", "deals"] if sqlite else ["deals"])


def test_a_walk_hands_over_the_first_matches_and_stops_when_told(engine, seeded, monkeypatch):
    monkeypatch.setattr(module, "INDEX_CAP", 0)
    monkeypatch.setattr(module, "WALK_CHUNK", 2)
    ids = ordered(engine, AS_OF, AccountSort.AHR)  # an order without an index: walked
    assert ids is not None
    firsts: list[list[int]] = []
    found = filtered(engine, AS_OF, AccountSort.AHR, lambda: ids, "s", first=2,
                     on_first=lambda part: firsts.append(list(part)))
    assert found is not None and firsts == [list(found)[:2]]
    calls = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) > 1

    assert filtered(engine, AS_OF, AccountSort.AHR, lambda: ids, "s", stop=stop) is None
    assert filtered(engine, AS_OF, AccountSort.SELLER, lambda: ids, "s",
                    stop=lambda: True) is None
    assert ordered(engine, AS_OF, AccountSort.SELLER, stop=lambda: True) is None


def test_a_page_is_the_rows_of_its_ids_in_their_order(engine, seeded):
    want = [seeded["Z70"], seeded["S10"], 999_999, seeded["S40"]]
    rows = page(engine, AS_OF, want)
    by_id = {r.account_id: r for r in everything(engine)}
    assert rows == [by_id[seeded["Z70"]], by_id[seeded["S10"]], by_id[seeded["S40"]]]
    assert rows[1].days_below == 180 and rows[1].days_missing == 10
    assert rows[2].latest_score is None and page(engine, AS_OF, []) == []


def test_the_index_follows_inserts_renames_and_deletes(engine, seeded):
    ids = ordered(engine, AS_OF, AccountSort.SELLER)
    found = filtered(engine, AS_OF, AccountSort.SELLER, lambda: ids, "cobalt")
    assert found is not None and list(found) == [seeded["S30"]]
    added = seed_account(engine, "S35", name="Cobalt Blue")
    with transaction(engine, write=True) as session:
        session.execute(text("UPDATE account SET name = 'Renamed Ltd' WHERE id = :i"),
                        {"i": seeded["S30"]})
        session.execute(text("UPDATE account SET enrollment = 'lapsed' WHERE id = :i"),
                        {"i": seeded["S20"]})
        session.execute(text("DELETE FROM score WHERE account_id = :i"), {"i": seeded["S40"]})
        session.execute(text("DELETE FROM account WHERE id = :i"), {"i": seeded["S40"]})
    ids = ordered(engine, AS_OF, AccountSort.SELLER)
    assert ids is not None
    assert list(filtered(engine, AS_OF, AccountSort.SELLER, lambda: ids, "cobalt") or []) == [added]
    assert list(filtered(engine, AS_OF, AccountSort.SELLER, lambda: ids, "renamed") or []) == [
        seeded["S30"]]
    assert list(filtered(engine, AS_OF, AccountSort.SELLER, lambda: ids, "delta") or []) == []
    assert list(filtered(engine, AS_OF, AccountSort.SELLER, lambda: ids, "beta") or []) == [
        seeded["S20"]]


def test_ahr_init_gives_a_schema_2_database_the_filter_index(
    engine, seeded, clock: FakeClock, me: Actor
):
    """A database written before schema 3 (no filter index) opens after ``ahr init``, and the
    filter finds the accounts it already had."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for name in ("insert", "delete", "update"):
                conn.execute(text(f"DROP TRIGGER ahr_account_fts_{name}"))
            conn.execute(text("DROP TABLE account_fts"))
            conn.execute(text("DROP INDEX ix_account_name_nocase"))
            conn.execute(text("DROP INDEX ix_account_seller_cover"))
        else:
            # schema 6's search text goes with the indexes on it (trigram, covering)
            conn.execute(text("ALTER TABLE account DROP COLUMN search"))
        conn.execute(text("UPDATE meta SET value = '2' WHERE key = 'schema_version'"))
    assert read_version(engine) == 2
    init_database(engine, actor=me, now=clock())
    assert read_version(engine) == SCHEMA_VERSION
    ids = ordered(engine, AS_OF, AccountSort.NAME)
    assert ids is not None and list(ids) == oracle(engine, AccountSort.NAME)
    assert list(filtered(engine, AS_OF, AccountSort.NAME, lambda: ids, "goods") or []) == oracle(
        engine, AccountSort.NAME, "goods")
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            # the seller order's filter walk reads the index alone, no account row
            plan = conn.execute(text(
                "EXPLAIN QUERY PLAN SELECT a.id FROM account a WHERE (a.seller_id LIKE :p "
                "OR a.name LIKE :p OR a.store LIKE :p) ORDER BY a.seller_id, a.store LIMIT 100"),
                {"p": "%zz%"}).all()
            assert "COVERING INDEX ix_account_seller_cover" in str(plan), plan


def test_export_writes_the_list_as_shown_inert_and_asks_before_replacing(
    engine, seeded, tmp_path: Path
):
    seed_account(engine, "=cmd", name="+SUM(A1)\x1b[2J", scores=full_window(AS_OF, 50))
    ids = ordered(engine, AS_OF, AccountSort.AHR)
    assert ids is not None
    shown = filtered(engine, AS_OF, AccountSort.AHR, lambda: ids, "c")
    assert shown is not None
    target = tmp_path / "accounts.csv"
    assert export_accounts(engine, AS_OF, shown, target) == len(shown)
    with target.open(newline="") as fh:
        lines = list(csv.DictReader(fh))
    sellers = {r.account_id: r.seller_id for r in everything(engine)}
    assert [line["seller_id"] for line in lines] == [
        "'" + sellers[i] if sellers[i].startswith("=") else sellers[i] for i in shown]
    assert [line["seller_id"] for line in lines][:2] == ["'=cmd", "Z70"]  # AHR 50, then 120
    assert lines[0]["name"] == "'+SUM(A1)\\x1b[2J" and lines[0]["band"] == "unhealthy"
    delta = export_accounts(engine, AS_OF, [seeded["S40"]], tmp_path / "one.csv")
    with (tmp_path / "one.csv").open(newline="") as fh:
        (line,) = list(csv.DictReader(fh))
    assert delta == 1 and (line["ahr"], line["band"], line["days_below"]) == ("", "", "180")
    acme = next(line for line in lines if line["seller_id"] == "S10")
    assert (acme["ahr"], acme["ahr_day"], acme["days_missing"], acme["phone"]) == (
        "150", AS_OF.isoformat(), "10", "valid")
    target.write_text("keep me")
    with pytest.raises(FileExistsError):
        export_accounts(engine, AS_OF, shown, target)
    assert target.read_text() == "keep me"
    assert export_accounts(engine, AS_OF, shown, target, overwrite=True) == len(shown)



def test_many_matches_of_a_needle_the_index_answers_come_from_the_index(
    engine, seeded, monkeypatch
):
    """Above ``INDEX_CAP`` a needle of three characters or more is answered from the trigram
    index (joined to the seller and name orders; a set of ids for the walk of the others), not
    by testing every account with LIKE (seconds at a million); shorter needles still walk.
    The index: FTS5 on SQLite, pg_trgm's GIN indexes on PostgreSQL (which ``ahr init`` and
    the test server's schemas have)."""
    import ahr_tui.store.account_list as store

    monkeypatch.setattr(module, "INDEX_CAP", 0)
    tested: list[str] = []
    original = store.matching_in

    def spy(session, ids, needle):  # type: ignore[no-untyped-def]
        tested.append(needle)
        return original(session, ids, needle)

    monkeypatch.setattr(store, "matching_in", spy)
    whole: list[tuple[str, bool]] = []  # the whole list of a seller or name order: how found
    read_order = store.ordered_ids

    def order_spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("matching") and kwargs.get("limit") is None:
            whole.append((kwargs["matching"], kwargs.get("by_index", False)))
        return read_order(*args, **kwargs)

    monkeypatch.setattr(store, "ordered_ids", order_spy)
    for sort in AccountSort:
        ids = ordered(engine, AS_OF, sort)
        for needle in ("goods", "s"):
            found = filtered(engine, AS_OF, sort, lambda ids=ids: ids, needle)
            assert found is not None and list(found) == oracle(engine, sort, needle)
    walked = {AccountSort.AHR, AccountSort.BELOW}
    assert tested == ["s"] * len(walked)
    assert whole == [("goods", True), ("s", False)] * 2  # seller, then name
