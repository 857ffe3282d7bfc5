"""Imports: apply what an importer validated, in ONE transaction per file.

Each ``import_*`` function checks the permission, loads what validation needs (the accounts, once),
streams the file through its importer and writes as it goes inside a single write transaction
(``service.import_unit``, shared with the report import). At the end the transaction commits only
when the file was clean (or ``skip_invalid``) and this is not a dry run; otherwise it rolls back,
so nothing a failed or killed import wrote survives. A dry run does the same writes and rolls them
back, which is how it can say exactly what would change (and which cases would open past their
deadline). A file that changed something gets one audit event, ``import_<kind>``, with the counts
as its note; one that changed nothing writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from ahr_tui.errors import RuleRejected
from ahr_tui.importers import cases as case_file
from ahr_tui.importers import scores as score_file
from ahr_tui.importers import sellers as seller_file
from ahr_tui.importers.csvfile import CsvFile, Rejects, open_csv
from ahr_tui.importers.source import Source, as_source
from ahr_tui.rules import BY_CODE, Permission, PhoneStatus, phone_status
from ahr_tui.service.access import require
from ahr_tui.service.cases import open_in
from ahr_tui.service.contact import detect_in
from ahr_tui.service.database import reading_stdin
from ahr_tui.service.import_unit import (
    ImportOptions,
    ImportResult,
    PastDeadline,
    account_ids,
    finish_import,
    import_unit,
)
from ahr_tui.service.read_ahead import read_ahead
from ahr_tui.store import bulk, phone_checks
from ahr_tui.store.actor import Actor
from ahr_tui.store.models import Account, Case
from ahr_tui.wording import count as counted

#: Called now and then with (records read, bytes read) for a progress display.
Progress = Callable[[int, int], None]


def _rejects(csv_file: CsvFile, result: ImportResult) -> Rejects:
    """Rejected rows go to ``FILE.rejects.csv`` (or ``--rejects``) with ``--skip-invalid`` (not
    in a dry run)."""
    options = result.options
    keep = options.skip_invalid and not options.dry_run
    path = options.rejects_file(result.file, result.kind) if keep else None
    return Rejects(path, csv_file.header, make_folder=options.rejects_in_folder())


#: What one CSV import does with its open file: read, validate and write the rows, sending
#: rejected rows to ``rejects`` and counting into the result.
CsvLoad = Callable[[Session, CsvFile, "ImportResult", Rejects], None]


def _import_csv(
    engine: Engine,
    kind: str,
    path: Path | Source,
    columns: tuple[str, ...],
    load: CsvLoad,
    *,
    actor: Actor,
    now: datetime,
    options: ImportOptions,
    optional: tuple[str, ...] = (),
    keys_checked: bool = False,
) -> ImportResult:
    """The frame every CSV import shares: one unit of work, the permission, the file and its
    rejects (``FILE.rejects.csv`` with ``--skip-invalid``), the audit event when it changed
    something. ``path``: a file, or a ``Source`` (standard input or a pipe, read once by
    ``import_unit.read_once``). ``keys_checked``: see ``import_unit``."""
    result = ImportResult(kind, as_source(path), options)
    with import_unit(engine, keys_checked=keys_checked) as session:
        require(session, actor, Permission.IMPORT)
        origin = result.source.origin(reading_stdin(engine, f"import {kind} -"))
        with open_csv(result.source.path, columns, result.problems, optional,
                      origin=origin) as csv_file:
            if csv_file is not None:
                rejects = _rejects(csv_file, result)
                try:
                    load(session, csv_file, result, rejects)
                finally:
                    rejects.close()
                _note_rejects(result, rejects)
        finish_import(session, result, actor=actor, now=now)
    return result


def import_scores(
    engine: Engine,
    path: Path | Source,
    *,
    actor: Actor,
    now: datetime,
    options: ImportOptions = ImportOptions(),
    progress: Progress | None = None,
) -> ImportResult:
    """``seller_id,store,date,score``: upserts daily scores (UTC days), streamed in batches.

    ``now`` (aware UTC) stamps the audit event; ``progress`` gets (records, bytes) now and then.
    Returns the ``ImportResult`` (problems in it, nothing written when it failed). Raises
    ``PermissionDenied`` or ``InvalidInput`` (the file cannot be read).
    """
    load = partial(_load_scores, progress=progress, today=now.astimezone(UTC).date())
    return _import_csv(  # every account id comes from account_ids, read in the same unit
        engine, "scores", path, score_file.COLUMNS, load, actor=actor, now=now, options=options,
        keys_checked=True,
    )


def _load_scores(
    session: Session,
    csv_file: CsvFile,
    result: ImportResult,
    rejects: Rejects,
    *,
    progress: Progress | None,
    today: date,
) -> None:
    reader = score_file.ScoreReader(
        csv_file, account_ids(session), result.problems, rejects, latest=today)
    writer = bulk.score_writer(session)

    def parsed() -> Iterator[tuple[list[bulk.ScoreRow], int, int]]:
        """Each batch with the progress after it (taken where the batch was read)."""
        for batch in reader.batches():
            yield batch, reader.valid + rejects.count, csv_file.position()

    batches = read_ahead(parsed()) if writer.waits_on_server else parsed()
    for batch, records, position in batches:
        if not result.failed:  # once it has failed, only validate: it will be rolled back
            writer.write(batch)
        if progress is not None:
            progress(records, position)
    result.new, result.updated = writer.finish()
    result.unchanged = reader.valid - result.new - result.updated


def _note_rejects(result: ImportResult, rejects: Rejects) -> None:
    result.rejected = rejects.count
    if rejects.count and rejects.path is not None:
        result.rejects_file = rejects.path


def import_sellers(
    engine: Engine,
    path: Path | Source,
    *,
    actor: Actor,
    now: datetime,
    options: ImportOptions = ImportOptions(),
    progress: Progress | None = None,
) -> ImportResult:
    """``seller_id,store,name,plan,emergency_phone,email``: creates or updates accounts.

    Arguments, result and errors as ``import_scores``.
    """
    load = partial(_load_sellers, progress=progress)
    return _import_csv(
        engine, "sellers", path, seller_file.COLUMNS, load, actor=actor, now=now, options=options
    )


_SELLER_FIELDS = ("name", "plan", "emergency_phone", "email")
_NEW = {"status": "active", "enrollment": "not_enrolled", "version": 1}


def _load_sellers(
    session: Session,
    csv_file: CsvFile,
    result: ImportResult,
    rejects: Rejects,
    *,
    progress: Progress | None,
) -> None:
    query = select(
        col(Account.seller_id),
        col(Account.store),
        col(Account.id),
        *(getattr(Account, f) for f in _SELLER_FIELDS),
    )
    existing = {(row[0], row[1]): (row[2], tuple(row[3:])) for row in session.execute(query)}
    phone_checks.ensure_current(session)  # the statuses written below are decided by these
    for batch in seller_file.read_sellers(csv_file, result.problems, rejects):
        new: list[dict[str, object]] = []
        changed: list[dict[str, object]] = []
        for rec in batch:
            values = {f: getattr(rec, f) for f in _SELLER_FIELDS}
            known = existing.get((rec.seller_id, rec.store))
            if known is not None and known[1] == tuple(values.values()):
                result.unchanged += 1
                continue
            # not memoised: a file's phones are mostly distinct, and memory stays flat; stored
            # with the account, so that no sweep checks the number again (store.phone_checks)
            status = phone_status(rec.emergency_phone, BY_CODE[rec.store].region)
            result.phones[status] = result.phones.get(status, 0) + 1
            checked = {"phone_status": status.value, "phone_checked": rec.emergency_phone}
            if known is None:
                new.append({"seller_id": rec.seller_id, "store": rec.store, **values,
                            **checked, **_NEW})
            else:
                changed.append({"b_id": known[0], **values, **checked})
        bulk.insert_accounts(session, new)
        bulk.update_accounts(session, changed)
        result.new, result.updated = result.new + len(new), result.updated + len(changed)
        if progress is not None:
            progress(result.new + result.updated + result.unchanged, csv_file.position())
    if line := _unreachable_line(result):
        result.details.append(line)


def _unreachable_line(result: ImportResult) -> str | None:
    """How many of the accounts written have no emergency phone a person could dial (as
    eligibility decides: ``rules.phone_status``), so that they cannot be enrolled; None for
    none."""
    missing = result.phones.get(PhoneStatus.MISSING, 0)
    invalid = result.phones.get(PhoneStatus.INVALID, 0)
    if not missing + invalid:
        return None
    written = counted(result.new + result.updated, "new or updated account")
    verb, they = ("has", "it") if missing + invalid == 1 else ("have", "they")
    return (f"{missing + invalid:,} of {written} {verb} no valid emergency phone ({missing:,} "
            f"missing, {invalid:,} invalid): {they} cannot be enrolled until one is on file; "
            f"ahr eligibility shows which (PHONE missing or invalid)")


def import_cases(
    engine: Engine,
    path: Path | Source,
    *,
    actor: Actor,
    now: datetime,
    options: ImportOptions = ImportOptions(),
    progress: Progress | None = None,
) -> ImportResult:
    """``seller_id,store,policy,contacted_at,summary[,detected_at]``: opens each case (or, with
    an empty ``contacted_at``, records it as detected) through the rules; a case the rules
    refuse is a problem on its line. Instants in the file carry their offset; ``now`` (aware
    UTC) is the wall clock. Arguments, result and errors otherwise as ``import_scores``.
    """
    load = partial(_load_cases, progress=progress, actor=actor, now=now)
    return _import_csv(
        engine, "cases", path, case_file.COLUMNS, load, actor=actor, now=now, options=options,
        optional=case_file.OPTIONAL,
    )


def _load_cases(
    session: Session,
    csv_file: CsvFile,
    result: ImportResult,
    rejects: Rejects,
    *,
    progress: Progress | None,
    actor: Actor,
    now: datetime,
) -> None:
    records = case_file.read_cases(
        csv_file, account_ids(session), result.problems, rejects, now=now
    )
    for count, rec in enumerate(records, 1):
        _apply_case(session, rec, result, rejects, actor=actor, now=now)
        if progress is not None and count % 100 == 0:
            progress(count, csv_file.position())


def _same_case(session: Session, rec: case_file.CaseRecord, result: ImportResult) -> bool:
    """True if this case was imported before (its summary updated if it changed)."""
    query = select(Case).where(
        col(Case.account_id) == rec.account_id,
        col(Case.policy) == rec.policy.value,
        col(Case.detected_at) == rec.detected_at,
    )
    same = session.execute(query).scalars().first()
    if same is None:
        return False
    if same.summary == rec.summary:
        result.unchanged += 1
        return True
    session.execute(
        update(Case).where(col(Case.id) == same.id)
        .values(summary=rec.summary, version=col(Case.version) + 1)
    )
    result.updated += 1
    return True


def _apply_case(
    session: Session,
    rec: case_file.CaseRecord,
    result: ImportResult,
    rejects: Rejects,
    *,
    actor: Actor,
    now: datetime,
) -> None:
    """Open the case, or record it as detected when nobody contacted the seller yet (the rules
    decide), unless the same case was imported before."""
    if _same_case(session, rec, result):
        return
    account = session.get(Account, rec.account_id)
    assert account is not None
    try:
        if rec.contacted_at is None:
            case = detect_in(session, account, policy=rec.policy, at=rec.detected_at,
                             summary=rec.summary, actor=actor, now=now)
        else:
            case = open_in(session, account, policy=rec.policy, at=rec.contacted_at,
                           summary=rec.summary, actor=actor, now=now,
                           detected_at=rec.detected_at)
    except RuleRejected as exc:
        problem = result.problems.add(rec.line, "seller_id", exc.message.rstrip("."))
        rejects.write(rec.row, problem.reason)
        return
    result.new += 1
    if case.deadline is not None and case.deadline < now:
        result.past_deadline.append(
            PastDeadline(
                rec.line, case.id, rec.seller_id, rec.store, rec.policy.value, case.deadline
            )
        )
