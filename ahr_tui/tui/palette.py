"""The command palette (ctrl+p): the app's commands in the order the app gives them.

Textual's ``SystemCommandsProvider`` sorts what it offers by title, so "Add note" came before
"Record seller response" and Textual's own Keys, Maximize and Screenshot sat among the app's
commands. This provider offers ``App.get_system_commands`` as given (``system_commands``: the
app's own first, and none of Textual's that misbehave here); searching still ranks by match.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.command import DiscoveryHit, Hits
from textual.system_commands import SystemCommandsProvider

from ahr_tui.tui.case_actions import SPECS

if TYPE_CHECKING:
    from ahr_tui.tui.app import AhrApp

#: Textual's own palette commands that behave here; the others are left out of the palette.
TEXTUAL_COMMANDS_KEPT = frozenset({"Theme", "Quit"})


class AppCommands(SystemCommandsProvider):
    async def discover(self) -> Hits:
        for title, help_text, callback, discover in self.app.get_system_commands(self.screen):
            if discover:
                yield DiscoveryHit(title, callback, help=help_text)


def system_commands(app: AhrApp, textual: Iterable[SystemCommand]) -> Iterator[SystemCommand]:
    """The app's commands (each with its key), then those of Textual's ``textual`` that are
    kept: its Keys panel (it narrows the table and esc does not close it), Maximize and
    Screenshot (an SVG written into the working directory) are left out."""
    for spec in SPECS.values():
        yield SystemCommand(
            f"{spec.title} ({spec.key})", spec.help,
            lambda name=spec.name: app.run_case_action(name),
        )
    main = app.main
    for title, help_text, callback in (
        ("Filter cases (/)", "narrow the list as you type", main.action_filter),
        ("Cycle sort (s)", "urgency, seller, store, status", main.action_cycle_sort),
        ("Switch view (tab)", "Cases or Accounts", main.action_switch_view),
        ("Pause or resume live updates (p)", "freeze the list", app.action_pause),
        ("Handover and forecast (h)", "due moments per hour against who is on shift",
         app.action_handover),
        ("Help (?)", "every key", app.action_help),
    ):
        yield SystemCommand(title, help_text, callback)
    for command in textual:
        if command.title in TEXTUAL_COMMANDS_KEPT:
            yield command
