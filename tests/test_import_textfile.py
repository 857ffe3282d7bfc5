"""Files as users' tools save them (DESIGN.md section 8), for every CSV kind, without a database.

Each encoding, separator and spreadsheet leftover is a kind: a whole family is tested, not the one
file that showed it (those are in test_realworld.py).
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zipfile

import pytest

from ahr_tui.importers import cases as case_file
from ahr_tui.importers import scores as score_file
from ahr_tui.importers import sellers as seller_file
from ahr_tui.importers.csvfile import Rejects, open_csv, records
from ahr_tui.importers.problems import Problems
from ahr_tui.importers.textfile import NotText, Origin, sniff
from tests.test_import_common import write

SELLERS = (
    "seller_id,store,name,plan,emergency_phone,email\n"
    "S1,DE,Müller Häuser 東京,professional,+49 30 2023 0000,a@b.example\n"
    "S2,US,Plain,individual,,\n"
)
ROWS = [
    ["S1", "DE", "Müller Häuser 東京", "professional", "+49 30 2023 0000", "a@b.example"],
    ["S2", "US", "Plain", "individual", "", ""],
]


def read(path, columns=seller_file.COLUMNS):  # type: ignore[no-untyped-def]
    """(rows, rendered problems, fatal) of a CSV file through the shared reader."""
    problems = Problems()
    rows: list[list[str]] = []
    with open_csv(path, columns, problems) as csv_file:
        if csv_file is not None:
            rows = [row for _, row in records(csv_file, problems, Rejects(None, csv_file.header))]
    return rows, [p.render("f") for p in problems.kept], problems.fatal


# --- encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
        lambda text: text.encode("utf-16"),  # BOM + native order, as Python writes it
        lambda text: b"\xff\xfe" + text.encode("utf-16-le"),
        lambda text: b"\xfe\xff" + text.encode("utf-16-be"),
        lambda text: text.replace("\n", "\r\n").encode("utf-8"),
        lambda text: b"\xff\xfe" + text.replace("\n", "\r\n").encode("utf-16-le"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "utf16le-bom", "utf16be-bom", "utf8-crlf", "utf16-crlf"],
)
def test_every_readable_encoding_gives_the_same_rows(tmp_path, encode):
    rows, problems, fatal = read(write(tmp_path, "s.csv", encode(SELLERS)))
    assert (rows, problems, fatal) == (ROWS, [], False)


REFUSED = [
    (
        gzip.compress(SELLERS.encode(), mtime=0),
        "this is a gzip-compressed file, not CSV text; decompress",
    ),
    (bz2.compress(SELLERS.encode()), "this is a bzip2-compressed file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "this is an Excel 97-2003 workbook (.xls)"),
    (b"%PDF-1.7\n...", "this is a PDF document"),
    (b"SQLite format 3\x00" + bytes(100), "this is an SQLite database"),
    (SELLERS.encode("utf-16-le"), "this is UTF-16 text without a byte order mark"),
    (SELLERS.encode("utf-16-be"), "this is UTF-16 text without a byte order mark"),
    (SELLERS.encode("utf-32"), "this is UTF-32 text"),
    (bytes(range(256)) * 4, "this is a binary file, not text"),
    (SELLERS.encode("cp1252", errors="replace"), "not UTF-8: byte 0xfc ('ü' in Windows-1252)"),
    (SELLERS.encode("latin-1", errors="replace"), "shows a legacy 8-bit encoding"),
]


def _zip(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in names.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 3, 2, 12, 0, 0)), data)
    return buffer.getvalue()


REFUSED += [
    (
        _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"}),
        "this is an Excel workbook (.xlsx), not CSV text; open it in Excel and save it as CSV",
    ),
    (_zip({"sellers.csv": SELLERS.encode()}), "this is a ZIP archive, not text; extract"),
]


@pytest.mark.parametrize(("data", "words"), REFUSED)
def test_every_other_file_is_one_sentence_naming_what_it_is(tmp_path, data, words):
    rows, problems, fatal = read(write(tmp_path, "s.csv", data))
    assert rows == [] and fatal
    assert len(problems) == 1
    assert words in problems[0]
    assert problems[0].startswith(("f:1: file: ", "f:2: file: "))


def test_the_legacy_sentence_names_the_line_of_the_first_bad_byte(tmp_path):
    data = "seller_id,store,name,plan,emergency_phone,email\nS1,DE,Plain,professional,,\n"
    data += "S2,DE,Café,professional,,\n"
    _, problems, _ = read(write(tmp_path, "s.csv", data.encode("cp1252")))
    assert problems[0].startswith("f:3: file: not UTF-8: byte 0xe9 ('é' in Windows-1252)")
    assert problems[0].endswith("or convert it with iconv -f WINDOWS-1252 -t UTF-8")


COMPRESSED = [
    (gzip.compress, "a gzip", "gunzip -c"),
    (bz2.compress, "a bzip2", "bunzip2 -c"),
    (lambda data: lzma.compress(data, format=lzma.FORMAT_XZ), "an xz", "unxz -c"),
    (lambda data: b"\x28\xb5\x2f\xfd" + data, "a zstd", "unzstd -c"),  # zstd's magic number
]


@pytest.mark.parametrize(("pack", "what", "tool"), COMPRESSED,
                         ids=[c[1].split()[1] for c in COMPRESSED])
def test_compressed_input_is_told_the_pipe_that_decompresses_it_as_it_came(pack, what, tool):
    """A newcomer's trial: standard input that was gzip was told ``gunzip -k FILE``, which has
    no file to act on (and refuses a file whose name lacks ``.gz``, such as a browser's
    download saved as ``scores.csv``). A file is told to be decompressed as it is read, by
    name; standard input or a pipe, in the pipe; both into the command that reads ``-``."""
    head = pack(SELLERS.encode())
    command = "ahr import sellers -"
    with pytest.raises(NotText) as named:
        sniff(head, origin=Origin("my export.csv", piped=False, command=command))
    assert named.value.message == (
        f"this is {what}-compressed file, not CSV text; decompress it as it is read: "
        f"{tool} 'my export.csv' | ahr import sellers -")
    with pytest.raises(NotText) as piped:
        sniff(head, origin=Origin("<stdin>", piped=True, command=command))
    assert piped.value.message == (
        f"this is {what}-compressed file, not CSV text; decompress it in the pipe: "
        f"... | {tool} | ahr import sellers -")


def test_a_zip_archive_is_told_how_to_extract_it_from_a_file_or_a_pipe():
    archive = _zip({"sellers.csv": SELLERS.encode()})
    with pytest.raises(NotText, match=r"extract the file from it: unzip -p x\.zip NAME\.csv \| "
                       r"ahr import sellers -$"):
        sniff(archive, origin=Origin("x.zip", piped=False, command="ahr import sellers -"))
    with pytest.raises(NotText, match=r"save it, then extract the file from it: unzip -p "
                       r"FILE\.zip NAME\.csv \| ahr import sellers -$"):
        sniff(archive, origin=Origin("<stdin>", piped=True, command="ahr import sellers -"))


def test_a_report_gets_advice_for_json():
    with pytest.raises(NotText, match="save the report as UTF-8 JSON"):
        sniff(b'{"a": "caf\xe9"}', want="json")


# --- separators -----------------------------------------------------------------------------


@pytest.mark.parametrize("separator", [",", ";", "\t", "|"])
def test_the_separator_is_the_header_rows(tmp_path, separator):
    text = SELLERS.replace(",", separator)
    rows, problems, _ = read(write(tmp_path, "s.csv", text))
    assert (rows, problems) == (ROWS, [])


def test_a_semicolon_file_keeps_commas_inside_fields(tmp_path):
    text = "seller_id;store;date;score\nS1;US;2026-03-01;5\n"
    rows, problems, _ = read(write(tmp_path, "s.csv", text), score_file.COLUMNS)
    assert (rows, problems) == ([["S1", "US", "2026-03-01", "5"]], [])


def test_a_header_naming_none_of_the_columns_is_one_sentence(tmp_path):
    text = "Verkäufer;Shop;Datum;Wert\nS1;DE;2026-03-01;5\n"
    _, problems, fatal = read(write(tmp_path, "s.csv", text), score_file.COLUMNS)
    assert fatal
    assert problems == [
        "f:1: header: line 1 names none of the columns seller_id, store, date, score (found "
        "'Verkäufer', 'Shop', 'Datum', 'Wert'); the first line must be the header row"
    ]


@pytest.mark.parametrize(
    ("header", "found"),
    [
        # a space after each comma
        ("seller_id, store, date, score", "the column names ' store', ' date', ' score' have"),
        ("Seller_ID,Store,Date,Score",
         "the column names 'Seller_ID', 'Store', 'Date', 'Score' have"),
        ("Seller ID,store,date,score ", "the column names 'Seller ID', 'score ' have"),
        ("seller_id,store,Date,score", "the column name 'Date' has"),
    ],
)
def test_column_names_with_spaces_or_capitals_are_one_sentence(tmp_path, header, found):
    """Not an unknown and a missing column for each name (six lines for ``, `` after commas):
    the newcomer trial."""
    text = f"{header}\nS1,US,2026-03-01,5\n"
    _, problems, fatal = read(write(tmp_path, "s.csv", text), score_file.COLUMNS)
    assert fatal
    assert problems == [
        f"f:1: header: {found} spaces or capitals; write them exactly as "
        "seller_id, store, date, score"
    ]


# --- spreadsheet leftovers ------------------------------------------------------------------


def test_empty_columns_anywhere_and_empty_rows_are_ignored(tmp_path):
    text = (
        ",seller_id,store,,date,score,,\r\n"
        ",S1,US,,2026-03-01,5,,\r\n"
        ",,,,,,,\r\n"
        "\r\n"
        ",S1,CA,,2026-03-01,6,,\r\n"
        ",,,\r\n"
    )
    rows, problems, fatal = read(write(tmp_path, "s.csv", text), score_file.COLUMNS)
    assert (problems, fatal) == ([], False)
    assert rows == [["S1", "US", "2026-03-01", "5"], ["S1", "CA", "2026-03-01", "6"]]


def test_rows_that_leave_out_the_empty_columns_are_read_too(tmp_path):
    text = (
        "seller_id,store,date,score,,\n"
        "S1,US,2026-03-01,5\n"  # not padded to the header's width
        "S1,CA,2026-03-01,6,\n"
        "S1,MX,2026-03-01\n"  # a named column missing: a width problem
    )
    rows, problems, _ = read(write(tmp_path, "s.csv", text), score_file.COLUMNS)
    assert rows == [["S1", "US", "2026-03-01", "5"], ["S1", "CA", "2026-03-01", "6"]]
    assert problems == ["f:4: row: expected 4 fields, found 3"]


def test_a_value_under_an_empty_header_is_that_rows_problem(tmp_path):
    text = "seller_id,store,date,score,,\nS1,US,2026-03-01,5,,\nS1,CA,2026-03-01,6,,oops\n"
    rows, problems, fatal = read(write(tmp_path, "s.csv", text), score_file.COLUMNS)
    assert rows == [["S1", "US", "2026-03-01", "5"]] and not fatal
    assert problems == [
        "f:3: row: column 6 has no header but holds 'oops'; name the column or empty it"
    ]


def test_the_scores_reader_ignores_the_same_leftovers(tmp_path):
    text = "seller_id,store,date,score,,\n,,,,,\nS1,US,2026-03-01,5,,\nS1,US,2026-03-02,6,x,\n"
    problems = Problems()
    with open_csv(write(tmp_path, "s.csv", text), score_file.COLUMNS, problems) as csv_file:
        assert csv_file is not None
        reader = score_file.ScoreReader(
            csv_file, {("S1", "US"): 1}, problems, Rejects(None, csv_file.header)
        )
        batches = list(reader.batches())
    assert batches == [[(1, "2026-03-01", 5)]]
    assert [p.render("f") for p in problems.kept] == [
        "f:4: row: column 5 has no header but holds 'x'; name the column or empty it"
    ]


@pytest.mark.parametrize(
    "text", ["seller_id,store,date,score\n", "seller_id,store,date,score,,\r\n,,,,,\r\n\r\n"]
)
def test_a_header_only_file_reads_nothing_and_is_no_problem(tmp_path, text):
    problems = Problems()
    with open_csv(write(tmp_path, "s.csv", text), score_file.COLUMNS, problems) as csv_file:
        assert csv_file is not None
        reader = score_file.ScoreReader(csv_file, {}, problems, Rejects(None, csv_file.header))
        assert list(reader.batches()) == []
    assert not problems


# --- line breaks inside quoted fields -------------------------------------------------------


@pytest.mark.parametrize("brk", ["\r\n", "\n"])
def test_a_line_break_inside_a_quoted_field_reads_as_lf(tmp_path, brk):
    text = (
        "seller_id,store,policy,contacted_at,summary\r\n"
        f'S1,US,other,2026-03-01T10:00:00Z,"first{brk}second{brk}{brk}third"\r\n'
        "S1,US,other,2026-03-01T11:00:00Z,one line\r\n"
    )
    problems = Problems()
    with open_csv(write(tmp_path, "c.csv", text), case_file.COLUMNS, problems) as csv_file:
        assert csv_file is not None
        got = list(records(csv_file, problems, Rejects(None, csv_file.header)))
    assert [(line, row[4]) for line, row in got] == [
        (2, "first\nsecond\n\nthird"),
        (6, "one line"),
    ]
