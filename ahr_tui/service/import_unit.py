"""What every import shares: its options, its result, and its one unit of work.

``service.imports`` (the CSV files) and ``service.report_import`` (a Seller Performance Report)
both run inside ``import_unit`` and end with ``finish_import``: the transaction commits only when
the file was clean (or ``skip_invalid``) and this is not a dry run; otherwise everything it wrote
is rolled back. A file that changed something gets one audit event, ``import_<kind>``, with the
counts as its note; one that changed nothing writes nothing.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from ahr_tui.errors import InvalidInput
from ahr_tui.importers.csvfile import rejects_path
from ahr_tui.importers.problems import Problems
from ahr_tui.importers.source import Source as Source  # the CLI's too
from ahr_tui.importers.source import has_no_folder, is_stdin
from ahr_tui.importers.source import read_once as read_once  # the CLI's
from ahr_tui.rules import PhoneStatus
from ahr_tui.store import audit, window
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Account
from ahr_tui.wording import folder_problem, os_problem


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """``dry_run``: validate, write nothing. ``skip_invalid``: import the valid records and write
    the rejected ones to ``rejects`` (default ``FILE.rejects.csv`` beside the file, see
    ``rejects_file``)."""

    dry_run: bool = False
    skip_invalid: bool = False
    rejects: Path | None = None
    #: ``rejects`` names a folder even if there is none yet (``--rejects out/``: the CLI sees
    #: the slash that ``Path`` drops); it is created, parents too, with the first rejected record.
    rejects_folder: bool = False

    def rejects_in_folder(self) -> bool:
        """``rejects`` is a folder to write the rejects file in: named as one, or one already."""
        return self.rejects is not None and (self.rejects_folder or self.rejects.is_dir())

    def rejects_file(self, file: Path, kind: str) -> Path:
        """Where the rejected records of ``file`` (a ``kind`` import) go: ``rejects`` (in it,
        when a folder, under the default name), else ``scores.rejects.csv`` beside
        ``scores.csv``. Standard input or a pipe has no folder beside it: its default name is
        the kind's (``scores.rejects.csv``), in ``rejects`` or else in the working folder (the
        CLI asks for ``--rejects`` instead: ``needs_rejects_path``)."""
        name = f"{kind}.rejects.csv" if has_no_folder(file) else rejects_path(file).name
        if self.rejects is None:
            return Path(name) if has_no_folder(file) else rejects_path(file)
        if self.rejects_in_folder():
            return self.rejects / name
        return self.rejects

    def rejects_problem(self, file: Path, kind: str) -> str | None:
        """Why the rejects of ``file`` could not be written, in one sentence, or None: the
        folder of a rejects file must exist (``cannot write x/r.csv: the folder x does not
        exist.``); a folder named for them is created, so only a file in its way stops it.
        Asked before an import starts, so that a wrong path is not found a million rows in."""
        if not self.skip_invalid or self.dry_run:
            return None
        target = self.rejects_file(file, kind)
        if not self.rejects_in_folder():
            return folder_problem(target)
        folder = target.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if folder.is_dir():
            return None
        return f"cannot write {target}: {folder} is a file, not a folder."

    def needs_rejects_path(self, file: Path) -> bool:
        """True when rejected records would be written but ``file`` (standard input, a pipe)
        has no folder beside it to write them in, and ``rejects`` does not say where."""
        return self.skip_invalid and self.rejects is None and has_no_folder(file)


@dataclass(frozen=True, slots=True)
class PastDeadline:
    """A case that was already past its 72-hour deadline when it was imported."""

    line: int
    case_id: int | None
    seller_id: str
    store: str
    policy: str
    deadline: datetime


@dataclass
class ImportResult:
    kind: str
    source: Source
    options: ImportOptions
    problems: Problems = field(default_factory=Problems)
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    committed: bool = False
    rejects_file: Path | None = None
    past_deadline: list[PastDeadline] = field(default_factory=list)
    #: What else the summary says, a line each (a report: what each store's entry did).
    details: list[str] = field(default_factory=list)
    #: Sellers: the new and updated accounts by the state of their emergency phone.
    phones: dict[PhoneStatus, int] = field(default_factory=dict)

    @property
    def file(self) -> Path:
        """The file as the user gave it (``-`` for standard input)."""
        return self.source.given

    @property
    def failed(self) -> bool:
        """Nothing may be written: a fatal problem, or any problem without ``skip_invalid``."""
        return self.problems.fatal or (bool(self.problems) and not self.options.skip_invalid)

    @property
    def changed(self) -> bool:
        return bool(self.new or self.updated)

    def counts(self) -> str:
        return (
            f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.rejected} rejected"
        )


def check_readable(path: Path) -> None:
    """Raise ``InvalidInput`` (``cannot read FILE: why.``, the importers' own sentence) unless
    ``path`` opens for reading. The CLI asks before it opens the database, so that a missing or
    unreadable FILE, typed in that very command, is named before a database problem, by every
    import alike. A pipe (``<(...)``, a FIFO) or a device is only looked up, never opened:
    opening and closing it here could lose what its writer sends before the import reads it;
    standard input (``-``) has nothing to look up (``read_once`` reads both, once)."""
    if is_stdin(path):
        return
    try:
        mode = os.stat(path).st_mode
        if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode)):
            with open(path, "rb"):
                pass
    except OSError as exc:
        raise InvalidInput(os_problem("read", path, exc)) from None


class _Discard(Exception):
    """Raised inside the unit of work to roll it back on purpose (dry run, invalid file)."""


@contextmanager
def import_unit(engine: Engine, *, keys_checked: bool = False) -> Iterator[Session]:
    """The one write transaction of an import, with the scores lock taken first. It commits when
    the block ends normally; ``finish_import`` decides whether it does.

    ``keys_checked``: every account id the import writes was read from ``account`` inside this
    transaction (``account_ids``) and it deletes no account, so SQLite's foreign-key check per
    row (about 0.5 s a million scores) is left off for it. PostgreSQL checks each statement's
    scores in one join whatever the caller says (``store.account_keys``)."""
    if keys_checked:
        engine = engine.execution_options(ahr_keys_checked_by_caller=True)
    try:
        with transaction(engine, write=True) as session:
            window.lock_scores(session, writing=True)  # before any other lock: see there
            yield session
    except _Discard:
        pass


def finish_import(session: Session, result: ImportResult, *, actor: Actor, now: datetime) -> None:
    """End an import inside ``import_unit``: commit (by returning) only a clean, real import, with
    its ``import_<kind>`` audit event at ``now`` (aware UTC) when it changed something; otherwise
    roll everything back (the unit swallows the rollback). Sets ``result.committed``."""
    if result.failed or result.options.dry_run:
        raise _Discard
    if result.changed:
        audit.append(
            session,
            actor=actor,
            action=f"import_{result.kind}",
            at=now,
            recorded_at=now,
            note=f"{result.source.label}: {result.counts()}",
        )
    result.committed = True


def account_ids(session: Session, seller_id: str | None = None) -> dict[tuple[str, str], int]:
    """(seller_id, store) -> account id, for every account (or one seller's).

    Read as plain rows (no ORM result), each store code held once: for 1,000,000 accounts
    183 MB at the peak and 1.4 s of CPU, where the ORM result with a string per row took
    374 MB and 1.8 s (most of a daily import's memory)."""
    query = select(col(Account.seller_id), col(Account.store), col(Account.id))
    if seller_id is not None:
        query = query.where(col(Account.seller_id) == seller_id)
    stores: dict[str, str] = {}
    same = stores.setdefault
    rows = session.connection().execute(query)
    return {(seller, same(store, store)): int(aid) for seller, store, aid in rows}
