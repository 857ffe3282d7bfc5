"""What is wrong with an import file, and where: collected, not raised, so a user sees all of it.

Every importer reports into one ``Problems``; the CLI prints each as ``FILE:WHERE: column:
message`` where WHERE is a line number (CSV) or a JSON pointer (the report). Only the first
``LIMIT`` are kept in memory; the rest are counted, so a broken million-row file costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: How many problems are kept (and printed); the rest are only counted.
LIMIT = 50


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: ``where`` is a 1-based line number or a JSON pointer."""

    where: int | str
    column: str
    message: str

    def render(self, file: str) -> str:
        """``FILE:LINE: column: message``; a JSON pointer that ends with the field's name already
        says it (``FILE:/performanceMetrics/2/marketplaceId: message``)."""
        if isinstance(self.where, str) and self.where.endswith(f"/{self.column}"):
            return f"{file}:{self.where}: {self.message}"
        return f"{file}:{self.where}: {self.column}: {self.message}"

    @property
    def reason(self) -> str:
        """The text of the rejects file's ``reason`` column."""
        return f"{self.column}: {self.message}"


@dataclass
class Problems:
    """Problems found in one file; ``fatal`` ones (the header, the encoding) stop the import."""

    kept: list[Problem] = field(default_factory=list)
    count: int = 0
    fatal: bool = False
    #: Things worth saying that do not make the file invalid (unknown marketplaces in a report).
    notes: list[Problem] = field(default_factory=list)

    def add(self, where: int | str, column: str, message: str, *, fatal: bool = False) -> Problem:
        problem = Problem(where, column, message)
        self.count += 1
        self.fatal = self.fatal or fatal
        if len(self.kept) < LIMIT:
            self.kept.append(problem)
        return problem

    def note(self, where: int | str, column: str, message: str) -> Problem:
        problem = Problem(where, column, message)
        if len(self.notes) < LIMIT:
            self.notes.append(problem)
        return problem

    @property
    def omitted(self) -> int:
        return self.count - len(self.kept)

    def __bool__(self) -> bool:
        return self.count > 0


def shown(value: str, limit: int = 40) -> str:
    """A file's value quoted for a message, shortened; undecodable bytes shown as ``\\xNN``."""
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    escaped = "".join(
        f"\\x{ord(ch) - 0xDC00:02x}" if "\udc80" <= ch <= "\udcff" else ch for ch in value
    )
    return f"'{escaped}'"
