"""The report's fields, each treated one way whichever tool wrote the file (README "Data formats").

Pure: ``importers.report`` on documents in memory, and ``rules.marketplace``; no database.
"""

from __future__ import annotations

import gzip
import json
from datetime import date

import pytest

from ahr_tui.importers.problems import Problems
from ahr_tui.importers.report import load_json, read_report
from ahr_tui.rules import AccountStatus, Enrollment
from ahr_tui.rules.marketplace import on_reported_status, still_deactivated
from tests.test_import_common import write

US = "ATVPDKIKX0DER"
ACCOUNTS = {("S1", "US"): 7}


def read(rating: object, statuses: list[dict[str, str]] | None = None):  # type: ignore[no-untyped-def]
    document: dict[str, object] = {
        "performanceMetrics": [{"marketplaceId": US, "accountHealthRating": rating}]
    }
    if statuses is not None:
        document["accountStatuses"] = statuses
    problems = Problems()
    report = read_report(
        document, seller_id="S1", day=date(2026, 11, 27), accounts=ACCOUNTS, problems=problems
    )
    return report, [p.render("r") for p in problems.kept]


@pytest.mark.parametrize(
    ("value", "text"),
    [(428, None), (428.0, None), ("428", "428"), ("428.0", "428.0"), ("4.28e2", "4.28e2"),
     (0, None), ("1000", "1000")],
)
def test_a_score_is_a_whole_number_written_as_a_number_or_as_text(value, text):
    report, problems = read({"ahrScore": value})
    assert problems == []
    (entry,) = report.entries
    assert entry.score == int(float(value)) and entry.score_text == text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (428.5, "428.5 is not a whole number"),
        ("428.5", '"428.5" is not a whole number'),
        (True, "true is not a whole number"),
        (False, "false is not a whole number"),
        ("", '"" is not a whole number'),
        (" 428", '" 428" is not a whole number'),
        ("GREAT", '"GREAT" is not a whole number'),
        ([428], "[428] is not a whole number"),
        ({"value": 1}, '{"value": 1} is not a whole number'),
        (1001, "1001 is out of range (0-1000)"),
        ("-1", '"-1" is out of range (0-1000)'),
        ("1e999999", '"1e999999" is out of range (0-1000)'),
    ],
)
def test_anything_else_is_refused_and_echoed_as_json(value, message):
    report, problems = read({"ahrScore": value})
    assert report.entries == []
    where = "r:/performanceMetrics/0/accountHealthRating/ahrScore"
    assert problems == [f"{where}: {message}"]  # the pointer names the field


@pytest.mark.parametrize(
    "rating",
    [
        {"ahrStatus": "WARNED"},
        {"accountHealthRatingStatus": "WARNED"},
        {"ahrStatus": "WARNED", "accountHealthRatingStatus": "WARNED"},
        {"ahrStatus": None, "accountHealthRatingStatus": "WARNED"},
    ],
)
def test_the_ahr_status_is_read_under_either_name(rating):
    report, problems = read(rating)
    assert problems == []
    assert report.entries[0].ahr_status == "WARNED"


def test_two_names_that_disagree_are_a_problem():
    _, problems = read({"ahrStatus": "GREAT", "accountHealthRatingStatus": "WARNED"})
    assert problems == [
        "r:/performanceMetrics/0/accountHealthRating/accountHealthRatingStatus: "
        '"WARNED" disagrees with ahrStatus "GREAT"'
    ]


def test_a_status_that_is_not_a_string_is_echoed_as_json():
    _, problems = read({"ahrStatus": True})
    assert problems == [
        "r:/performanceMetrics/0/accountHealthRating/ahrStatus: expected a string, "
        "found true"
    ]


def test_an_entry_that_is_null_says_null():
    problems = Problems()
    read_report({"performanceMetrics": [None]}, seller_id="S1", day=None, accounts=ACCOUNTS,
                problems=problems)
    assert [p.message for p in problems.kept] == ["expected an object, found null"]


DOCUMENT = json.dumps({"performanceMetrics": [{"marketplaceId": US, "accountHealthRating":
                                                {"ahrScore": 300}}]})


@pytest.mark.parametrize(
    "data",
    [
        DOCUMENT.encode(),
        b"\xef\xbb\xbf" + DOCUMENT.encode(),
        DOCUMENT.encode("utf-16"),
        b"\xfe\xff" + DOCUMENT.encode("utf-16-be"),
        b"\xff\xfe" + DOCUMENT.replace(",", ",\r\n").encode("utf-16-le"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "utf16be-bom", "utf16le-bom-crlf"],
)
def test_a_report_in_any_readable_encoding_is_the_same_document(tmp_path, data):
    problems = Problems()
    assert load_json(write(tmp_path, "r.json", data), problems) == json.loads(DOCUMENT)
    assert not problems


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (
            gzip.compress(DOCUMENT.encode(), mtime=0),
            "r:1: file: this is a gzip-compressed file, not JSON",
        ),
        (DOCUMENT.encode("utf-16-le"), "r:1: file: this is UTF-16 text without a byte order mark"),
        (b"PK\x03\x04" + bytes(40), "r:1: file: this is a ZIP archive"),
    ],
)
def test_a_report_that_is_not_text_is_one_sentence(tmp_path, data, words):
    problems = Problems()
    assert load_json(write(tmp_path, "r.json", data), problems) is None
    (problem,) = problems.kept
    assert problem.render("r").startswith(words)


# --- what the marketplace's account status means here --------------------------------------


@pytest.mark.parametrize(
    ("enrollment", "after"),
    [
        (Enrollment.ENROLLED, Enrollment.NOT_ENROLLED),
        (Enrollment.PENDING_CONTACT, Enrollment.NOT_ENROLLED),
        (Enrollment.LAPSED, Enrollment.NOT_ENROLLED),
        (Enrollment.NOT_ENROLLED, None),
        (Enrollment.REVOKED, None),
    ],
)
def test_deactivated_by_the_marketplace_deactivates_and_ends_enrolment(enrollment, after):
    change = on_reported_status("DEACTIVATED", AccountStatus.ACTIVE, enrollment)
    assert change is not None
    assert (change.status, change.enrollment) == (AccountStatus.DEACTIVATED, after)
    assert change.note.startswith("automatic: ")


@pytest.mark.parametrize("reported", ["NORMAL", "AT_RISK", "SUSPENDED", "deactivated", None])
def test_no_other_status_changes_anything(reported):
    assert on_reported_status(reported, AccountStatus.ACTIVE, Enrollment.ENROLLED) is None


def test_a_report_never_reactivates_an_account_but_says_so():
    assert on_reported_status("NORMAL", AccountStatus.DEACTIVATED, Enrollment.NOT_ENROLLED) is None
    assert still_deactivated("NORMAL", AccountStatus.DEACTIVATED)
    assert not still_deactivated("DEACTIVATED", AccountStatus.DEACTIVATED)
    assert not still_deactivated(None, AccountStatus.DEACTIVATED)
