"""End-to-end through the service: open, respond, expire, deactivate, fraud, sweep."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.conftest import T0, full_window, seed_account


def test_open_respond_and_show(cli, engine, clock):
    seed_account(engine)
    result = cli("case", "open", "S1", "--store", "US", "--policy", "reviews", "--at", "2026-03-02T10:00:00Z")
    assert result.exit_code == 0, result.output
    case_id = result.stdout.strip()
    assert case_id == "1"
    clock.advance(days=3)
    result = cli("case", "respond", case_id, "--at", "2026-03-05T10:00:00Z")
    assert result.exit_code == 0, result.output
    shown = json.loads(cli("case", "show", case_id, "--json").stdout)
    assert shown["status"] == "responded"
    assert shown["deadline"] == "2026-03-05T10:00:00Z"
    assert [e["action"] for e in shown["events"]] == ["open", "respond"]


def test_sweep_expires_and_enrols(cli, engine, clock):
    as_of = (T0 - timedelta(days=1)).date()
    seed_account(engine, "S2", enrollment="not_enrolled", scores=full_window(as_of))
    result = cli("sweep", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["enrollment_changes"] == {"not_enrolled->enrolled": 1}
    again = json.loads(cli("sweep", "--json").stdout)
    assert again["enrollment_changes"] == {} and again["notifications"] == 0
