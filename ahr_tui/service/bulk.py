"""Acting on many cases at once: ``ahr case assign|note ID...`` and the TUI's marked rows.

Each case is its own unit of work (its own transaction and version check), so one refusal or
conflict never undoes or blocks the others; the result names every case that failed and why.
Only assignment and notes come in bulk: deactivation and fraud always act on one case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from ahr_tui.errors import AhrError, PermissionDenied
from ahr_tui.service import cases
from ahr_tui.service.case_view import CaseView
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import batch_engine, translate

#: A case to act on and the version the caller saw (None: whatever it is now).
Target = tuple[int, int | None]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one case: its new view, or the sentence that refused it and its exit
    code (1 refused or not found, 3 changed by someone else)."""

    case_id: int
    view: CaseView | None = None
    error: str | None = None
    exit_code: int = 0
    #: What was done, in one sentence (``case 7: already assigned to ann.`` when nothing was).
    said: str | None = None
    #: The refusal is about the operator (their role), not this case: said as it is.
    about_operator: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    def sentence(self) -> str:
        """The refusal naming its case once (most service sentences already name it)."""
        error = self.error or ""
        if self.about_operator:
            return error
        names_case = error.startswith((f"case {self.case_id} ", f"case {self.case_id}:",
                                       f"no case {self.case_id}."))
        return error if names_case else f"case {self.case_id}: {error}"


@dataclass(frozen=True, slots=True)
class BulkResult:
    outcomes: list[Outcome]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def done(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.ok]


def assign_each(engine: Engine, targets: Sequence[Target], *, to: str | None, actor: Actor,
                now: datetime) -> BulkResult:
    """Assign every target case to ``to`` (default: the actor), each in its own transaction.
    A case already assigned to ``to`` is not written; its outcome says so."""
    with batch_engine(engine) as batch:

        def one(case_id: int, version: int | None) -> tuple[CaseView, str]:
            done = cases.assign_case(
                batch, case_id, to=to, actor=actor, now=now, expected_version=version
            )
            return done.case, done.sentence

        return _each(targets, one)


def note_each(engine: Engine, case_ids: Iterable[int], *, text: str, actor: Actor,
              now: datetime) -> BulkResult:
    """Add the same note to every case, each in its own transaction."""
    with batch_engine(engine) as batch:

        def one(case_id: int, _version: int | None) -> tuple[CaseView, str]:
            view = cases.add_note(batch, case_id, text=text, actor=actor, now=now)
            return view, f"case {view.id}: note added"

        return _each([(i, None) for i in case_ids], one)


def _each(
    targets: Sequence[Target], act: Callable[[int, int | None], tuple[CaseView, str]]
) -> BulkResult:
    outcomes = []
    seen: set[int] = set()
    for case_id, version in targets:
        if case_id in seen:  # "assign 7 7" acts once
            continue
        seen.add(case_id)
        try:
            view, said = act(case_id, version)
            outcomes.append(Outcome(case_id, view=view, said=said))
        except AhrError as exc:
            outcomes.append(Outcome(
                case_id, error=exc.message, exit_code=exc.exit_code,
                about_operator=isinstance(exc, PermissionDenied),
            ))
        except DBAPIError as exc:  # busy, lost connection: this case failed, try the next
            problem = translate(exc, "the database")
            outcomes.append(Outcome(case_id, error=problem.message, exit_code=problem.exit_code))
    return BulkResult(outcomes)
