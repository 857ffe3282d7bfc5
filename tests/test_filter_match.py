"""The Cases and Accounts filters' notes test a needle alike (``service.filter_match``):
trimmed, case-folded, a substring of each field, the fields named in their table's order."""

from __future__ import annotations

from ahr_tui.service.account_list import matched_fields
from ahr_tui.service.detail import AccountRow
from ahr_tui.service.filter_match import fields_matched, fold_needle

FIELDS = (("first", lambda r: r[0]), ("second", lambda r: r[1]))


def account(seller_id: str, name: str, store: str = "DE") -> AccountRow:
    return AccountRow(
        account_id=1, seller_id=seller_id, store=store, name=name, plan="professional",
        status="active", enrollment="enrolled", phone=None, region="DE", latest_score=None,
        latest_day=None, days_below=180, days_missing=180,
    )


def test_a_needle_is_trimmed_then_case_folded() -> None:
    assert fold_needle("  Straße ") == "strasse"
    assert fold_needle(" \t ") == ""


def test_the_fields_matched_in_any_row_come_in_the_tables_order_each_once() -> None:
    rows = [("xyz", "ABC"), ("abc", "xyz"), ("abd", "q")]
    assert fields_matched(FIELDS, rows, " ab ") == ["first", "second"]
    assert fields_matched(FIELDS, rows, "Q") == ["second"]
    assert fields_matched(FIELDS, rows, "zzz") == []
    assert fields_matched(FIELDS, rows, "  ") == []  # a blank needle matches no field


def test_reading_stops_once_every_field_has_matched() -> None:
    read: list[str] = []

    def rows():  # type: ignore[no-untyped-def]
        for row in [("a", "a"), ("b", "b")]:
            read.append(row[0])
            yield row

    assert fields_matched(FIELDS, rows(), "a") == ["first", "second"]
    assert read == ["a"]


def test_the_accounts_note_folds_as_the_cases_note_does() -> None:
    row = account("DE-STRASSE", "Große Straße GmbH")
    assert matched_fields(row, " STRASSE ") == ["seller id", "name"]
    assert matched_fields(row, "de") == ["seller id", "store"]
    assert matched_fields(row, "") == []
