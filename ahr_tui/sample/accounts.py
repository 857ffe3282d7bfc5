"""Which accounts the sample has: a fixed showcase first, then weighted random ones.

The showcase guarantees that even a small sample holds every enrolment state, both sides of the
10-days-below edge, missing days, stores where the program is off, an individual plan, bad and
missing phones, and the display-stressing names, whatever the seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ahr_tui.rules import PhoneStatus
from ahr_tui.sample.histories import RANDOM_PROFILES, WAS_ENROLLED, History, Profile, history
from ahr_tui.sample.people import (
    HOSTILE_NAMES,
    STORE_WEIGHTS,
    PhoneBook,
    business_name,
    email_for,
    seller_id,
    weighted,
)
from ahr_tui.sample.timeline import AccountDraft

_V, _I, _M = PhoneStatus.VALID, PhoneStatus.INVALID, PhoneStatus.MISSING
_PRO, _IND = "professional", "individual"

#: (profile, store, plan, phone) of the first accounts; HOSTILE_NAMES go to the first ones.
SHOWCASE: tuple[tuple[str, str, str, PhoneStatus], ...] = (
    (Profile.STEADY, "US", _PRO, _V),
    (Profile.EDGE_10, "US", _PRO, _V),
    (Profile.EDGE_11, "CA", _PRO, _V),
    (Profile.EDGE_11_LAPSED, "US", _PRO, _V),
    (Profile.STEADY, "CA", _PRO, _M),
    (Profile.REVOKED, "US", _PRO, _V),
    (Profile.STEADY, "US", _PRO, _V),
    (Profile.EDGE_10, "US", _PRO, _I),
    (Profile.STEADY, "MX", _PRO, _V),
    (Profile.EDGE_10_GAPS, "CA", _PRO, _V),
    (Profile.LAPSED, "CA", _PRO, _V),
    (Profile.DEACTIVATED, "US", _PRO, _V),
    (Profile.STEADY, "UK", _PRO, _V),
    (Profile.STEADY, "DE", _PRO, _I),
    (Profile.STEADY, "US", _IND, _V),
    (Profile.NEW, "US", _PRO, _V),
    (Profile.STRUGGLING, "CA", _PRO, _V),
    (Profile.GAPS, "US", _PRO, _V),
    (Profile.STEADY, "CA", _PRO, _V),
)


@dataclass(frozen=True, slots=True)
class PlannedAccount:
    draft: AccountDraft
    history: History
    #: The enrolment and status the account is stored with before the rules settle it.
    intent: str
    status: str


def _intent(profile: str) -> tuple[str, str]:
    """(enrolment, account status) the account starts from, before the rules settle it."""
    if profile == Profile.REVOKED:
        return "revoked", "deactivated"
    if profile == Profile.DEACTIVATED:
        return "not_enrolled", "deactivated"
    if profile in WAS_ENROLLED:
        return "enrolled", "active"
    return "not_enrolled", "active"


def _random_shape(rng: random.Random) -> tuple[str, str, str, PhoneStatus]:
    profile = weighted(rng, RANDOM_PROFILES)
    if profile in WAS_ENROLLED:
        return profile, weighted(rng, (("US", 2), ("CA", 1))), _PRO, _V
    store = weighted(rng, STORE_WEIGHTS)
    plan = _IND if rng.random() < 0.12 else _PRO
    roll = rng.random()
    phone = _V if roll < 0.86 else _I if roll < 0.92 else _M
    return profile, store, plan, phone


class AccountPlanner:
    def __init__(self, rng: random.Random, days: int) -> None:
        self.rng = rng
        self.days = days
        self.phones = PhoneBook()
        self.ids: set[str] = set()
        self.keys: set[tuple[str, str]] = set()
        self.previous: AccountDraft | None = None

    def plan(self, count: int) -> list[PlannedAccount]:
        out = []
        for index in range(count):
            shape = SHOWCASE[index] if index < len(SHOWCASE) else _random_shape(self.rng)
            name = HOSTILE_NAMES[index] if index < len(HOSTILE_NAMES) else None
            out.append(self._one(index + 1, *shape, name=name))
        return out

    def _identity(self, store: str, chinese: bool) -> tuple[str, str, bool]:
        """(seller id, name, chinese): sometimes the previous seller again, in another store."""
        prev = self.previous
        if (prev is not None and self.rng.random() < 0.08
                and (prev.seller_id, store) not in self.keys):
            return prev.seller_id, prev.name, any("\u4e00" <= ch <= "\u9fff" for ch in prev.name)
        return seller_id(self.rng, self.ids), business_name(self.rng, store, chinese), chinese

    def _one(self, account_id: int, profile: str, store: str, plan: str, phone_kind: PhoneStatus,
             *, name: str | None) -> PlannedAccount:
        rng = self.rng
        chinese = store in ("US", "CA", "UK", "DE") and rng.random() < 0.3
        sid, generated, chinese = self._identity(store, chinese)
        self.keys.add((sid, store))
        name = name or generated
        intent, status = _intent(profile)
        draft = AccountDraft(
            id=account_id, seller_id=sid, store=store, name=name, plan=plan,
            email=email_for(rng, name, store, chinese, account_id),
            phone=self.phones.pick(rng, store, phone_kind, chinese),
            profile=profile, lapse_day=None,
        )
        shape = history(rng, profile, self.days)
        draft.lapse_day = shape.lapse_day
        self.previous = draft
        return PlannedAccount(draft, shape, intent, status)
