"""The errors a user can cause, each with the exit code DESIGN.md section 5 gives it.

Raised by the service and store layers; the CLI prints the message as one sentence and exits with
``exit_code``; the TUI shows it in a dialog or a notification. Anything else is a bug.
"""

from __future__ import annotations


class AhrError(Exception):
    """A problem the user can fix; its message is one plain sentence."""

    exit_code = 1

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class InvalidInput(AhrError):
    """A malformed argument or file."""


class NotFound(AhrError):
    """An unknown case, seller, store or operator."""


def no_store(code: str) -> NotFound:
    """The one sentence for a store code that names no store."""
    return NotFound(f"no store {code}; `ahr store list` shows the codes.")


class RuleRejected(AhrError):
    """The rules refused the action; ``code`` is the machine-readable reason."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class PermissionDenied(AhrError):
    """The operator's role does not allow the action."""


class DatabaseProblem(AhrError):
    """The database is missing, not ours, corrupt, read-only or of a newer schema."""


class Conflict(AhrError):
    """Someone changed the record after it was read; nothing was written."""

    exit_code = 3
