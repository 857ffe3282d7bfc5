"""The app's list-wide commands: metrics (``m``), export (``e``), saved views (``v`` / ``V``) and
``a`` / ``n`` on the marked cases.

A base class of ``AhrApp`` so that ``app.py`` keeps the live list and the one-case actions. Each
command asks in a dialog on the UI thread, does its reading and writing in a thread worker
through the service layer, and reports back in a notification (or, when a bulk action could not
act on some cases, a dialog that names each one and why). ``x`` and ``f`` never come here: they
act on the one case under the cursor, marked or not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.screen import ModalScreen

from ahr_tui.errors import InvalidInput
from ahr_tui.service.case_view import CaseView
from ahr_tui.textsafe import clean_line
from ahr_tui.tui.dialogs.ask import AskDialog, SummaryDialog
from ahr_tui.tui.failures import guarded
from ahr_tui.wording import count, folder_not_file, names_folder

if TYPE_CHECKING:
    from ahr_tui.service.bulk import BulkResult
    from ahr_tui.service.clock import Clock
    from ahr_tui.service.database import Database
    from ahr_tui.service.identity import Actor
    from ahr_tui.service.saved_views import View
    from ahr_tui.tui.screens.main import MainScreen

#: The actions that act on every marked case when some are marked.
BULK = ("assign", "note")
#: The list commands that need the main screen (the list they work on) on top.
LIST_ONLY = ("export", "save_view", "switch_saved_view")
#: Every action of this module (``check_action`` asks ``list_command_allowed`` about them).
LIST_COMMANDS = ("metrics", *LIST_ONLY)


@dataclass(frozen=True)
class Export:
    """A list to export: what it holds, how many, and how it is written (``write(path,
    overwrite)`` returns the number written; raises ``FileExistsError``, ``AhrError``)."""

    noun: str
    count: int
    write: Callable[[Path, bool], int]
    #: What the dialog says is exported (``12 cases as shown (sort urgency)``).
    shown: str = ""


class ListCommands(App[None]):
    """``m e v V`` and the bulk half of ``a n``; ``AhrApp`` supplies the rest."""

    actor: Actor
    clock: Clock
    #: True while a bulk action runs: polls wait (each of its commits would reload the list).
    bulk_running = False
    reload: Callable[[], object]  # read the cases again (a worker of ``AhrApp``)

    @property
    def main(self) -> MainScreen:
        raise NotImplementedError

    def open_engine(self) -> Database:
        """The database, opened if need be (a worker's call; may wait for it)."""
        raise NotImplementedError

    def list_command_allowed(self, action: str) -> bool | None:
        """For ``check_action``: False hides the key (a dialog is open), None greys it."""
        if isinstance(self.screen, ModalScreen):
            return False
        return not (action in LIST_ONLY and self.screen is not self.main)

    def say(self, message: str, *, error: bool = False) -> None:
        self.notify(clean_line(message), severity="error" if error else "information",
                    markup=False)

    # ------------------------------------------------------------ metrics

    def action_metrics(self) -> None:
        from ahr_tui.tui.screens.metrics import MetricsScreen

        self.push_screen(MetricsScreen(engine=self.open_engine, clock=self.clock))

    # ------------------------------------------------------------ export

    def action_export(self) -> None:
        """``e``: the list shown (Cases or Accounts, filtered and sorted) to a CSV file."""
        kind, filter_text, sort = self.main.view_state()
        export = self._accounts_export() if kind == "accounts" else self._cases_export()
        if export is None:
            return
        where = f"filter {filter_text!r}, " if filter_text else ""
        export = replace(export, shown=f"{export.count} {kind} as shown ({where}sort {sort})")
        self._ask_export(export, f"ahr-{kind}-{self.clock():%Y%m%d-%H%M}.csv")

    def _ask_export(self, export: Export, name: str, problem: str = "") -> None:
        """The export dialog with ``name`` in its field; ``problem``: why the last try with
        that name failed (shown in the dialog, so the operator corrects what they typed)."""
        dialog = AskDialog(
            "Export the list as CSV", export.shown,
            field="File (relative to the folder ahr was started in)", value=name,
            submit="Export", problem=problem,
        )
        self.push_screen(dialog, lambda typed: self._export_to(export, typed, overwrite=False))

    def _cases_export(self) -> Export:
        from ahr_tui.service.export import export_cases

        cases = self.main.shown_cases
        return Export("cases", len(cases), lambda path, overwrite: export_cases(
            cases, path, self.clock(), overwrite=overwrite))

    def _accounts_export(self) -> Export | None:
        from ahr_tui.service.account_list import export_accounts

        view = self.main.accounts
        if view is None or not view.complete or view.as_of is None:
            self.say("the accounts are still being read; export them in a moment.")
            return None
        ids, as_of = view.shown_ids, view.as_of
        return Export("accounts", len(ids), lambda path, overwrite: export_accounts(
            self.open_engine(), as_of, ids, path, overwrite=overwrite))

    def _export_to(self, export: Export, name: str | None, *, overwrite: bool) -> None:
        if name:
            self.export_worker(export, name, overwrite)

    @work(thread=True, group="export", exit_on_error=False)
    @guarded("export the list")
    def export_worker(self, export: Export, name: str, overwrite: bool) -> None:
        """Write the file ``name`` (as typed; ``~`` expanded). A file that cannot be written
        opens the dialog again with ``name`` and the reason, instead of losing what was typed;
        so does a name ending with ``/`` (a folder: ``Path`` would drop the slash and write a
        file of the folder's name)."""
        path = Path(name).expanduser()
        try:
            if names_folder(name):
                raise InvalidInput(folder_not_file(name, example=f"{export.noun}.csv"))
            count = export.write(path, overwrite)
        except FileExistsError:
            self.call_from_thread(self._ask_overwrite, export, name, path)
        except InvalidInput as exc:
            self.call_from_thread(self._ask_export, export, name, exc.message)
        else:
            self.call_from_thread(self.say, f"exported {count} {export.noun} to {path}.")

    def _ask_overwrite(self, export: Export, name: str, path: Path) -> None:
        dialog = AskDialog(f"{clean_line(str(path))} exists. Replace it?",
                           "The file's contents will be lost.", submit="Replace", danger=True)
        self.push_screen(dialog, lambda yes: self._export_to(
            export, name if yes is not None else None, overwrite=True))

    # ------------------------------------------------------------ saved views

    def action_save_view(self) -> None:
        self._ask_view_name()

    def _ask_view_name(self, name: str = "", problem: str = "") -> None:
        """The save-view dialog; ``name`` and ``problem``: a name refused, to correct."""
        kind, filter_text, sort = self.main.view_state()
        where = f" · filter {filter_text!r}" if filter_text else ""
        dialog = AskDialog("Save this view", f"{kind} · sort {sort}{where}", field="Name",
                           value=name, submit="Save", problem=problem)
        self.push_screen(dialog, lambda typed: self._save_view(typed, replace=False))

    def _save_view(self, name: str | None, *, replace: bool) -> None:
        if not name:
            return
        from ahr_tui.service.saved_views import View, ViewKind

        kind, filter_text, sort = self.main.view_state()
        self.save_view_worker(View(name, ViewKind(kind), filter_text, sort), replace)

    @work(thread=True, group="views", exit_on_error=False)
    @guarded("save the view")
    def save_view_worker(self, view: View, replace: bool) -> None:
        from ahr_tui.service.saved_views import ViewExists, save_view

        try:
            save_view(self.open_engine(), view, operator=self.actor.name, now=self.clock(),
                      replace=replace)
        except ViewExists:
            self.call_from_thread(self._ask_replace_view, view.name)
        except InvalidInput as exc:  # a name it cannot take: ask again, with what was typed
            self.call_from_thread(self._ask_view_name, view.name, exc.message)
        else:
            self.call_from_thread(self.say, f"saved view {view.name}; V switches to it.")

    def _ask_replace_view(self, name: str) -> None:
        dialog = AskDialog(f"You already have a view named {clean_line(name)!r}. Replace it?",
                           submit="Replace", danger=True)
        self.push_screen(dialog, lambda yes: self._save_view(
            name if yes is not None else None, replace=True))

    def action_switch_saved_view(self) -> None:
        self.list_views_worker()

    @work(thread=True, group="views", exit_on_error=False)
    @guarded("read the saved views")
    def list_views_worker(self) -> None:
        from ahr_tui.service.saved_views import list_views

        views = list_views(self.open_engine(), operator=self.actor.name)
        self.call_from_thread(self._pick_view, views)

    def _pick_view(self, views: list[View]) -> None:
        from ahr_tui.tui.dialogs.views import ViewPicker

        self.push_screen(ViewPicker(views), self._apply_view)

    async def _apply_view(self, view: View | None) -> None:
        if view is not None:
            await self.main.apply_view(view.kind.value, view.filter_text, view.sort)
            self.say(f"view {view.name}")

    # ------------------------------------------------------------ bulk

    def marked_cases(self) -> list[CaseView]:
        """The marked cases in list order, as last read (their versions are checked)."""
        marked = self.main.marked
        return [c for c in self.main.all_cases if c.id in marked]

    def run_bulk(self, name: str) -> None:
        """``a`` or ``n`` with cases marked: ask once, then act on each marked case."""
        cases = self.marked_cases()
        if name == "assign":
            held = held_by_others(cases, self.actor.name)
            dialog = AskDialog(f"Assign {count(len(cases), 'marked case')} to you?",
                               f"{held}Each case is assigned on its own; any that fail are "
                               "listed.", submit="Assign", danger=bool(held))
            self.push_screen(dialog, lambda yes: yes is not None and self._bulk(name, cases, ""))
        else:
            dialog = AskDialog(f"Add a note to {len(cases)} marked cases", field="Note",
                               multiline=True, submit="Add note")
            self.push_screen(dialog, lambda text: bool(text) and self._bulk(name, cases,
                                                                            text or ""))

    def _bulk(self, name: str, cases: Sequence[CaseView], text: str) -> bool:
        self.say(f"{'assigning' if name == 'assign' else 'adding the note to'} "
                 f"{len(cases)} cases…")
        self.bulk_worker(name, [(c.id, c.version) for c in cases], text)
        return True

    @work(thread=True, group="bulk", exit_on_error=False)
    @guarded("act on the marked cases")
    def bulk_worker(self, name: str, targets: list[tuple[int, int | None]], text: str) -> None:
        from ahr_tui.service.bulk import assign_each, note_each

        engine, now = self.open_engine(), self.clock()
        self.bulk_running = True
        try:
            if name == "assign":
                result = assign_each(engine, targets, to=None, actor=self.actor, now=now)
            else:
                result = note_each(engine, [i for i, _ in targets], text=text, actor=self.actor,
                                   now=now)
        finally:
            self.bulk_running = False
        self.call_from_thread(self._bulk_done, name, result)

    def _bulk_done(self, name: str, result: BulkResult) -> None:
        """Unmark what was done; keep the failures marked (to retry) and say why each failed."""
        self.main.unmark(o.case_id for o in result.done)
        verb = "assigned" if name == "assign" else "noted"
        headline = f"{verb} {len(result.done)} of {len(result.outcomes)} marked cases"
        if result.failed:
            lines = [o.sentence() for o in result.failed]
            self.push_screen(SummaryDialog(f"{headline}; {len(lines)} failed (still marked):",
                                           lines))
        else:
            self.say(headline + ".")
        self.reload()


def held_by_others(cases: Sequence[CaseView], me: str) -> str:
    """``2 of them are assigned to others: akumar, jchen. `` ("" when none is): what taking
    the marked cases takes from colleagues."""
    names = sorted({c.assignee for c in cases if c.assignee and c.assignee != me})
    held = sum(1 for c in cases if c.assignee and c.assignee != me)
    if not held:
        return ""
    verb = "is" if held == 1 else "are"
    whom = "someone else" if held == 1 else "others"
    return f"{held} of them {verb} assigned to {whom}: {', '.join(names)}. "


def bulk_applies(name: str, marked: int) -> bool:
    return name in BULK and marked > 0
