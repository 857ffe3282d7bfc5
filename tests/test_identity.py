"""Who did it: the OS account from the real user id, never ``USER``/``LOGNAME``.

The end-to-end tests create OS accounts and run the real ``ahr`` as them through ``runuser``, with
``USER`` and ``LOGNAME`` set to a lie, on one database (an SQLite file in a directory they can
all write, or PostgreSQL with ``--backend postgresql``). They check the actor recorded in the
audit log, that role checks use the same account, ``SUDO_USER`` (honoured only for root), the
SSH client address and the tty (given through ``script``, which runs the command on a pty).
"""

from __future__ import annotations

import json
import os
import pwd
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from ahr_tui.rules import Role
from ahr_tui.service import identity
from ahr_tui.service.admin import init_database
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import make_engine, transaction
from ahr_tui.store.models import Event
from tests.conftest import T0, add_operator, seed_account
from tests.processes import Done, ahr_for_other_users, ensure_os_user, run_ahr, shared_dir

LEAD, TRIAGE, VIEWER = "ahrtest_lead", "ahrtest_triage", "ahrtest_viewer"
LIE = {"USER": "root", "LOGNAME": "root", "HOME": "/root"}


@pytest.fixture
def users() -> None:
    for name in (LEAD, TRIAGE, VIEWER):
        ensure_os_user(name)


@pytest.fixture
def shared_db(backend: str, db_url: str, users: None) -> Iterator[str]:
    """An uninitialised database every test user can open and write."""
    if backend == "postgresql":
        yield db_url
        return
    with shared_dir() as folder:
        yield str(folder / "shared.db")


def _share(db: str) -> None:
    """Let every operator write the file, as a team's shared database would be (SQLite creates
    it 0644 for its creator; -wal and -shm follow the main file's mode)."""
    if "://" in db:
        return
    for suffix in ("", "-wal", "-shm"):
        path = Path(db + suffix)
        if path.exists():
            path.chmod(0o666)


def _events(db: str) -> list[Event]:
    engine = make_engine(db)
    try:
        with transaction(engine) as session:
            return list(session.execute(select(Event).order_by(Event.id)).scalars())
    finally:
        engine.dispose()


def _seed(db: str) -> None:
    engine = make_engine(db)
    try:
        seed_account(engine, "S1")
    finally:
        engine.dispose()


def _ahr(db: str, *args: str, user: str | None = None, **env: str) -> Done:
    return run_ahr("--db", db, *args, user=user, env=env)


def test_actor_and_roles_come_from_the_real_account_not_USER(shared_db):
    db = shared_db
    init = _ahr(db, "init", user=LEAD, **{**LIE, "USER": TRIAGE, "LOGNAME": TRIAGE})
    assert init.code == 0, init.err
    _share(db)
    added = _ahr(db, "operator", "add", TRIAGE, "--role", "triage", user=LEAD, **LIE)
    assert added.code == 0, added.err
    _seed(db)

    # the triage operator claims to be the lead: opening is allowed, and recorded as TRIAGE
    claims_lead = {**LIE, "USER": LEAD, "LOGNAME": LEAD}
    opened = _ahr(db, "case", "open", "S1", "--store", "US", "--policy", "reviews",
                  user=TRIAGE, **claims_lead)
    assert opened.code == 0, opened.err
    case_id = opened.out.strip()
    # ...but a fraud finding needs the investigator role, whatever USER says
    fraud = _ahr(db, "case", "fraud", case_id, "--evidence", "x", user=TRIAGE, **claims_lead)
    assert (fraud.code, fraud.out) == (1, "")
    assert fraud.err.strip() == (
        f"ahr: to record a fraud finding you need the investigator role; {TRIAGE} is triage."
    )

    # someone who is not an operator can look, not act; the refusal names the role needed
    listed = _ahr(db, "cases", user=VIEWER, **claims_lead)
    assert listed.code == 0 and "S1" in listed.out, listed.err
    shown = _ahr(db, "case", "show", case_id, user=VIEWER, **claims_lead)
    assert shown.code == 0 and "timeline" in shown.out, shown.err
    note = _ahr(db, "case", "note", case_id, "--text", "hi", user=VIEWER, **claims_lead)
    assert note.code == 1
    assert note.err.strip().startswith(f"ahr: {VIEWER} is not an operator; to add a note you "
                                       "need the triage role")

    assert [(e.action, e.actor) for e in _events(db)] == [
        ("operator_add", LEAD), ("operator_add", LEAD), ("open", TRIAGE)
    ]


def test_sudo_ssh_client_and_tty_are_recorded(shared_db):
    db = shared_db
    engine = make_engine(db, create=True)
    try:
        init_database(engine, actor=Actor(LEAD), now=T0)
        add_operator(engine, TRIAGE, Role.TRIAGE)
        seed_account(engine, "S1")
    finally:
        engine.dispose()
    _share(db)
    lead_uid = str(pwd.getpwnam(LEAD).pw_uid)

    # root under sudo is recorded as the person who typed `sudo` (and acts with their role)
    as_root = _ahr(db, "case", "open", "S1", "--store", "US", "--policy", "other",
                   SUDO_USER=LEAD, SUDO_UID=lead_uid, USER="root")
    assert as_root.code == 0, as_root.err
    case_id = as_root.out.strip()

    # a non-root account cannot borrow a name through SUDO_USER; on a pty, over "SSH"
    on_tty = run_ahr_under_script(
        ["--db", db, "case", "note", case_id, "--text", "called"], user=TRIAGE,
        env={"SUDO_USER": LEAD, "SUDO_UID": lead_uid, "USER": LEAD,
             "SSH_CONNECTION": "203.0.113.9 50022 10.0.0.5 22"},
    )
    assert on_tty.code == 0, on_tty.out + on_tty.err

    # a forged SSH_CONNECTION is not an address: nothing is recorded rather than the junk
    forged = _ahr(db, "case", "note", case_id, "--text", "again", user=TRIAGE,
                  SSH_CONNECTION="\x1b]52;c;SGk=\x07 1 2 3")
    assert forged.code == 0, forged.err

    opened, noted, noted_again = _events(db)[-3:]
    assert (opened.action, opened.actor, opened.tty, opened.client) == ("open", LEAD, None, None)
    assert (noted.action, noted.actor, noted.client) == ("note", TRIAGE, "203.0.113.9")
    assert noted.tty is not None and noted.tty.startswith("/dev/pts/")
    assert (noted_again.actor, noted_again.client) == (TRIAGE, None)


def run_ahr_under_script(args: list[str], *, user: str, env: dict[str, str]) -> Done:
    """Run ``ahr ARGS`` as ``user`` on a fresh pseudo-terminal (util-linux ``script``)."""
    prefix, extra = ahr_for_other_users()
    base = {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8", **extra, **env}
    command = shlex.join([*prefix, *args])
    proc = subprocess.run(
        ["runuser", "-u", user, "--", "script", "-qec", command, "/dev/null"],
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
        umask=0,
        check=False,
    )
    return Done(proc.returncode, proc.stdout, proc.stderr)


# --- the identity functions on their own -------------------------------------------------------


def test_user_and_logname_are_ignored(monkeypatch):
    monkeypatch.setenv("USER", "mallory")
    monkeypatch.setenv("LOGNAME", "mallory")
    monkeypatch.delenv("SUDO_USER", raising=False)
    assert identity.os_user_name() == pwd.getpwuid(os.getuid()).pw_name


def test_sudo_user_counts_only_for_root_and_only_for_a_real_matching_account(monkeypatch, users):
    lead = pwd.getpwnam(LEAD)
    triage_uid = pwd.getpwnam(TRIAGE).pw_uid
    monkeypatch.setenv("SUDO_USER", LEAD)
    monkeypatch.setenv("SUDO_UID", str(lead.pw_uid))
    assert identity.os_user_name(0) == LEAD
    assert identity.os_user_name(triage_uid) == TRIAGE  # not root: SUDO_USER is ignored
    monkeypatch.setenv("SUDO_UID", str(triage_uid))  # does not match the account named
    assert identity.os_user_name(0) == "root"
    monkeypatch.delenv("SUDO_UID")
    monkeypatch.setenv("SUDO_USER", "no_such_account_here")
    assert identity.os_user_name(0) == "root"
    monkeypatch.setenv("SUDO_USER", "root")
    assert identity.os_user_name(0) == "root"


def test_an_unknown_uid_still_gets_a_stable_name():
    assert identity.os_user_name(4_000_000_001) == "uid4000000001"


@pytest.mark.parametrize(
    ("value", "client"),
    [
        ("203.0.113.9 50022 10.0.0.5 22", "203.0.113.9"),
        ("2001:db8::7 50022 2001:db8::1 22", "2001:db8::7"),
        ("", None),
        ("not-an-address 1 2 3", None),
        ("\x1b[2J 1 2 3", None),
    ],
)
def test_ssh_client_is_an_address_or_nothing(monkeypatch, value, client):
    monkeypatch.setenv("SSH_CONNECTION", value)
    assert identity.ssh_client() == client
    assert identity.current_actor().client == client


def test_sample_makes_the_account_running_it_a_lead(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from ahr_tui.cli.common import CliState
    from ahr_tui.cli.main import app

    monkeypatch.setattr("ahr_tui.service.identity.os_user_name", lambda uid=None: "ahrtest_lead")
    target = str(tmp_path / "sample.db")

    def ahr(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(app, ["--db", target, *args], obj=CliState(db=target))

    made = ahr("sample", "--out", target, "--accounts", "3", "--days", "3")
    assert made.exit_code == 0, made.output
    operators = json.loads(ahr("operator", "list", "--json").stdout)
    assert ("ahrtest_lead", "lead") in [(o["name"], o["role"]) for o in operators]
    assert ahr("audit", "verify").exit_code == 0
