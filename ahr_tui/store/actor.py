"""Who did something, as recorded with each audit event (standard library only)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did it: the OS account, and where from (SSH client address, tty) when known."""

    name: str
    client: str | None = None
    tty: str | None = None
