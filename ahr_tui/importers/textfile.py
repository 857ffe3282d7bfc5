"""What an import file is, from its first bytes: the text encoding to read it with, or why not.

Users' tools save "the same" file in many shapes (DESIGN.md section 8): Excel's "CSV UTF-8" adds a
BOM, its "Unicode Text" and Windows PowerShell 5's ``>`` write UTF-16 with a BOM, older tools write
a legacy 8-bit code page, a browser download may still be gzip-compressed, and a spreadsheet may
arrive as the workbook itself. ``sniff`` names the codec to read each readable shape with, and for
every other shape raises ``NotText`` whose message is one sentence: what the file is and what to
do. The CSV reader and the report reader both start here, so every kind of file is treated alike.

Only the head of the file is examined (``HEAD_BYTES``); bytes that are not UTF-8 further on are
reported by the readers at their line and column.
"""

from __future__ import annotations

import codecs
import shlex
from dataclasses import dataclass
from typing import BinaryIO

#: How much of a file ``sniff`` examines: 1 MiB covers every sellers or cases file in practice.
HEAD_BYTES = 1 << 20

_SAVE_AS = {
    "csv": "save it as CSV UTF-8 (Excel: File > Save As > CSV UTF-8)",
    "json": "save the report as UTF-8 JSON",
}


class NotText(ValueError):
    """The file is not text this program reads; ``line`` is where that was found (1-based)."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True, slots=True)
class Encoding:
    """``codec`` for ``open``/``bytes.decode`` (it consumes the BOM); ``label`` for people."""

    codec: str
    label: str


UTF8 = Encoding("utf-8-sig", "UTF-8")

@dataclass(frozen=True, slots=True)
class Origin:
    """How the file came, for the advice of a refusal that says what to run instead.

    ``name``: the file as given (``scores.csv.gz``); ``piped``: it came on standard input or
    through a pipe (a FIFO, ``<(...)``), so there is no file of that name to decompress;
    ``command``: the command that reads standard input instead (``ahr import scores -``)."""

    name: str = "FILE"
    piped: bool = False
    command: str = "ahr import ... -"


# Compressed files (file(1)'s magic database and each format's spec), and the tool that writes
# what they hold to standard output. Told as a pipe, whatever the file's name: ``gunzip -k`` would
# refuse a browser's download saved as ``scores.csv`` (no ``.gz``), and standard input has none.
_COMPRESSED: tuple[tuple[bytes, str, str], ...] = (
    (b"\x1f\x8b", "a gzip-compressed file", "gunzip -c"),
    (b"BZh", "a bzip2-compressed file", "bunzip2 -c"),
    (b"\xfd7zXZ\x00", "an xz-compressed file", "unxz -c"),
    (b"\x28\xb5\x2f\xfd", "a zstd-compressed file", "unzstd -c"),
)

# Magic numbers of what else arrives instead of text.
_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "extract the file from it first"),
    (b"%PDF-", "a PDF document", "export the data as {want} instead"),
    (b"SQLite format 3\x00", "an SQLite database", "give a database with --db, not to import"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an Excel 97-2003 workbook (.xls)",
        "open it in Excel and {save}",
    ),
)


def sniff(head: bytes, *, want: str = "csv", origin: Origin = Origin()) -> Encoding:
    """The encoding to read a file starting with ``head``; ``NotText`` for anything unreadable.

    ``want`` is ``"csv"`` or ``"json"`` and ``origin`` how the file came: they only change the
    advice in the sentence.
    """
    save = _SAVE_AS[want]
    if head.startswith(codecs.BOM_UTF8):
        encoding = UTF8
    elif head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise NotText(f"this is UTF-32 text, which this program does not read; {save}")
    elif head.startswith(codecs.BOM_UTF16_LE):
        encoding = Encoding("utf-16", "UTF-16 LE")
    elif head.startswith(codecs.BOM_UTF16_BE):
        encoding = Encoding("utf-16", "UTF-16 BE")
    else:
        _not_data(head, want, save, origin)
        encoding = UTF8
    _check_decodes(head, encoding, save)
    return encoding


def _not_data(head: bytes, want: str, save: str, origin: Origin) -> None:
    """Refuse archives, workbooks and binary files (no BOM was found)."""
    wanted = "CSV" if want == "csv" else "JSON"
    for magic, what, tool in _COMPRESSED:
        if head.startswith(magic):
            raise NotText(f"this is {what}, not {wanted} text; {_decompress(tool, origin)}")
    for magic, what, advice in _MAGIC:
        if head.startswith(magic):
            advice = advice.format(save=save, want=wanted)
            raise NotText(f"this is {what}, not {wanted} text; {advice}")
    if head.startswith(b"PK\x03\x04"):
        raise NotText(_zip_sentence(head, save, want, origin))
    if b"\x00" in head:
        raise NotText(_nul_sentence(head, save))


def _decompress(tool: str, origin: Origin) -> str:
    """``decompress it as it is read: gunzip -c scores.csv.gz | ahr import scores -``; for
    standard input or a pipe, in the pipe: ``... | gunzip -c | ahr import scores -``."""
    if origin.piped:
        return f"decompress it in the pipe: ... | {tool} | {origin.command}"
    return f"decompress it as it is read: {tool} {shlex.quote(origin.name)} | {origin.command}"


def _zip_sentence(head: bytes, save: str, want: str, origin: Origin) -> str:
    if b"xl/" in head:  # an Office Open XML workbook's parts live under xl/
        return f"this is an Excel workbook (.xlsx), not CSV text; open it in Excel and {save}"
    if b"opendocument.spreadsheet" in head:
        return f"this is an OpenDocument spreadsheet (.ods), not CSV text; {save}"
    # unzip reads a file, not a pipe: what came through one is saved first
    archive = "FILE.zip" if origin.piped else shlex.quote(origin.name)
    first = "save it, then extract" if origin.piped else "extract"
    return (f"this is a ZIP archive, not text; {first} the file from it: unzip -p {archive} "
            f"NAME.{want} | {origin.command}")


def _nul_sentence(head: bytes, save: str) -> str:
    sample = head[:4096]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if max(even, odd) > len(sample) // 4 and min(even, odd) == 0:
        return f"this is UTF-16 text without a byte order mark; {save}"
    return "this is a binary file, not text (it contains NUL bytes)"


def _check_decodes(head: bytes, encoding: Encoding, save: str) -> None:
    """The head must decode; a file cut at ``HEAD_BYTES`` may end inside a character."""
    decoder = codecs.getincrementaldecoder(encoding.codec)()
    try:
        decoder.decode(head, final=len(head) < HEAD_BYTES)
    except UnicodeDecodeError as exc:
        line = head.count(b"\n", 0, exc.start) + 1
        if encoding is not UTF8:
            raise NotText(f"this is not valid {encoding.label} text; {save}", line) from None
        raise NotText(_legacy_sentence(head[exc.start], save), line) from None


def _legacy_sentence(byte: int, save: str) -> str:
    guess = bytes([byte]).decode("cp1252", errors="replace")
    shown = f" ({guess!r} in Windows-1252)" if guess.isprintable() and guess != "\ufffd" else ""
    return (
        f"not UTF-8: byte 0x{byte:02x}{shown} shows a legacy 8-bit encoding; {save} "
        "or convert it with iconv -f WINDOWS-1252 -t UTF-8"
    )


def read_head(handle: BinaryIO) -> bytes:
    """The first ``HEAD_BYTES`` of a binary handle, which is left where it was."""
    position = handle.tell()
    head = handle.read(HEAD_BYTES)
    handle.seek(position)
    return head
