"""Two operators acting on the same case at the same moment, as two real processes.

Each race forks two processes that have the CLI loaded, holds them at a barrier, releases them
together and lets both run ``ahr case ...`` on one database (an SQLite file, or PostgreSQL with
``--backend postgresql``: the same test body). With ``--expect-version`` exactly one succeeds and
the other exits 3; without it the loser exits 3 (it read before the winner committed) or 1 (the
rules saw the case already closed). Either way no update is lost and the audit chain verifies.
A few races also use freshly exec'd ``ahr`` processes, to show the forked runs are no different.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from ahr_tui.rules import PolicyArea, Role
from ahr_tui.service import cases
from ahr_tui.store import audit
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Case, Event
from tests.conftest import T0, add_operator, seed_account
from tests.processes import AHR, Barrier, Done, fork_ahr

#: Races per run (forked) and with freshly exec'd processes; reported in the closing note.
FORKED_RACES = 30
EXEC_RACES = 2

AT = (T0 + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Scenario:
    name: str
    a: tuple[str, ...]
    b: tuple[str, ...]
    both_succeed: bool = False  # appends (notes) never conflict


SCENARIOS = (
    Scenario(
        "resolve/resolve, versioned",
        ("resolve", "{id}", "--note", "by A", "--expect-version", "1"),
        ("resolve", "{id}", "--note", "by B", "--expect-version", "1"),
    ),
    Scenario(
        "resolve/resolve, unversioned",
        ("resolve", "{id}", "--note", "by A"),
        ("resolve", "{id}", "--note", "by B"),
    ),
    Scenario(
        "assign/assign, versioned",
        ("assign", "{id}", "--to", "ahr_race_a", "--expect-version", "1"),
        ("assign", "{id}", "--to", "ahr_race_b", "--expect-version", "1"),
    ),
    Scenario(
        "respond/fraud, versioned",
        ("respond", "{id}", "--at", AT, "--note", "by A", "--expect-version", "1"),
        ("fraud", "{id}", "--evidence", "by B", "--expect-version", "1"),
    ),
    Scenario(
        "note/note",
        ("note", "{id}", "--text", "by A"),
        ("note", "{id}", "--text", "by B"),
        both_succeed=True,
    ),
)


def _open_cases(engine: Engine, count: int, me: Actor) -> list[int]:
    ids = []
    for i in range(count):
        seed_account(engine, f"R{i}")
        view = cases.open_case(
            engine,
            seller_id=f"R{i}",
            store="US",
            policy=PolicyArea.REVIEWS,
            at=T0,
            summary="race",
            actor=me,
            now=T0,
        )
        ids.append(view.id)
    return ids


def _argv(db: str, args: tuple[str, ...], case_id: int) -> list[str]:
    return ["--db", db, "case", *(a.format(id=case_id) for a in args)]


def _race_forked(db: str, scenario: Scenario, case_id: int, workdir: Path) -> tuple[Done, Done]:
    barrier = Barrier(2)
    try:
        a = fork_ahr(_argv(db, scenario.a, case_id), workdir=workdir, before=barrier.wait_in_child)
        b = fork_ahr(_argv(db, scenario.b, case_id), workdir=workdir, before=barrier.wait_in_child)
        barrier.release()
        return a.wait(), b.wait()
    finally:
        barrier.close()


_EXEC_WRAPPER = (
    "import sys\n"
    "from ahr_tui.cli.main import app\n"
    "import ahr_tui.service.cases, ahr_tui.store.schema, ahr_tui.service.identity\n"
    "print('ready', flush=True)\n"
    "sys.stdin.read(1)\n"
    "app(args=sys.argv[1:], prog_name='ahr')\n"
)


def _race_exec(db: str, scenario: Scenario, case_id: int) -> tuple[Done, Done]:
    """The same race with two freshly started interpreters, released together through stdin."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _EXEC_WRAPPER, *_argv(db, args, case_id)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in (scenario.a, scenario.b)
    ]
    for proc in procs:  # both have imported everything and wait at the line
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("g")
        proc.stdin.flush()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        results.append(Done(proc.returncode, out, err))
    assert AHR  # the wrapper runs the same entry point the `ahr` script does
    return results[0], results[1]


def _check(engine: Engine, scenario: Scenario, case_id: int, a: Done, b: Done) -> str:
    """Assert the race's outcome; return who won and how the loser exited."""
    with transaction(engine) as s:
        case = s.get(Case, case_id)
        assert case is not None
        kinds = [
            e.action
            for e in s.execute(
                select(Event).where(Event.case_id == case_id).order_by(Event.id)
            ).scalars()
        ]
        notes = [
            e.note
            for e in s.execute(
                select(Event).where(Event.case_id == case_id, Event.action == "note")
            ).scalars()
        ]
    if scenario.both_succeed:
        assert (a.code, b.code) == (0, 0), (a, b)
        assert sorted(n or "" for n in notes) == ["by A", "by B"]  # neither append was lost
        return "both"
    codes = sorted((a.code, b.code))
    assert codes[0] == 0 and codes[1] in (1, 3), (scenario.name, a, b)
    if "--expect-version" in scenario.a:
        assert codes == [0, 3], (scenario.name, a, b)
    winner, loser = (a, b) if a.code == 0 else (b, a)
    side = ("A" if winner is a else "B") + f" (loser exit {loser.code})"
    won_a = winner is a
    assert loser.out == ""
    if loser.code == 3:
        assert "changed by someone else" in loser.err and "nothing was written" in loser.err
    else:
        assert "case" in loser.err and "Traceback" not in loser.err
    assert case.version == 2, "exactly one write reached the case"
    actions = [k for k in kinds if k not in ("open", "account_status", "enrollment")]
    assert len(actions) == 1, kinds
    if scenario.name.startswith("resolve"):
        assert case.status == "resolved" and case.outcome_note == ("by A" if won_a else "by B")
    elif scenario.name.startswith("assign"):
        assert case.assignee == ("ahr_race_a" if won_a else "ahr_race_b")
    else:
        assert case.status == ("responded" if won_a else "fraud")
    return side


def test_two_processes_acting_on_one_case_exactly_one_wins(engine, db_url, me, tmp_path):
    add_operator(engine, "ahr_race_a", Role.TRIAGE)
    add_operator(engine, "ahr_race_b", Role.TRIAGE)
    ids = _open_cases(engine, FORKED_RACES + EXEC_RACES, me)
    outcomes: Counter[str] = Counter()
    for i, case_id in enumerate(ids[:FORKED_RACES]):
        scenario = SCENARIOS[i % len(SCENARIOS)]
        a, b = _race_forked(db_url, scenario, case_id, tmp_path)
        outcomes[f"{scenario.name}: {_check(engine, scenario, case_id, a, b)}"] += 1
    for case_id in ids[FORKED_RACES:]:
        scenario = SCENARIOS[0]
        a, b = _race_exec(db_url, scenario, case_id)
        outcomes[f"exec {scenario.name}: {_check(engine, scenario, case_id, a, b)}"] += 1
    assert sum(outcomes.values()) == FORKED_RACES + EXEC_RACES
    with transaction(engine) as s:
        result = audit.verify(s)
    assert result.ok, result
    print(f"races run: {sum(outcomes.values())}; outcomes: {dict(outcomes)}")
