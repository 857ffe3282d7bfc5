"""``account.phone_status``: each account's emergency phone checked once, not at every sweep.

Whether a person could dial a number (``rules.phone_status``: phonenumbers and two rules of ours)
costs about 27 µs a number. A sweep needs it for every account, and a marketplace's sellers each
have a number of their own: at a million accounts that was 27 s of every sweep (a repeat sweep
took 28.5 s where the target is 10 s; the sample's few dozen distinct numbers had hidden it).
So the status is stored with the account (schema 5) together with the number it was decided
for; it holds while that number is still the account's ``emergency_phone``:

- the sellers import writes both with the number;
- any other change of the number (the report import, hand-written SQL) leaves them behind it:
  the next sweep sees that they differ, checks the new number and stores its status;
- the rules behind a status are those of one phonenumbers release: ``meta.phone_rules`` names it,
  and when ahr runs with another one, ``ensure_current`` empties every stored status first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import phonenumbers
from sqlalchemy import text
from sqlmodel import Session

from ahr_tui.rules import PhoneStatus
from ahr_tui.store.schema import get_meta, set_meta

#: What a stored status was decided with: the library's metadata and ahr's own two rules (bump
#: the second part when ``rules.phone_status`` changes).
PHONE_RULES = f"phonenumbers {phonenumbers.__version__}; ahr 1"


_STATUSES = {s.value: s for s in PhoneStatus}  # a dict lookup: PhoneStatus(value) costs more


def stored(status: str | None, checked: str | None, phone: str | None) -> PhoneStatus | None:
    """The stored ``status`` if it was decided for ``phone`` as it is now; None when there is
    none, the number changed since, or it is not a status ahr writes."""
    return _STATUSES.get(status) if status is not None and checked == phone else None


def rules_current(session: Session) -> bool:
    """Whether the stored statuses were decided by ``PHONE_RULES`` (a reader that may not write
    uses them only then)."""
    return get_meta(session, "phone_rules") == PHONE_RULES


def ensure_current(session: Session) -> None:
    """Empty every stored status if they were decided with other rules than ``PHONE_RULES``
    (another phonenumbers release), and record ``PHONE_RULES``; nothing when they match."""
    if rules_current(session):
        return
    session.execute(text("UPDATE account SET phone_status = NULL WHERE phone_status IS NOT NULL"))
    set_meta(session, "phone_rules", PHONE_RULES)


def store_statuses(session: Session, rows: Sequence[tuple[str, str | None, int]]) -> None:
    """Write each (status value, the number it was decided for, account id); the version is
    left alone (the status follows from the number: it is not a change of the account)."""
    if not rows:
        return
    connection = session.connection()
    driver: Any = connection.connection.driver_connection
    if connection.dialect.name == "sqlite":
        driver.executemany(
            "UPDATE account SET phone_status = ?, phone_checked = ? WHERE id = ?", rows)
        return
    statuses, phones, ids = (list(column) for column in zip(*rows, strict=True))
    with driver.cursor() as cur:  # one statement over three arrays, not a round trip a row
        cur.execute(
            "UPDATE account AS a SET phone_status = c.status, phone_checked = c.phone "
            "FROM unnest(%s::varchar[], %s::varchar[], %s::integer[]) AS c (status, phone, id) "
            "WHERE a.id = c.id AND a.id BETWEEN %s AND %s",
            (statuses, phones, ids, min(ids), max(ids)))
