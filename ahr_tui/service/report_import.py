"""``ahr import report``: apply a Seller Performance Report for one seller, in one transaction.

``importers.report`` reads the file (every store it covers; the stores the seller is not tracked
in are noted and skipped); this module records, per store entry, the day's score, the AHR status
and the marketplace's account status, and applies what that status means here
(``rules.marketplace``: a report that says DEACTIVATED deactivates the account and ends its
enrolment, with audit events whose note starts ``automatic:``). Each store's outcome is one line of
the import summary (``ImportResult.details``).
"""

from __future__ import annotations

import shlex
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from ahr_tui.importers import report as report_file
from ahr_tui.importers.csvfile import Rejects
from ahr_tui.importers.source import Source, as_source
from ahr_tui.rules import ACTIVE_STATUSES, AccountStatus, Enrollment, Permission
from ahr_tui.rules.marketplace import on_reported_status, still_deactivated
from ahr_tui.service.access import require
from ahr_tui.service.database import reading_stdin
from ahr_tui.service.import_unit import (
    ImportOptions,
    ImportResult,
    account_ids,
    finish_import,
    import_unit,
)
from ahr_tui.store import audit
from ahr_tui.store.actor import Actor
from ahr_tui.store.models import Account, Case, Score
from ahr_tui.wording import count


def import_report(
    engine: Engine,
    path: Path | Source,
    *,
    seller_id: str,
    day: date | None,
    actor: Actor,
    now: datetime,
    options: ImportOptions = ImportOptions(),
) -> ImportResult:
    """A Seller Performance Report for one seller: scores, AHR status and account status.

    ``day`` is the UTC day the scores are for (None: the report's ``reportingDateTo``); ``now``
    (aware UTC) stamps the audit events. Problems are in ``result.problems`` (nothing is written
    when there is one, unless ``skip_invalid``); ``result.details`` has a line per imported
    store. Raises ``PermissionDenied`` or ``InvalidInput`` (the file cannot be read).
    """
    result = ImportResult("report", as_source(path), options)
    reads = reading_stdin(engine, f"import report - --seller {shlex.quote(seller_id)}")
    document = report_file.load_json(result.source.path, result.problems,
                                     origin=result.source.origin(reads))
    with import_unit(engine) as session:
        require(session, actor, Permission.IMPORT)
        if document is not None:
            accounts = account_ids(session, seller_id)
            parsed = report_file.read_report(
                document, seller_id=seller_id, day=day, accounts=accounts, problems=result.problems
            )
            for entry in parsed.entries:
                _apply_entry(session, entry, result, actor=actor, now=now)
            _report_rejects(parsed.rejected, result)
        finish_import(session, result, actor=actor, now=now)
    return result


def _apply_entry(
    session: Session,
    entry: report_file.ReportEntry,
    result: ImportResult,
    *,
    actor: Actor,
    now: datetime,
) -> None:
    account = session.get(Account, entry.account_id)
    assert account is not None
    said: list[str] = []
    before = {"ahr_status": account.ahr_status, "marketplace_status": account.marketplace_status}
    values: dict[str, object] = {}
    if entry.ahr_status is not None and entry.ahr_status != account.ahr_status:
        values["ahr_status"] = entry.ahr_status
    if entry.account_status is not None and entry.account_status != account.marketplace_status:
        values["marketplace_status"] = entry.account_status
    values.update(_account_status(session, account, entry, said, actor=actor, now=now))
    if values:
        session.execute(
            update(Account)
            .where(col(Account.id) == entry.account_id)
            .values(**values, version=col(Account.version) + 1)
            .execution_options(synchronize_session=False)
        )
    inserted, replaced = _score(session, entry)
    if replaced:
        values["score"] = entry.score
    session.flush()
    if inserted:
        result.new += 1
    elif values:
        result.updated += 1
    else:
        result.unchanged += 1
    was = {column: before[column] for column in before if column in values}
    facts = _facts(entry, inserted, replaced, was)
    result.details.append(f"{entry.store}: " + "; ".join(facts + said))


def _score(session: Session, entry: report_file.ReportEntry) -> tuple[bool, bool]:
    """(inserted, replaced) for the entry's score of its day."""
    if entry.score is None or entry.day is None:
        return False, False
    score = session.get(Score, {"account_id": entry.account_id, "day": entry.day})
    if score is None:
        session.add(Score(account_id=entry.account_id, day=entry.day, score=entry.score))
        return True, False
    if score.score != entry.score:
        score.score = entry.score
        return False, True
    return False, False


def _facts(
    entry: report_file.ReportEntry, inserted: bool, replaced: bool, was: dict[str, str | None]
) -> list[str]:
    """What the summary says of one store: the score and whether it is new, replaced or
    unchanged; the AHR and account status, each with what it replaced (``was``: column -> the
    value before, for the columns this entry changed), so that a store counted as updated says
    what was updated."""
    facts: list[str] = []
    if entry.score is not None and entry.day is not None:
        how = "new" if inserted else "replaced" if replaced else "unchanged"
        text = f' (read from the text "{entry.score_text}")' if entry.score_text else ""
        facts.append(f"score {entry.score} for {entry.day.isoformat()}{text}, {how}")
    else:
        facts.append("no score")
    for column, label, value in (
        ("ahr_status", "AHR status", entry.ahr_status),
        ("marketplace_status", "account", entry.account_status),
    ):
        if value is not None:
            facts.append(f"{label} {value}" + _replaced(column, was))
    return facts


def _replaced(column: str, was: dict[str, str | None]) -> str:
    """`` (was FAIR)``, `` (first recorded)`` for a column the entry changed; else ``""``."""
    if column not in was:
        return ""
    before = was[column]
    return " (first recorded)" if before is None else f" (was {before})"


def _account_status(
    session: Session,
    account: Account,
    entry: report_file.ReportEntry,
    said: list[str],
    *,
    actor: Actor,
    now: datetime,
) -> dict[str, object]:
    """The account's columns a reported account status changes (``rules.marketplace``)."""
    status, enrollment = AccountStatus(account.status), Enrollment(account.enrollment)
    if still_deactivated(entry.account_status, status):
        said.append("the account stays deactivated here: a report does not reactivate it")
    change = on_reported_status(entry.account_status, status, enrollment)
    if change is None:
        return {}
    values: dict[str, object] = {}
    for column, before, after in (
        ("status", status, change.status),
        ("enrollment", enrollment, change.enrollment),
    ):
        if after is None:
            continue
        values[column] = after.value
        audit.append(
            session,
            actor=actor,
            action="account_status" if column == "status" else "enrollment",
            at=now,
            recorded_at=now,
            account_id=account.id,
            from_state=before.value,
            to_state=after.value,
            note=change.note,
        )
    if change.enrollment is not None:
        values["enrollment_changed_at"] = now
    said.append(_deactivated_sentence(session, account, enrollment, change.enrollment))
    return values


def _deactivated_sentence(
    session: Session, account: Account, before: Enrollment, after: Enrollment | None
) -> str:
    ended = f": enrolment {before.value} -> {after.value}" if after is not None else ""
    active = session.execute(
        select(func.count())
        .select_from(Case)
        .where(
            col(Case.account_id) == account.id,
            col(Case.status).in_([s.value for s in ACTIVE_STATUSES]),
        )
    ).scalar_one()
    left = f"; {count(active, 'active case')} left for an operator to decide" if active else ""
    return f"so the account is deactivated here{ended}{left}"


def _report_rejects(rejected: list[report_file.Rejected], result: ImportResult) -> None:
    result.rejected = len(rejected)
    keep = result.options.skip_invalid and not result.options.dry_run
    if not (keep and rejected) or result.problems.fatal:
        return
    options = result.options
    path = options.rejects_file(result.file, result.kind)
    rejects = Rejects(path, report_file.REJECT_COLUMNS, make_folder=options.rejects_in_folder())
    try:
        for item in rejected:
            rejects.write([item.pointer, item.marketplace_id], item.reason)
    finally:
        rejects.close()
    result.rejects_file = rejects.path
