"""Roles through the command line: every command that acts, for a non-operator and each role.

A refusal is exit 1 with one sentence naming the role needed, and writes nothing; an allowed
command succeeds. Looking (lists, show, the audit log) needs no role at all. The identity is
swapped in-process here; ``test_identity.py`` proves the same with real OS accounts.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from ahr_tui.rules import Permission, PolicyArea, Role, least_role
from ahr_tui.rules.roles import GRANTS
from ahr_tui.service import cases
from ahr_tui.service.sweep import expire_due
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Event
from tests.conftest import T0, add_operator, seed_account

WHO = "ahr_role_probe"


def _iso(value) -> str:  # type: ignore[no-untyped-def]
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _setup(engine: Engine, me: Actor, tmp_path: Path) -> dict[str, int | str]:
    """One target per command, created by the lead, so each command can succeed on its own."""
    for seller in ("A", "B", "C", "D", "E", "F", "G"):
        seed_account(engine, seller)

    def open_(seller: str, at=T0 - timedelta(hours=1)) -> int:  # type: ignore[no-untyped-def]
        return cases.open_case(engine, seller_id=seller, store="US", policy=PolicyArea.REVIEWS,
                               at=at, summary="s", actor=me, now=T0).id

    ids: dict[str, int | str] = {name: open_(seller) for name, seller in
                                 (("respond", "B"), ("resolve", "C"), ("assign", "D"),
                                  ("note", "E"), ("fraud", "F"), ("contact", "A"))}
    ids["deactivate"] = open_("G", at=T0 - timedelta(days=4))
    expire_due(engine, now=T0, actor=me)
    scores = tmp_path / "scores.csv"
    scores.write_text(f"seller_id,store,date,score\nA,US,{(T0 - timedelta(days=1)).date()},640\n")
    ids["scores"] = str(scores)
    return ids


def _commands(t: dict[str, int | str]) -> list[tuple[Permission, list[str]]]:
    at = _iso(T0 - timedelta(minutes=30))
    return [
        (Permission.OPEN, ["case", "open", "A", "--store", "US", "--policy", "other"]),
        (Permission.RESPOND, ["case", "respond", str(t["respond"]), "--at", at]),
        (Permission.RESOLVE, ["case", "resolve", str(t["resolve"]), "--note", "done"]),
        (Permission.ASSIGN, ["case", "assign", str(t["assign"]), "--to", "root-lead"]),
        (Permission.NOTE, ["case", "note", str(t["note"]), "--text", "called"]),
        (Permission.CONTACT, ["case", "attempt", str(t["contact"]), "--channel", "phone",
                              "--outcome", "reached", "--at", at]),
        (Permission.FRAUD, ["case", "fraud", str(t["fraud"]), "--evidence", "fake invoices"]),
        (Permission.DEACTIVATE, ["case", "deactivate", str(t["deactivate"]), "--note", "no reply"]),
        # no scores: the accounts lapse (an event each) once the day is evaluated anyway
        (Permission.SWEEP, ["sweep", "--now", _iso(T0), "--allow-missing-scores"]),
        (Permission.MANAGE_STORES, ["store", "enable", "MX"]),
        (Permission.MANAGE_OPERATORS, ["operator", "add", "newcomer", "--role", "triage"]),
        (Permission.IMPORT, ["import", "scores", str(t["scores"])]),
    ]


def _event_count(engine: Engine) -> int:
    with transaction(engine) as s:
        return int(s.execute(select(func.count()).select_from(Event)).scalar() or 0)


@pytest.mark.parametrize("role", [None, Role.TRIAGE, Role.INVESTIGATOR, Role.LEAD],
                         ids=["not-an-operator", "triage", "investigator", "lead"])
def test_each_role_can_do_exactly_what_it_grants(cli, engine, me, tmp_path, monkeypatch, role):
    targets = _setup(engine, me, tmp_path)
    add_operator(engine, "root-lead", Role.LEAD)
    if role is not None:
        add_operator(engine, WHO, role)
    monkeypatch.setattr("ahr_tui.service.identity.os_user_name", lambda uid=None: WHO)
    granted = GRANTS[role] if role is not None else frozenset()
    for permission, argv in _commands(targets):
        before = _event_count(engine)
        result = cli(*argv)
        if permission in granted:
            assert result.exit_code == 0, (permission, result.output)
            assert _event_count(engine) > before, permission
            continue
        needed = least_role(permission).value
        assert result.exit_code == 1 and result.stdout == "", (permission, result.output)
        expected = (
            f"ahr: {WHO} is not an operator; to {permission.value} you need the {needed} role"
            if role is None
            else f"ahr: to {permission.value} you need the {needed} role; {WHO} is {role.value}."
        )
        assert result.stderr.strip().startswith(expected), (permission, result.stderr)
        assert _event_count(engine) == before, f"{permission} refused but something was written"


def test_anyone_may_look(cli, engine, me, tmp_path, monkeypatch):
    targets = _setup(engine, me, tmp_path)
    monkeypatch.setattr("ahr_tui.service.identity.os_user_name", lambda uid=None: "passer-by")
    for argv in (["cases"], ["cases", "--json"], ["case", "show", str(targets["note"])],
                 ["case", "show", str(targets["note"]), "--json"], ["eligibility"],
                 ["store", "list"], ["operator", "list"], ["audit", "log"], ["audit", "verify"]):
        result = cli(*argv)
        assert result.exit_code == 0, (argv, result.output)


def test_a_lead_cannot_remove_the_last_lead(cli, engine, me):
    result = cli("operator", "remove", me.name)
    assert result.exit_code == 1
    assert "last lead" in result.stderr and result.stderr.count("\n") == 1


def test_a_role_edited_to_nonsense_in_the_database_can_look_not_act(cli, engine, monkeypatch):
    add_operator(engine, WHO, Role.LEAD)
    with engine.begin() as conn:
        conn.execute(text("UPDATE operator SET role = 'god' WHERE name = :n"), {"n": WHO})
    monkeypatch.setattr("ahr_tui.service.identity.os_user_name", lambda uid=None: WHO)
    assert cli("cases").exit_code == 0
    refused = cli("sweep")
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert refused.stderr.startswith(f"ahr: {WHO} is not an operator; to run a sweep you need")
