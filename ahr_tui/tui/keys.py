"""Keys as a terminal delivers them: Esc joined to the next key by a terminal multiplexer.

tmux (default ``escape-time`` 500 ms) and screen hold an Esc for a moment to see whether an
escape sequence follows; an Esc followed by ``j`` within that time reaches the app as one
sequence, ``ESC j``, which Textual reports as ``alt+j``. An operator who pressed Esc then j in
the detail view lost both keys. ``split_joined_escape`` turns such an ``alt+`` key, when
nothing binds it, back into the two keys that were typed (DESIGN.md section 6).
"""

from __future__ import annotations

from collections.abc import Container

from textual import events

ESCAPE = "\x1b"


def split_joined_escape(
    key: events.Key, bound: Container[str]
) -> tuple[events.Key, events.Key] | None:
    """``(escape, the key)`` for an ``alt+<character>`` key that no binding in ``bound`` uses;
    None for any other key. ``alt+shift+j`` gives ``J``."""
    name = key.key
    if not name.startswith("alt+") or name in bound:
        return None
    character = key.character
    if character is None or len(character) != 1 or not character.isprintable():
        return None
    rest = name.removeprefix("alt+")
    if rest.startswith("shift+") and len(rest) == len("shift+") + 1:
        rest = character  # Textual names an upper-case letter by its character
    return events.Key("escape", ESCAPE), events.Key(rest, character)
