"""``textsafe.clean`` and ``clean_line``: no format character (category Cf) but ZWJ and ZWNJ, and
no other invisible character that can hide or fake text, survives; what is kept is unchanged."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from ahr_tui.textsafe import clean, clean_line

KEPT = {"\u200c", "\u200d"}
FORMAT = sorted(chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf")
DANGEROUS = [ch for ch in FORMAT if ch not in KEPT] + ["\u2028", "\u2029", "\u3164", "\u115f"]
#: Text mixing ordinary letters, emoji, every format character and the other invisible ones.
MIXED = st.lists(
    st.one_of(st.sampled_from(FORMAT + DANGEROUS), st.characters(codec="utf-8")), max_size=40
).map("".join)


@settings(max_examples=300, deadline=None)
@given(MIXED)
def test_no_format_character_but_zwj_and_zwnj_survives(text: str) -> None:
    for cleaned in (clean(text), clean_line(text)):
        left = [ch for ch in cleaned if ch in DANGEROUS]
        assert left == [], (text, left)
        assert [ch for ch in cleaned if ch in KEPT] == [ch for ch in text if ch in KEPT]


def test_each_format_character_is_a_visible_escape() -> None:
    assert clean("a\u200bb") == "a\\u200bb"
    assert clean_line("\ufeffx\u00ad\u061c\u180e\u2060") == "\\ufeffx\\xad\\u061c\\u180e\\u2060"
    assert clean("tag\U000e0041") == "tag\\U000e0041"
    assert clean("\u202eevil") == "\\u202eevil"


def test_emoji_sequences_and_joining_scripts_are_kept() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    assert clean(family) == family
    assert clean_line(persian) == persian
    assert clean("tab\tline\n") == "tab\tline\n"
    assert clean_line("tab\tline\n") == "tab\\x09line\\x0a"
