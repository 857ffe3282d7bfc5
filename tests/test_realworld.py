"""Every file in tests/fixtures/realworld (a copy of shared/realworld) as a test, on both backends.

The database is the one ``realworld/setup.sh`` builds: RWUS01 in US and CA, RWDE01 in DE, RWUK01
in UK, RWMX01 in MX, a score of 600 on each of the 200 days up to yesterday, DE, UK and MX
enabled, then a sweep (every account enrolled). "Now" is 2026-11-29T12:00:00Z, the day after the
files' newest dates.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session

from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Account, Case, Score
from tests.conftest import Cli

REALWORLD = Path(__file__).parent / "fixtures" / "realworld"
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
ACCOUNTS = [
    ("RWUS01", "US"),
    ("RWUS01", "CA"),
    ("RWDE01", "DE"),
    ("RWUK01", "UK"),
    ("RWMX01", "MX"),
]


def ok(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return str(result.stdout)


def copy(name: str, folder: Path) -> Path:
    """A fixture copied where a rejects file may be written beside it."""
    target = folder / name
    shutil.copyfile(REALWORLD / name, target)
    return target


def scores_for(cli: Cli, folder: Path, keys: list[tuple[str, str]]) -> None:
    """A score of 600 on each of the 200 days up to yesterday for ``keys`` (setup.sh's history)."""
    yesterday = NOW.date() - timedelta(days=1)
    lines = ["seller_id,store,date,score"] + [
        f"{seller},{store},{yesterday - timedelta(days=i)},600"
        for seller, store in keys
        for i in range(200)
    ]
    path = folder / "history.csv"
    path.write_text("\n".join(lines) + "\n")
    ok(cli("import", "scores", str(path), "--quiet"))


@pytest.fixture
def rw(cli: Cli, tmp_path: Path) -> Cli:
    """The database of ``setup.sh``, built through the same commands."""
    cli.clock.set(NOW)
    ok(cli("import", "sellers", str(REALWORLD / "fixture-sellers.csv"), "--quiet"))
    scores_for(cli, tmp_path, ACCOUNTS)
    for store in ("DE", "UK", "MX"):
        ok(cli("store", "enable", store))
    ok(cli("sweep"))
    return cli


@contextmanager
def session_on(cli: Cli) -> Iterator[Session]:
    """A read-only session on the CLI's database."""
    from ahr_tui.store.engine import make_engine

    engine = make_engine(cli.db)
    try:
        with transaction(engine) as session:
            yield session
    finally:
        engine.dispose()


def accounts(cli: Cli) -> dict[tuple[str, str], Account]:
    with session_on(cli) as session:
        return {(a.seller_id, a.store): a for a in session.execute(select(Account)).scalars()}


def score(cli: Cli, seller: str, store: str, day: date) -> int | None:
    account = accounts(cli)[(seller, store)]
    with session_on(cli) as session:
        row = session.get(Score, {"account_id": account.id, "day": day})
        return row.score if row else None


def cases(cli: Cli) -> list[Case]:
    with session_on(cli) as session:
        return list(session.execute(select(Case).order_by(Case.id)).scalars())  # type: ignore[arg-type]


def test_the_setup_enrols_every_account(rw):
    assert {key: a.enrollment for key, a in accounts(rw).items()} == dict.fromkeys(
        ACCOUNTS, "enrolled"
    )


# --- CSV files -----------------------------------------------------------------------------


def test_scores_excel_de_semicolon_is_read_with_its_separator(rw):
    path = REALWORLD / "scores-excel-de-semicolon.csv"
    out = ok(rw("import", "scores", str(path), "--quiet"))
    assert out == f"{path}: 0 new, 2 updated, 0 unchanged, 0 rejected\n"
    assert score(rw, "RWDE01", "DE", date(2026, 11, 27)) == 512
    assert score(rw, "RWDE01", "DE", date(2026, 11, 28)) == 508


def test_scores_excel_trailing_empty_cols_rows_are_ignored(rw):
    path = REALWORLD / "scores-excel-trailing-empty-cols-rows.csv"
    result = rw("import", "scores", str(path), "--quiet")
    assert ok(result) == f"{path}: 0 new, 2 updated, 0 unchanged, 0 rejected\n"
    assert result.stderr == ""
    assert score(rw, "RWUS01", "US", date(2026, 11, 27)) == 512
    assert score(rw, "RWUS01", "CA", date(2026, 11, 27)) == 498


def test_sellers_excel_unicode_text_utf16_is_read_as_the_same_sellers(rw):
    path = REALWORLD / "sellers-excel-unicode-text-utf16.txt"
    out = ok(rw("import", "sellers", str(path), "--quiet"))
    # the same values as fixture-sellers.csv already imported: read exactly, so unchanged
    assert out == f"{path}: 0 new, 0 updated, 1 unchanged, 0 rejected (nothing changed)\n"


def test_cases_multiline_summary_crlf_reads_as_one_line_break(rw, tmp_path):
    path = copy("cases-multiline-summary-crlf.csv", tmp_path)
    result = rw("import", "cases", str(path), "--skip-invalid", "--quiet")
    assert ok(result).splitlines()[0] == f"{path}: 1 new, 0 updated, 0 unchanged, 1 rejected"
    assert result.stderr.startswith(f"{path}:4: policy: unknown policy area 'counterfeit'")
    (case,) = cases(rw)
    assert case.summary == (
        'Test buy flagged ASIN B0EXAMPLE1.\nSeller says invoices follow; "urgent" per AM.'
    )
    shown = ok(rw("case", "show", str(case.id)))
    assert "\\x0d" not in shown
    assert "B0EXAMPLE1.\n" in shown
    # the summary's second line under its first, as the timeline indents a note's
    lines = shown.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("    summary  Test buy"))
    assert lines[first + 1] == " " * 13 + 'Seller says invoices follow; "urgent" per AM.'
    assert not any(line.startswith("Seller says") for line in lines)  # none at column 0


# --- reports ---------------------------------------------------------------------------------


def test_report_na_unified_us_ca_mx_imports_us_and_ca_and_lists_mx(rw):
    path = REALWORLD / "report-na-unified-us-ca-mx.json"
    result = rw("import", "report", str(path), "--seller", "RWUS01")
    assert ok(result).splitlines() == [
        f"{path}: 0 new, 2 updated, 0 unchanged, 0 rejected",
        "  US: score 512 for 2026-11-27, replaced; AHR status GREAT (first recorded); account "
        "NORMAL (first recorded)",
        "  CA: score 498 for 2026-11-27, replaced; AHR status GREAT (first recorded); account "
        "NORMAL (first recorded)",
    ]
    assert result.stderr == (
        f"{path}:/performanceMetrics/2/marketplaceId: seller 'RWUS01' is not "
        "tracked in store MX; skipped\n"
    )
    assert score(rw, "RWUS01", "US", date(2026, 11, 27)) == 512
    assert score(rw, "RWUS01", "CA", date(2026, 11, 27)) == 498
    assert score(rw, "RWMX01", "MX", date(2026, 11, 27)) == 600


def test_report_summary_counts_agree_with_each_stores_line(rw, tmp_path):
    """The scores were imported first, so the report's scores are unchanged, but its AHR and
    account statuses are recorded for the first time: each store is updated, and says why."""
    scores = tmp_path / "same.csv"
    scores.write_text("seller_id,store,date,score\nRWUS01,US,2026-11-27,512\n"
                      "RWUS01,CA,2026-11-27,498\n")
    ok(rw("import", "scores", str(scores)))
    path = REALWORLD / "report-na-unified-us-ca-mx.json"
    first = ok(rw("import", "report", str(path), "--seller", "RWUS01")).splitlines()
    assert first == [
        f"{path}: 0 new, 2 updated, 0 unchanged, 0 rejected",
        "  US: score 512 for 2026-11-27, unchanged; AHR status GREAT (first recorded); account "
        "NORMAL (first recorded)",
        "  CA: score 498 for 2026-11-27, unchanged; AHR status GREAT (first recorded); account "
        "NORMAL (first recorded)",
    ]
    again = ok(rw("import", "report", str(path), "--seller", "RWUS01")).splitlines()
    assert again[0] == f"{path}: 0 new, 0 updated, 2 unchanged, 0 rejected (nothing changed)"
    assert all("(first recorded)" not in line and "(was " not in line for line in again[1:])


@pytest.mark.parametrize(
    ("name", "seller", "store", "line", "expected"),
    [
        (
            "report-powershell-utf16le.json", "RWDE01", "DE",
            "DE: score 428 for 2026-11-27, replaced; AHR status GREAT (first recorded); account "
            "NORMAL (first recorded)", 428,
        ),
        (
            "report-erp-string-score.json", "RWUS01", "US",
            'US: score 200 for 2026-11-27 (read from the text "200"), replaced; AHR status '
            "Healthy (first recorded); account NORMAL (first recorded)",
            200,
        ),
    ],
    ids=["report-powershell-utf16le", "report-erp-string-score"],
)
def test_a_one_store_report_is_read_and_said(rw, name, seller, store, line, expected):
    path = REALWORLD / name
    result = rw("import", "report", str(path), "--seller", seller)
    assert ok(result).splitlines() == [
        f"{path}: 0 new, 1 updated, 0 unchanged, 0 rejected",
        f"  {line}",
    ]
    assert score(rw, seller, store, date(2026, 11, 27)) == expected


def test_report_nulls_and_schema_name_reads_the_status_and_deactivates(rw):
    ok(rw("case", "open", "RWUS01", "--store", "CA", "--policy", "other", "--at",
          "2026-11-29T10:00:00Z"))
    path = REALWORLD / "report-nulls-and-schema-name.json"
    result = rw("import", "report", str(path), "--seller", "RWUS01")
    assert ok(result).splitlines() == [
        f"{path}: 0 new, 2 updated, 0 unchanged, 0 rejected",
        "  US: no score; account NORMAL (first recorded)",
        "  CA: no score; AHR status WARNED (first recorded); account DEACTIVATED (first "
        "recorded); so the account is deactivated "
        "here: enrolment enrolled -> not_enrolled; 1 active case left for an operator to "
        "decide",
    ]
    ca = accounts(rw)[("RWUS01", "CA")]
    assert (ca.ahr_status, ca.marketplace_status, ca.status, ca.enrollment) == (
        "WARNED", "DEACTIVATED", "deactivated", "not_enrolled",
    )
    log = ok(rw("audit", "log"))
    assert "automatic: the marketplace's report says DEACTIVATED" in log
    # the same report again: nothing more changes, and a NORMAL store stays as it was
    again = rw("import", "report", str(path), "--seller", "RWUS01")
    assert "0 new, 0 updated, 2 unchanged" in ok(again)
    assert accounts(rw)[("RWUS01", "US")].enrollment == "enrolled"
    # a sweep does not enrol a deactivated account again
    ok(rw("sweep"))
    assert accounts(rw)[("RWUS01", "CA")].enrollment == "not_enrolled"


# --- phones ----------------------------------------------------------------------------------


def _with_history(cli: Cli, tmp_path: Path, keys: list[tuple[str, str]]) -> None:
    """setup.sh's history for ``keys``, then a sweep: only the phone decides their enrolment."""
    scores_for(cli, tmp_path, keys)
    ok(cli("sweep"))


def test_sellers_phone_00_international_nanp_are_dialable_so_enrolled(rw, tmp_path):
    path = REALWORLD / "sellers-phone-00-international-nanp.csv"
    assert ok(rw("import", "sellers", str(path), "--quiet")).startswith(f"{path}: 4 new")
    keys = [("XB01", "US"), ("XB01", "DE"), ("XB02", "US"), ("XB03", "CA")]
    _with_history(rw, tmp_path, keys)
    got = accounts(rw)
    assert {key: got[key].enrollment for key in keys} == dict.fromkeys(keys, "enrolled")


def test_sellers_phone_fictional_555_is_not_a_contact(rw, tmp_path):
    path = REALWORLD / "sellers-phone-fictional-555.csv"
    assert ok(rw("import", "sellers", str(path), "--quiet")).startswith(f"{path}: 2 new")
    keys = [("FK01", "US"), ("FK02", "UK")]
    _with_history(rw, tmp_path, keys)
    got = accounts(rw)
    assert {key: got[key].enrollment for key in keys} == dict.fromkeys(keys, "pending_contact")
    shown = json.loads(ok(rw("eligibility", "FK01", "--store", "US", "--json")))
    assert "phone_invalid" in json.dumps(shown)


# --- a server locale that is not UTF-8 ------------------------------------------------------


def _latin1_env(tmp_path: Path) -> dict[str, str]:
    """What tui-latin1-locale.sh sets: LANG=en_US.ISO-8859-1 from a locale built with localedef;
    where localedef cannot build it, PYTHONIOENCODING gives Python the same streams."""
    import os
    import subprocess

    env = {"PATH": os.environ.get("PATH", ""), "TERM": "xterm-256color"}
    built = subprocess.run(
        ["localedef", "-i", "en_US", "-f", "ISO-8859-1", str(tmp_path / "en_US.ISO-8859-1")],
        capture_output=True, check=False,
    ) if shutil.which("localedef") else None
    if built is not None and (tmp_path / "en_US.ISO-8859-1").exists():
        return {**env, "LOCPATH": str(tmp_path), "LANG": "en_US.ISO-8859-1"}
    return {**env, "PYTHONIOENCODING": "iso-8859-1"}


def test_tui_latin1_locale_cli_escapes_and_the_app_names_lang_c_utf8(rw, tmp_path):
    import subprocess

    from tests.processes import AHR, run_in_pty

    ok(rw("case", "open", "RWMX01", "--store", "MX", "--policy", "other"))
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(
        "seller_id,store,name,plan,emergency_phone,email\n"
        "RWMX01,MX,深圳市华强北电子商务有限公司,professional,+52 55 5128 0000,"
        "hola@comercio.example\n"
    )
    ok(rw("import", "sellers", str(renamed), "--quiet"))
    env = _latin1_env(tmp_path)
    for argv in (["cases"], ["case", "show", str(cases(rw)[0].id)]):
        done = subprocess.run([AHR, "--db", rw.db, *argv], env=env, capture_output=True,
                              timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        assert b"Traceback" not in done.stderr
        assert b"\\u6df1\\u5733\\u5e02" in done.stdout
    code, output = run_in_pty([AHR, "--db", rw.db, "tui"], env)
    assert code == 1
    assert b"the app needs UTF-8: start it with LANG=C.UTF-8" in output
    assert b"\\u2524" not in output and b"Traceback" not in output


def test_a_later_normal_report_does_not_reactivate_and_says_so(rw, tmp_path):
    path = REALWORLD / "report-nulls-and-schema-name.json"
    ok(rw("import", "report", str(path), "--seller", "RWUS01"))
    normal = tmp_path / "normal.json"
    normal.write_text(json.dumps({
        "accountStatuses": [{"marketplaceId": "A2EUQ1WTGCTBG2", "status": "NORMAL"}],
        "performanceMetrics": [{"marketplaceId": "A2EUQ1WTGCTBG2", "accountHealthRating": None}],
    }))
    assert ok(rw("import", "report", str(normal), "--seller", "RWUS01")).splitlines()[1] == (
        "  CA: no score; account NORMAL (was DEACTIVATED); the account stays deactivated here: a "
        "report does not "
        "reactivate it"
    )
    ca = accounts(rw)[("RWUS01", "CA")]
    assert (ca.marketplace_status, ca.status, ca.enrollment) == (
        "NORMAL", "deactivated", "not_enrolled",
    )
