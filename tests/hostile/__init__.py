"""The hostile-string corpus (``corpus.json``): markup, escape sequences, control, bidi and
zero-width characters, very long strings and lone surrogates, each with a short name.

The file is ASCII JSON with ``\\u`` escapes, so lone surrogates and raw control bytes survive in
git and editors. ``load()`` returns ``(name, text)`` pairs; ``storable()`` leaves out the strings
that cannot be stored everywhere: lone surrogates (no database holds them; ahr refuses them in
one sentence) and NUL (PostgreSQL refuses it; the importers reject it on every backend).
"""

from __future__ import annotations

import json
from pathlib import Path

CORPUS = Path(__file__).with_name("corpus.json")


def load() -> list[tuple[str, str]]:
    entries = json.loads(CORPUS.read_text(encoding="ascii"))
    return [(entry["name"], entry["text"]) for entry in entries]


def has_lone_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def storable() -> list[tuple[str, str]]:
    return [(name, text) for name, text in load()
            if not has_lone_surrogate(text) and "\x00" not in text]
