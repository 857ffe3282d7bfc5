"""The command palette (ctrl+p): the app's commands in the order the app gives them.

Textual's ``SystemCommandsProvider`` sorts what it offers by title, so "Add note" came before
"Record seller response" and Textual's own Keys, Maximize and Screenshot sat among the app's
commands. This provider offers ``App.get_system_commands`` as given (the app lists its own
first and leaves out what misbehaves here); searching still ranks by match.
"""

from __future__ import annotations

from textual.command import DiscoveryHit, Hits
from textual.system_commands import SystemCommandsProvider


class AppCommands(SystemCommandsProvider):
    async def discover(self) -> Hits:
        for title, help_text, callback, discover in self.app.get_system_commands(self.screen):
            if discover:
                yield DiscoveryHit(title, callback, help=help_text)
