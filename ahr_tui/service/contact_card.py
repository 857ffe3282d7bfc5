"""How to reach a seller: the emergency phone as given, whether it can be dialled, the number to
dial and where it rings, and the email address.

The operator needs this where they record a call (the ``c`` dialog) and at the top of a case's
detail, so both read it here: ``contact_card`` from an account's fields (the detail already has
them), ``load_contact_card`` by account id (the dialog, in its worker). The TUI imports it at
start, so SQLAlchemy is imported only inside ``load_contact_card``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ahr_tui.errors import NotFound
from ahr_tui.rules import PhoneStatus, phone_status
from ahr_tui.rules.phones import dialling_format, local_time, phone_time_zones

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass(frozen=True, slots=True)
class ContactCard:
    """``phone``: as given (None: none on file); ``status``: whether a person could dial it;
    ``dial``: phonenumbers' international format (None unless valid); ``zones``: the IANA zones
    the number rings in (empty: unknown); ``email``: as given."""

    phone: str | None
    status: PhoneStatus
    dial: str | None
    zones: tuple[str, ...]
    email: str | None


def contact_card(phone: str | None, email: str | None, region: str) -> ContactCard:
    """The card of an account whose store's phone region is ``region`` (``US``)."""
    return ContactCard(
        phone=phone, status=phone_status(phone, region), dial=dialling_format(phone, region),
        zones=phone_time_zones(phone, region), email=email,
    )


def load_contact_card(session: Session, account_id: int) -> ContactCard:
    """The contact card of account ``account_id``. Raises ``NotFound``."""
    from sqlalchemy import select  # here: the app's first frame is drawn without SQLAlchemy

    from ahr_tui.store.models import Account, Store

    found = session.execute(
        select(Account.emergency_phone, Account.email, Store.region)
        .join(Store, Store.code == Account.store)
        .where(Account.id == account_id)
    ).first()
    if found is None:
        raise NotFound(f"no account with id {account_id}.")
    phone, email, region = found
    return contact_card(phone, email, region)


#: The words both front ends use (the app styles them, ``tui.contact_text``).
NO_PHONE = "none on file"
NOT_DIALLABLE = "invalid: not a number a person could dial"


def where_it_rings(card: ContactCard, now: datetime) -> str | None:
    """``their time Mon 04:00 America/Los_Angeles`` at ``now``; a number whose zones disagree
    says so instead of guessing; None when the number's place is unknown or there is none."""
    rings = local_time(card.zones, now)
    if rings is not None:
        return f"their time {rings}"
    if card.zones:
        return "their time: unknown (the number spans several time zones)"
    return None


def phone_text(card: ContactCard, now: datetime) -> str:
    """One plain line for ``ahr case show``: ``+1 415-555-2671, their time Mon 04:00
    America/Los_Angeles``; ``none on file``; ``'555' invalid: ...`` (the phone as given is the
    caller's to clean)."""
    if card.dial is None:
        return NO_PHONE if not card.phone else f"{card.phone!r} {NOT_DIALLABLE}"
    rings = where_it_rings(card, now)
    return card.dial if rings is None else f"{card.dial}, {rings}"
