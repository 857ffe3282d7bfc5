"""The seller's phone as an operator calling them needs it, in one line for the ``c`` dialog and
the top of a case's detail: the number to dial and the time where it rings.

``Phone  +1 415-555-2671  their time Sun 20:30 America/Los_Angeles``. The time comes from the
number's area (phonenumbers); a number that rings in several zones with different times says so
rather than guessing. A number nobody could dial says why, in words and colour. Untrusted text
(the phone as given, the email) is cleaned and goes in as ``Text``, never markup.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from ahr_tui.rules import PhoneStatus
from ahr_tui.rules.phones import local_time
from ahr_tui.service.contact_card import NO_PHONE, NOT_DIALLABLE, ContactCard, where_it_rings
from ahr_tui.textsafe import clean_line

LABEL = ("Phone  ", "bold")
STATUS_STYLE = {PhoneStatus.VALID: "green", PhoneStatus.INVALID: "bold red",
                PhoneStatus.MISSING: "yellow"}


def phone_line(card: ContactCard, now: datetime) -> Text:
    """The number to dial (bold) and the time where it rings at ``now``; or why there is none."""
    if card.dial is None:
        if card.status is PhoneStatus.MISSING or not card.phone:
            return Text.assemble(LABEL, (NO_PHONE, STATUS_STYLE[PhoneStatus.MISSING]))
        return Text.assemble(
            LABEL, clean_line(card.phone), "  ", (NOT_DIALLABLE, STATUS_STYLE[PhoneStatus.INVALID]),
        )
    line = Text.assemble(LABEL, (card.dial, "bold"))
    rings = where_it_rings(card, now)
    if rings is not None:
        line.append(f"  {rings}", "italic" if not local_time(card.zones, now) else "")
    return line


def as_given_line(card: ContactCard) -> Text:
    """``       as given: (415) 555-2671 · valid``: what the seller wrote, and its status."""
    given = clean_line(card.phone) if card.phone else "(none)"
    return Text.assemble(
        " " * len(LABEL[0]), f"as given: {given} · ", (card.status.value, STATUS_STYLE[card.status])
    )


def email_line(card: ContactCard) -> Text:
    return Text.assemble(("Email  ", "bold"), clean_line(card.email) if card.email else "(none)")
