"""How to reach a seller: the emergency phone as given, whether it can be dialled, the number to
dial and where it rings, and the email address.

The operator needs this where they record a call (the ``c`` dialog) and at the top of a case's
detail, so both read it here: ``contact_card`` from an account's fields (the detail already has
them), ``load_contact_card`` by account id (the dialog, in its worker).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from ahr_tui.errors import NotFound
from ahr_tui.rules import PhoneStatus, phone_status
from ahr_tui.rules.phones import dialling_format, phone_time_zones
from ahr_tui.store.models import Account, Store


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
    found = session.execute(
        select(Account.emergency_phone, Account.email, Store.region)
        .join(Store, Store.code == Account.store)
        .where(Account.id == account_id)
    ).first()
    if found is None:
        raise NotFound(f"no account with id {account_id}.")
    phone, email, region = found
    return contact_card(phone, email, region)
