"""Each account's emergency phone is checked once and stored (``store.phone_checks``), not at
every sweep: a marketplace's sellers each have a number of their own, and checking a million of
them took 27 s of every sweep. The answers stay those of ``rules.phone_status``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

import ahr_tui.service.detail as detail_module
import ahr_tui.service.imports as imports_module
import ahr_tui.service.sweep as sweep_module
from ahr_tui.rules import PhoneStatus, phone_status
from ahr_tui.service.imports import import_sellers
from ahr_tui.service.sweep import evaluate_accounts
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from ahr_tui.store.phone_checks import PHONE_RULES
from tests.conftest import T0, full_window, seed_account
from tests.test_service_sweep import AS_OF, run

PHONES = {
    "S1": "+1 415 555 2671",   # valid
    "S2": "+1 415 555 0150",   # North America's fiction range: invalid
    "S3": None,                # missing
    "S4": "+1 415 555 2671",   # the first one's number again: checked once
}


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str | None]]:
    """Every number ``rules.phone_status`` is asked about, wherever ahr asks."""
    asked: Counter[str | None] = Counter()

    def counted(phone: str | None, region: str) -> PhoneStatus:
        asked[phone] += 1
        return phone_status(phone, region)

    for module in (detail_module, sweep_module, imports_module):
        monkeypatch.setattr(module, "phone_status", counted)
    yield asked


def stored(engine: Engine) -> dict[str, tuple[str | None, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT seller_id, phone_status, phone_checked FROM account ORDER BY seller_id"))
        return {seller: (status, checked) for seller, status, checked in rows}


def seeded(engine: Engine) -> None:
    for seller, phone in PHONES.items():
        seed_account(engine, seller, phone=phone, enrollment="not_enrolled",
                     scores=full_window(AS_OF))


def expected() -> dict[str, tuple[str | None, str | None]]:
    return {seller: (phone_status(phone, "US").value, phone)
            for seller, phone in PHONES.items()}


def test_a_sweep_checks_each_number_once_and_the_next_sweep_none(
    engine: Engine, me: Actor, checks: Counter[str | None]
) -> None:
    seeded(engine)
    assert set(stored(engine).values()) == {(None, None)}
    first = run(engine, me)
    assert dict(checks) == {"+1 415 555 2671": 1, "+1 415 555 0150": 1, None: 1}
    assert stored(engine) == expected()
    # S1 and S4 have a number a person could dial; S2 and S3 wait for one
    assert dict(first.enrollment_changes) == {"not_enrolled->enrolled": 2,
                                              "not_enrolled->pending_contact": 2}
    checks.clear()
    again = run(engine, me)
    with transaction(engine) as session:
        answers = evaluate_accounts(session, AS_OF)
    assert not checks and not again.changed
    reasons = {a.seller_id: a.eligibility.reason_words for a in answers}
    assert "phone_invalid" in reasons["S2"] and "phone_missing" in reasons["S3"]


def test_a_number_changed_behind_ahrs_back_is_checked_again(
    engine: Engine, me: Actor, checks: Counter[str | None]
) -> None:
    seeded(engine)
    run(engine, me)
    checks.clear()
    with engine.begin() as conn:  # hand-written SQL: the stored check is left behind
        conn.execute(text("UPDATE account SET emergency_phone = '+1 415 555 0199' "
                          "WHERE seller_id = 'S1'"))
    with transaction(engine) as session:  # a reader works the new number out, storing nothing
        [s1] = evaluate_accounts(session, AS_OF, seller_ids=["S1"])
    assert "phone_invalid" in s1.eligibility.reason_words
    assert stored(engine)["S1"] == ("valid", "+1 415 555 2671")
    run(engine, me)
    assert stored(engine)["S1"] == ("invalid", "+1 415 555 0199")
    assert checks["+1 415 555 0199"] == 2 and sum(checks.values()) == 2


def test_other_rules_empty_every_stored_status_and_a_status_ahr_did_not_write_is_redone(
    engine: Engine, me: Actor, checks: Counter[str | None]
) -> None:
    seeded(engine)
    run(engine, me)
    with engine.begin() as conn:  # as another phonenumbers release left it
        conn.execute(text("UPDATE meta SET value = 'phonenumbers 0.1; ahr 1' "
                          "WHERE key = 'phone_rules'"))
        conn.execute(text("UPDATE account SET phone_status = 'bogus' WHERE seller_id = 'S2'"))
    checks.clear()
    with transaction(engine) as session:  # not trusted: worked out again, once a number
        evaluate_accounts(session, AS_OF)
    assert sum(checks.values()) == 3
    checks.clear()
    run(engine, me)
    assert sum(checks.values()) == 3 and stored(engine) == expected()
    with engine.connect() as conn:
        assert conn.execute(text(
            "SELECT value FROM meta WHERE key = 'phone_rules'")).scalar() == PHONE_RULES


def test_the_sellers_import_stores_the_check_so_the_sweep_makes_none(
    engine: Engine, me: Actor, checks: Counter[str | None], tmp_path: Path
) -> None:
    sellers = tmp_path / "sellers.csv"
    sellers.write_text("seller_id,store,name,plan,emergency_phone,email\n" + "".join(
        f"{s},US,Seller {s},professional,{p or ''},{s.lower()}@example.com\n"
        for s, p in PHONES.items()))
    result = import_sellers(engine, sellers, actor=me, now=T0)
    assert result.committed and result.new == 4
    assert stored(engine) == {s: (status, phone or None) for s, (status, phone)
                              in expected().items()}
    checks.clear()
    run(engine, me)
    assert not checks
    changed = sellers.read_text().replace("+1 415 555 0150", "+44 20 7946 0958")
    sellers.write_text(changed)
    import_sellers(engine, sellers, actor=me, now=T0)
    assert stored(engine)["S2"] == ("valid", "+44 20 7946 0958")
    checks.clear()
    run(engine, me)
    assert not checks
