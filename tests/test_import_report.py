"""``ahr import report``: the Seller Performance Report, read leniently, located by JSON pointer."""

from __future__ import annotations

import csv
import json
from datetime import date

from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Account, Score
from tests.conftest import seed_account, snapshot
from tests.test_import_common import FIXTURES, fixture_copy, seed_accounts, write

UNKNOWN_NOTE = (
    "/performanceMetrics/3/marketplaceId: "
    "unknown marketplace id 'A0NOTAMARKETPLACE'; skipped"
)


def account(engine, account_id: int) -> Account:
    with transaction(engine) as session:
        row = session.get(Account, account_id)
        assert row is not None
        return row


def score(engine, account_id: int, day: date) -> int | None:
    with transaction(engine) as session:
        row = session.get(Score, {"account_id": account_id, "day": day})
        return row.score if row else None


def test_the_report_records_scores_statuses_and_notes_unknown_marketplaces(cli, engine):
    ids = seed_accounts(engine)
    jp = seed_account(engine, "S1", "JP", phone=None)
    path = FIXTURES / "report.json"
    result = cli("import", "report", str(path), "--seller", "S1")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{path}: 2 new, 1 updated, 0 unchanged, 0 rejected",
        "  US: score 612 for 2026-03-01, new; AHR status GREAT (first recorded); account NORMAL "
        "(first recorded)",
        "  CA: score 188 for 2026-03-01, new; AHR status WARNED (first recorded); account AT_RISK "
        "(first recorded)",
        "  JP: no score; AHR status GREAT (first recorded); account SUSPENDED (first recorded)",
    ]
    assert result.stderr == f"{path}:{UNKNOWN_NOTE}\n"
    us, ca, japan = (
        account(engine, ids[("S1", "US")]),
        account(engine, ids[("S1", "CA")]),
        account(engine, jp),
    )
    assert (us.ahr_status, us.marketplace_status, us.version) == ("GREAT", "NORMAL", 2)
    assert (ca.ahr_status, ca.marketplace_status) == ("WARNED", "AT_RISK")
    assert (japan.ahr_status, japan.marketplace_status) == ("GREAT", "SUSPENDED")
    assert score(engine, us.id, date(2026, 3, 1)) == 612
    assert score(engine, ca.id, date(2026, 3, 1)) == 188


def test_the_same_report_twice_changes_nothing(cli, engine):
    seed_accounts(engine)
    seed_account(engine, "S1", "JP", phone=None)
    path = str(FIXTURES / "report.json")
    assert cli("import", "report", path, "--seller", "S1").exit_code == 0
    before = snapshot(engine)
    result = cli("import", "report", path, "--seller", "S1")
    assert result.stdout.splitlines()[:2] == [
        f"{path}: 0 new, 0 updated, 3 unchanged, 0 rejected (nothing changed)",
        "  US: score 612 for 2026-03-01, unchanged; AHR status GREAT; account NORMAL",
    ]
    assert snapshot(engine) == before


def test_date_overrides_the_reporting_date(cli, engine):
    ids = seed_accounts(engine)
    seed_account(engine, "S1", "JP", phone=None)
    result = cli(
        "import", "report", str(FIXTURES / "report.json"), "--seller", "S1", "--date", "2026-03-02"
    )
    assert result.exit_code == 0, result.stderr
    assert score(engine, ids[("S1", "US")], date(2026, 3, 2)) == 612
    assert score(engine, ids[("S1", "US")], date(2026, 3, 1)) is None


def test_a_store_the_seller_is_not_tracked_in_is_noted_and_skipped(cli, engine, tmp_path):
    ids = seed_accounts(engine)  # S1 has no JP account
    path = fixture_copy("report.json", tmp_path)
    result = cli("import", "report", str(path), "--seller", "S1")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"{path}:/performanceMetrics/3/marketplaceId: unknown marketplace id "
        "'A0NOTAMARKETPLACE'; skipped",
        f"{path}:/performanceMetrics/2/marketplaceId: seller 'S1' is not tracked "
        "in store JP; skipped",
    ]
    assert result.stdout.splitlines()[0] == f"{path}: 2 new, 0 updated, 0 unchanged, 0 rejected"
    assert score(engine, ids[("S1", "CA")], date(2026, 3, 1)) == 188


def test_a_seller_tracked_in_none_of_the_reports_stores_is_refused(cli, engine, tmp_path):
    seed_accounts(engine)
    path = fixture_copy("report.json", tmp_path)
    before = snapshot(engine)
    result = cli("import", "report", str(path), "--seller", "S4")  # S4 is tracked in UK only
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:/performanceMetrics: marketplaceId: seller 'S4' is tracked in none of this "
        "report's stores (US, CA, JP); check --seller",
        f"{path}:{UNKNOWN_NOTE}",
        f"ahr: {path}: 1 problem; nothing was imported.",
    ]
    assert snapshot(engine) == before


def test_missing_metrics_and_unknown_keys_are_fine_but_bad_values_are_located(
    cli, engine, tmp_path
):
    ids = seed_accounts(engine)
    document = {
        "performanceMetrics": [
            {"marketplaceId": "ATVPDKIKX0DER", "somethingNew": {"x": 1}},
            {
                "marketplaceId": "A2EUQ1WTGCTBG2",
                "accountHealthRating": {"ahrStatus": "GOOD", "ahrScore": "1200"},
            },
            {"marketplaceId": "ATVPDKIKX0DER"},
            {"marketplaceId": "A2EUQ1WTGCTBG2", "accountHealthRating": {"ahrScore": 300}},
        ]
    }
    path = write(tmp_path, "r.json", json.dumps(document))
    before = snapshot(engine)
    result = cli("import", "report", str(path), "--seller", "S1")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:-1] == [
        f'{path}:/performanceMetrics/1/accountHealthRating/ahrScore: "1200" is out of '
        "range (0-1000)",
        f"{path}:/performanceMetrics/2/marketplaceId: duplicate: ATVPDKIKX0DER "
        "(US) is also at /performanceMetrics/0",
        f"{path}:/performanceMetrics/3/marketplaceId: duplicate: "
        "A2EUQ1WTGCTBG2 (CA) is also at /performanceMetrics/1",
    ]
    assert snapshot(engine) == before
    skipped = cli("import", "report", str(path), "--seller", "S1", "--skip-invalid")
    assert skipped.exit_code == 0, skipped.stderr
    with (tmp_path / "r.rejects.csv").open(newline="") as fh:
        assert [row[:2] for row in csv.reader(fh)] == [
            ["pointer", "marketplaceId"],
            ["/performanceMetrics/1", "A2EUQ1WTGCTBG2"],
            ["/performanceMetrics/2", "ATVPDKIKX0DER"],
            ["/performanceMetrics/3", "A2EUQ1WTGCTBG2"],
        ]
    document["performanceMetrics"] = [
        document["performanceMetrics"][0],
        {"marketplaceId": "A2EUQ1WTGCTBG2", "accountHealthRating": {"ahrScore": 300}},
    ]
    path.write_text(json.dumps(document))
    result = cli("import", "report", str(path), "--seller", "S1")
    assert result.stderr.splitlines()[0] == (
        f"{path}:/performanceMetrics/1/accountHealthRating/reportingDateRange/reportingDateTo: "
        "missing, so the score has no day; give --date"
    )
    dated = cli("import", "report", str(path), "--seller", "S1", "--date", "2026-03-01")
    assert dated.exit_code == 0, dated.stderr
    assert dated.stdout.splitlines() == [
        f"{path}: 1 new, 0 updated, 1 unchanged, 0 rejected",
        "  US: no score",
        "  CA: score 300 for 2026-03-01, new",
    ]
    assert score(engine, ids[("S1", "CA")], date(2026, 3, 1)) == 300


def test_a_report_that_is_not_an_object_is_refused(cli, engine, tmp_path):
    path = write(tmp_path, "r.json", "[1, 2]")
    result = cli("import", "report", str(path), "--seller", "S1")
    assert result.exit_code == 1
    assert (
        result.stderr.splitlines()[0]
        == f"{path}:1: json: expected an object with performanceMetrics, found a list"
    )


def test_a_report_that_is_not_utf8_says_where(cli, engine, tmp_path):
    path = write(tmp_path, "r.json", b'{\n  "performanceMetrics": [{"marketplaceId": "AT\xe9"}]}')
    result = cli("import", "report", str(path), "--seller", "S1")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{path}:2: file: not UTF-8: byte 0xe9 ('é' in Windows-1252) shows a legacy 8-bit "
        "encoding; save the report as UTF-8 JSON or convert it with iconv -f WINDOWS-1252 -t UTF-8"
    )
