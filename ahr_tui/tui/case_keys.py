"""The case keys (``c o r x f a n``) as the app runs them: which apply, why one cannot, and how.

A base class of ``AhrApp``, so that ``app.py`` keeps the screens. The keys are one parametrised
action, ``case('resolve')`` (``case_actions.SPECS``); ``check_action`` asks the rules about the
current case, so the footer greys a key the rules would refuse, and pressing it says why. An
action opens its dialog (which does its own writing), or assigns in a worker (after a question
when a colleague holds the case).
"""

from __future__ import annotations

from textual import events, work
from textual.screen import ModalScreen, Screen

from ahr_tui.service.case_view import CaseView
from ahr_tui.service.contact_card import ContactCard
from ahr_tui.service.snapshots import load_case
from ahr_tui.textsafe import clean_line
from ahr_tui.tui.case_actions import (
    SPECS,
    attempt_call,
    consequence,
    outcome,
    refusal,
    service_call,
)
from ahr_tui.tui.dialogs.action import ActionDialog, case_line
from ahr_tui.tui.dialogs.ask import AskDialog
from ahr_tui.tui.dialogs.attempt import AttemptDialog
from ahr_tui.tui.failures import guarded
from ahr_tui.tui.keys import Place, action_name, applies
from ahr_tui.tui.list_commands import LIST_COMMANDS, bulk_applies
from ahr_tui.tui.live import LiveCases
from ahr_tui.tui.messages import SelectionChanged
from ahr_tui.tui.screens.main import MainScreen

#: What a key may do before the main screen's widgets are mounted (or after they are gone).
WITHOUT_THE_LIST = frozenset({"quit", "help_quit", "help", "command_palette"})

#: The case keys and their actions (``c`` -> ``attempt``), for explaining a disabled one.
CASE_KEYS = {spec.key: spec.name for spec in SPECS.values()}


class CaseKeys(LiveCases):
    """``action_case(name)`` and what decides it (``check_action``, ``why_not``)."""

    def init_case_keys(self) -> None:
        self._availability: tuple[object, ...] = ()
        #: (case id, its row, its version after, the list's scroll offset) of this operator's
        #: last action on the case under the list cursor, until the list shows the change
        #: (``cases_shown``).
        self._acted: tuple[int, int, int, int] | None = None

    def on_selection_changed(self, message: SelectionChanged) -> None:
        message.stop()
        self.refresh_availability()  # a run of keys (space held down) refreshes the footer once

    def current_case(self) -> CaseView | None:
        """The detail screen's case when one is on top, else the case under the cursor."""
        case_id = getattr(self.screen, "case_id", None)
        if isinstance(self.screen, MainScreen) or case_id is None:
            return self.main.current_case
        # A final case is not in the live list; the detail screen holds it as last read.
        return self.cases_by_id.get(case_id) or getattr(self.screen, "shown_case", None)

    def why_not(self, name: str) -> str | None:
        if bulk_applies(name, len(self.main.marked)) and self.screen is self.main:
            return None  # each marked case is decided on its own, and failures listed
        return refusal(
            SPECS[name], self.current_case(), operator=self.actor.name, role=self.role,
            now=self.clock(),
        )

    def refresh_availability(self) -> None:
        """Refresh the footer only when an action became possible or impossible."""
        if not self.live:
            return
        state = (type(self.screen), *(self.why_not(name) for name in SPECS))
        if state != self._availability:
            self._availability = state
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "case" and parameters:
            action = str(parameters[0])  # case('respond') is decided as respond
        if not self.live:  # keys typed while the app starts (or closes): no list to act on
            return action_name(action) in WITHOUT_THE_LIST
        if action in LIST_COMMANDS:
            return self.list_command_allowed(action)
        if not applies(action, self.place):
            return False  # not offered here at all (keys.FOOTER_KEYS)
        if action in SPECS:
            if not self._acts_on_cases() or not self.live or self._nothing_to_act_on(action):
                return False
            return True if self.why_not(action) is None else None
        return True

    def _nothing_to_act_on(self, name: str) -> bool:
        """The Cases list is empty (or filtered to nothing) and no marked case would take
        ``a`` or ``n``: the case keys are not offered (pressed, they still say why)."""
        return (self.screen is self.main and self.main.current_case is None
                and not bulk_applies(name, len(self.main.marked)))

    @property
    def place(self) -> Place | None:
        """Where the operator is (a view or a detail screen); None on a dialog or other screen."""
        return getattr(self.screen, "place", None)

    def _acts_on_cases(self) -> bool:
        """Case keys apply on this screen: not in a dialog, nor on one that shows no case (the
        handover: ``CASE_ACTIONS = False``)."""
        screen = self.screen
        return not isinstance(screen, ModalScreen) and getattr(screen, "CASE_ACTIONS", True)

    def explain(self, name: str) -> None:
        """A disabled action's key was pressed: say why (never as markup). Nothing is said
        where the action does not apply at all (a case action in the Accounts view)."""
        if not self.live or not self._acts_on_cases() or not applies(name, self.place):
            return
        reason = self.why_not(name)
        if reason is not None:
            self.notify(reason, title=SPECS[name].title, severity="warning", markup=False)

    def on_key(self, event: events.Key) -> None:
        """A case key whose action cannot run here says why (one that can has run already)."""
        name = CASE_KEYS.get(event.key)
        if name is not None and not self.check_action("case", (name,)):
            self.explain(name)

    def action_case(self, name: str) -> None:
        """``c o r x f a n``: the case action ``name`` (a key of ``case_actions.SPECS``)."""
        self.run_case_action(name)

    def run_case_action(self, name: str) -> None:
        """Open the action's dialog (or assign at once), or say why it cannot run."""
        reason = self.why_not(name)
        case = self.current_case()
        if reason is not None or case is None:
            self.explain(name)
        elif bulk_applies(name, len(self.main.marked)) and self.screen is self.main:
            self.run_bulk(name)
        elif SPECS[name].dialog is None:
            self.take_case(case)
        else:
            dialog = self._dialog(name, case)
            self.push_screen(dialog, lambda updated: self._done(name, updated, dialog))

    def _dialog(self, name: str, case: CaseView) -> Screen[CaseView | None]:
        """The dialog of ``name`` on ``case``; it writes through the service when submitted."""
        spec = SPECS[name]

        def reload(case_id: int) -> CaseView | None:
            return load_case(self.engine, case_id)

        if name == "attempt":
            record = attempt_call(lambda: self.engine, self.actor, self.clock)
            return AttemptDialog(case, record=record, reload=reload, contact=self._contact_card,
                                 clock=self.clock)
        assert spec.dialog is not None
        others = sum(
            1 for c in self.cases_by_id.values()
            if c.account_id == case.account_id and c.id != case.id
        )
        return ActionDialog(
            spec.dialog, case,
            submit=service_call(spec, lambda: self.engine, self.actor, self.clock),
            reload=reload, consequence=consequence(spec, case, others),
        )

    def _contact_card(self, account_id: int) -> ContactCard:
        """How to reach the seller of ``account_id`` (the ``c`` dialog's worker calls it)."""
        from ahr_tui.service.contact_card import load_contact_card
        from ahr_tui.service.database import read

        return read(self.engine, load_contact_card, account_id)

    def _done(self, name: str, updated: CaseView | None, dialog: Screen[CaseView | None]) -> None:
        if updated is not None:
            self.keep_row_after(updated)
            logged = dialog.chosen if isinstance(dialog, AttemptDialog) else None
            self.notify(outcome(SPECS[name], updated, logged), markup=False)
            self.reload()

    def take_case(self, case: CaseView) -> None:
        """``a``: an unassigned case is assigned at once; one a colleague holds only after a
        question naming them, whose default button is Cancel."""
        holder = case.assignee
        if not holder or holder == self.actor.name:
            self.assign_to_me(case)
            return
        dialog = AskDialog(
            f"Case {case.id} is assigned to {clean_line(holder)}. Take it over?",
            case_line(case).plain, submit="Take over", danger=True,
        )
        self.push_screen(dialog, lambda yes: None if yes is None else self.assign_to_me(case))

    @work(thread=True, exclusive=True, group="assign", exit_on_error=False)
    @guarded("assign the case")
    def assign_to_me(self, case: CaseView) -> None:
        from ahr_tui.service import cases as case_service

        done = case_service.assign_case(
            self.engine, case.id, to=None, actor=self.actor, now=self.clock(),
            expected_version=case.version,
        )
        self.call_from_thread(self.notify, done.sentence, markup=False)
        if done.changed:
            self.call_from_thread(self.keep_row_after, done.case)
            self.call_from_thread(self.reload)

    def keep_row_after(self, updated: CaseView) -> None:
        """This operator acted on ``updated`` (as it is after the action): if it is the case
        under the list cursor, the cursor keeps that row once the list shows the change."""
        table = self.main.table
        if self.live and table.cursor_key == updated.id:
            top = int(table.scroll_offset.y)
            self._acted = (updated.id, table.cursor_row, updated.version, top)

    def cases_shown(self) -> None:
        """The list was updated. When it shows this operator's own action and that moved the
        case under the cursor away from its row (responded: to the bottom), the cursor stays
        on the row, so the next case is under it, as in a mail client after archiving. A case
        that left the list leaves its row to the next one already (``LineTable``); anyone
        else's change keeps the cursor on its case."""
        if self._acted is None:
            return
        case_id, row, version, top = self._acted
        case = self.cases_by_id.get(case_id)
        if case is not None and case.version < version:
            return  # an update read before the action was written: wait for the next
        self._acted = None
        table = self.main.table
        if table.cursor_key != case_id or table.row_index(case_id) == row:
            return  # the cursor has moved on, or the case kept its row
        chosen = table.cursor_chosen
        table.move_cursor(row)
        table.cursor_chosen = chosen  # the default (top) row stays the default
        # and the rows keep their place on screen: following the case down had scrolled the
        # list, and coming back left the row at the top, the more urgent rows above it hidden
        table.scroll_to(y=top, animate=False, immediate=True)
