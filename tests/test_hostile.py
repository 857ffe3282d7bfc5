"""The hostile corpus (``tests/hostile/corpus.json``) through the command line.

Every string is imported as a seller name (``ahr import sellers``) and a case summary (``ahr
import cases``) and added as a note (``ahr case note``). Then every listing and show command
prints them: text output must carry no control character, escape sequence, bidi override or
lone surrogate (they are shown as visible ``\\x1b``-style escapes) and must show markup
literally; ``--json`` output is ASCII, valid, and gives back exactly what is stored. Strings no
database can store (lone surrogates; NUL on PostgreSQL) are refused with one sentence, exit 1.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Engine

from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Account, Event
from ahr_tui.textsafe import clean, clean_line
from tests.hostile import has_lone_surrogate, load, storable

#: What must never reach a terminal: C0 (except TAB, LF), DEL, C1, format characters (zero-width
#: space, word joiner, BOM, bidi marks, overrides and isolates) except ZWJ and ZWNJ, and lone
#: surrogates.
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff"
    + "".join(chr(c) for c in range(0x110000)
              if unicodedata.category(chr(c)) == "Cf" and c not in (0x200C, 0x200D))
    + "]"
)


def _safe(output: str, where: object) -> None:
    found = UNSAFE.search(output)
    assert found is None, (where, repr(found.group()) if found else None)
    assert "Traceback" not in output, where


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def hostile(cli, engine: Engine, tmp_path: Path) -> dict[int, str]:
    """Case id -> the hostile string used as its seller's name, its summary and a note."""
    corpus = storable()
    sellers = _write_csv(
        tmp_path / "sellers.csv",
        ["seller_id", "store", "name", "plan", "emergency_phone", "email"],
        [
            [f"H{n:02d}", "US", t, "professional", "+1 415 555 2671", "s@example.com"]
            for n, (_, t) in enumerate(corpus)
        ],
    )
    result = cli("import", "sellers", str(sellers))
    assert result.exit_code == 0, result.output
    _safe(result.stdout + result.stderr, "import sellers")
    with transaction(engine, write=True) as s:
        s.execute(update(Account).values(enrollment="enrolled"))
    cases_csv = _write_csv(
        tmp_path / "cases.csv",
        ["seller_id", "store", "policy", "contacted_at", "summary"],
        [
            [f"H{n:02d}", "US", "other", "2026-03-02T11:00:00Z", t]
            for n, (_, t) in enumerate(corpus)
        ],
    )
    result = cli("import", "cases", str(cases_csv))
    assert result.exit_code == 0, result.output
    _safe(result.stdout + result.stderr, "import cases")
    listed = json.loads(cli("cases", "--json").stdout)
    by_seller = {c["seller_id"]: c["id"] for c in listed}
    ids = {by_seller[f"H{n:02d}"]: t for n, (_, t) in enumerate(corpus)}
    for case_id, t in ids.items():
        noted = cli("case", "note", str(case_id), "--text", t)
        if t.strip():
            assert noted.exit_code == 0, noted.output
        else:  # a note needs text: whitespace-only strings are refused in one sentence
            assert noted.exit_code == 1 and noted.stderr.count("\n") == 1
        _safe(noted.stdout + noted.stderr, ("note", case_id))
    return ids


def _stored(engine: Engine) -> dict[str, tuple[str, str]]:
    """seller_id -> (name, summary) as the database holds them."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT a.seller_id, a.name, c.summary FROM account a JOIN aha_case c "
                "ON c.account_id = a.id"
            )
        ).all()
    return {seller: (name, summary) for seller, name, summary in rows}


def test_hostile_strings_through_the_cli(cli, engine, hostile):
    """One import (it is the slow part), then every check on it."""
    _stored_exactly(engine)
    _listings_escaped_and_literal(cli, engine)
    _case_show_literal(cli, engine, hostile)
    _json_ascii_valid_and_exact(cli, engine, hostile)


def _stored_exactly(engine):
    stored = _stored(engine)
    for n, (label, t) in enumerate(storable()):
        name, summary = stored[f"H{n:02d}"]
        # an importer may trim surrounding whitespace from a field and read a CRLF line break
        # as LF (README "Data formats"); nothing else may change
        lf = t.replace("\r\n", "\n")
        assert name in (t, t.strip(), lf, lf.strip()), label
        assert summary in (t, t.strip(), lf, lf.strip()), label


def _listings_escaped_and_literal(cli, engine):
    stored = _stored(engine)
    listing = cli("cases", "--status", "open")
    assert listing.exit_code == 0
    _safe(listing.stdout, "cases")
    for name, _summary in stored.values():
        assert clean_line(name) in listing.stdout
    assert "[@click=app.quit]Click me[/]" in listing.stdout
    assert ":warning: :red_circle:" in listing.stdout  # no Rich emoji substitution
    assert "\\x1b]52;c;SGVsbG8=\\x07clip" in listing.stdout
    assert "\\u202eevil\\u202c" in listing.stdout
    for argv in (["audit", "log"], ["eligibility"], ["operator", "list"], ["store", "list"]):
        result = cli(*argv)
        assert result.exit_code == 0, argv
        _safe(result.stdout + result.stderr, argv)


def _case_show_literal(cli, engine, hostile):
    stored = _stored(engine)
    listed = {c["id"]: c["seller_id"] for c in json.loads(cli("cases", "--json").stdout)}
    for case_id, t in hostile.items():
        shown = cli("case", "show", str(case_id))
        assert shown.exit_code == 0, shown.output
        _safe(shown.stdout, ("show", case_id))
        name, summary = stored[listed[case_id]]
        # a field's further lines continue under its first (13 columns in)
        assert clean(summary).replace("\n", "\n" + " " * 13) in shown.stdout
        assert clean(name).replace("\n", "\n" + " " * 13) in shown.stdout
        if t.strip():
            # the note, in the timeline: a multi-line note's lines each on a row of their own
            assert all(part in shown.stdout for part in clean(t).split("\n")), case_id


def _json_ascii_valid_and_exact(cli, engine, hostile):
    stored = _stored(engine)
    listed = cli("cases", "--json")
    assert listed.stdout.isascii()
    cases = json.loads(listed.stdout)
    assert len(cases) == len(hostile)
    for case in cases:
        name, summary = stored[case["seller_id"]]
        assert case.get("summary", summary) == summary
        assert case.get("name", name) == name
    for case_id in list(hostile)[:5]:
        shown = cli("case", "show", str(case_id), "--json")
        assert shown.stdout.isascii()
        assert json.loads(shown.stdout)["id"] == case_id
    events = cli("audit", "log", "--json")
    assert events.stdout.isascii()
    notes = {e["note"] for e in json.loads(events.stdout) if e["action"] == "note"}
    assert notes == {t for t in hostile.values() if t.strip()}
    eligibility = cli("eligibility", "--json")
    assert eligibility.stdout.isascii() and len(json.loads(eligibility.stdout)) == len(hostile)


@pytest.mark.parametrize(("label", "value"), [(n, t) for n, t in load() if has_lone_surrogate(t)])
def test_lone_surrogates_are_refused_in_one_sentence(cli, engine, label, value):
    from tests.conftest import seed_account

    seed_account(engine, "S1")
    before = _event_count(engine)
    for argv in (
        ["case", "open", "S1", "--store", "US", "--policy", "other", "--summary", value],
        ["operator", "add", value, "--role", "triage"],
    ):
        result = cli(*argv)
        assert result.exit_code == 1, (label, argv, result.output)
        message = result.stderr.strip()
        assert message.startswith("ahr: ") and "\n" not in message, message
        _safe(result.stdout + result.stderr, label)
    assert _event_count(engine) == before


def _event_count(engine: Engine) -> int:
    with transaction(engine) as s:
        return int(s.execute(select(func.count()).select_from(Event)).scalar() or 0)


def test_undecodable_bytes_and_nul_in_an_import_are_reported_not_crashed(cli, engine, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        b"seller_id,store,name,plan,emergency_phone,email\n"
        b"B1,US,caf\xe9 \xff\xfe,professional,+1 415 555 2671,a@example.com\n"
        b"B2,US,a\x00b,professional,+1 415 555 2671,a@example.com\n"
    )
    result = cli("import", "sellers", str(path))
    assert result.exit_code == 1, result.output
    _safe(result.stdout + result.stderr, "bad bytes")
    assert result.stderr.startswith(f"{path}:")


def test_a_report_with_hostile_and_unstorable_strings(cli, engine, tmp_path):
    from tests.conftest import seed_account

    seed_account(engine, "S1")
    for n, (label, value) in enumerate(load()):
        document = {
            "performanceMetrics": [
                {
                    "marketplaceId": "ATVPDKIKX0DER",
                    "accountHealthRating": {"ahrStatus": value, "ahrScore": 300},
                },
                {"marketplaceId": value},
            ]
        }
        path = tmp_path / f"r{n}.json"
        path.write_text(json.dumps(document, ensure_ascii=True))  # \\ud800 stays escaped
        result = cli("import", "report", str(path), "--seller", "S1", "--date", "2026-03-01")
        assert result.exit_code in (0, 1), (label, result.output)
        _safe(result.stdout + result.stderr, label)
        if result.exit_code == 0:
            with engine.connect() as conn:
                status = conn.execute(text("SELECT ahr_status FROM account")).scalar()
            assert status in (value, value.strip()), label
        else:
            assert has_lone_surrogate(value) or "\x00" in value, (label, result.stderr)
