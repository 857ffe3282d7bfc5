"""Make untrusted text (seller names, notes, anything imported) safe to show on a terminal.

Textual and Rich parse markup in plain strings and let control characters through even in
``Text``/``Content`` (textual-notes.md section 5). Everything shown from the database goes
through ``clean`` and is rendered as ``Text``/``Content``, never as a markup string. Used by the
CLI and the TUI alike; the CLI also passes its output through ``encodable`` for locales that are
not UTF-8.
"""

from __future__ import annotations

import re
import unicodedata

# Invisible characters that are not format characters but can still hide or fake text: the line
# and paragraph separators (some terminals break the line), and the Hangul fillers, which draw as
# blank space and make a name look empty or like another.
_INVISIBLE_OTHERS = "\u2028\u2029\u115f\u1160\u3164\uffa0"
# Format characters that are kept: ZWNJ and ZWJ join emoji sequences and shape Indic and Arabic
# scripts, and cannot reorder or hide anything on their own.
_FORMAT_KEPT = frozenset("\u200c\u200d")
# Unicode assigns format characters (category Cf) only in planes 0, 1 and 14's first block;
# scanning those is a few milliseconds at import instead of a third of a second for all planes.
_FORMAT_RANGES = (range(0x20000), range(0xE0000, 0xE1000))


def _unsafe_class(controls: str) -> str:
    """A regex character class: ``controls``, every format character (the zero-width space, word
    joiner, BOM, soft hyphen, bidi marks, overrides and isolates, tags...) except ZWNJ and ZWJ,
    the other invisible characters above, and the lone surrogates (which cannot be encoded)."""
    category = unicodedata.category
    formats = "".join(
        chr(code)
        for codes in _FORMAT_RANGES
        for code in codes
        if category(chr(code)) == "Cf" and chr(code) not in _FORMAT_KEPT
    )
    return "[" + re.escape(controls + formats + _INVISIBLE_OTHERS) + "\ud800-\udfff]"


_C1_AND_DEL = "".join(map(chr, range(0x7F, 0xA0)))
# C0 except TAB and LF, DEL, C1; plus the characters of ``_unsafe_class``. Built once, at import.
_UNSAFE = re.compile(
    _unsafe_class("".join(chr(c) for c in range(0x20) if c not in (0x09, 0x0A)) + _C1_AND_DEL)
)
_UNSAFE_LINE = re.compile(_unsafe_class("".join(map(chr, range(0x20))) + _C1_AND_DEL))


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def clean(text: str | None) -> str:
    """Replace control, format (zero-width, bidi) and other invisible characters by visible
    escapes (``\\x1b``, ``\\u200b``, ``\\U000e0041``); keep TAB and LF, ZWJ and ZWNJ.

    A CRLF line break (Windows files, older imports) is a line break: it becomes LF.
    """
    if not text:
        return ""
    return _UNSAFE.sub(_visible, text.replace("\r\n", "\n"))


def clean_line(text: str | None) -> str:
    """Like ``clean`` but for a single-line cell: newlines and tabs are escaped too."""
    if not text:
        return ""
    return _UNSAFE_LINE.sub(_visible, text.replace("\r\n", "\n"))


def encodable(text: str, encoding: str | None) -> str:
    """``text`` with what ``encoding`` cannot hold escaped the same way (``\\u4e1c``).

    For output to a terminal or pipe whose locale is not UTF-8 (``LANG=en_US.ISO-8859-1``): a
    seller's Chinese name prints as escapes instead of ending the command in a traceback.
    """
    if not encoding or encoding.replace("-", "").replace("_", "").lower() in ("utf8", "utf8sig"):
        return text
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:
        return text
    return text


# Characters Markdown reads as syntax anywhere in a line: emphasis, code, links and images,
# headings, HTML and autolinks, table cells, strikethrough; the backslash itself first.
_MARKDOWN_ALWAYS = re.compile(r"[\\`*\[\]()#<>|~]")
# ``_`` between two letters or digits is literal (``left_message``); elsewhere it may emphasise.
_MARKDOWN_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
# ``&amp;``, ``&#60;``: an entity reference would be shown as the character it names.
_MARKDOWN_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# A list marker at the start of an item's text would nest a list (``- x``, ``+ x``, ``1. x``).
_MARKDOWN_LEADING = re.compile(r"^([-+]|\d+(?=\.))")


def markdown_line(text: str | None) -> str:
    """``clean_line``, then escaped with backslashes so Markdown shows it as written: a seller
    named ``*Deals* | [x](y)`` is that text in a chat message, not emphasis, a table cell and a
    link. Letters, digits, spaces and ordinary punctuation (``.,:;'"!?``) are left as they are."""
    line = clean_line(text)
    line = _MARKDOWN_ALWAYS.sub(r"\\\g<0>", line)
    line = _MARKDOWN_UNDERSCORE.sub(r"\\_", line)
    line = _MARKDOWN_ENTITY.sub(r"\\&", line)
    return _MARKDOWN_LEADING.sub(_unlisted, line)


def _unlisted(match: re.Match[str]) -> str:
    """``\\- x`` and ``1\\. x``: what would start a list, escaped."""
    marker = match.group()
    return marker + "\\" if marker.isdigit() else "\\" + marker
