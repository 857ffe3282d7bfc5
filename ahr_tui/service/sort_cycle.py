"""One sort cycle for every list (``s``): the Cases and Accounts views' orders are each a
``SortCycle``, so ``s`` moves to the next one, and a saved view's sort is found by name, the same
way in both."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class SortCycle(StrEnum):
    """A list's orders, in the order ``s`` cycles through them; the first is the default."""

    def next(self) -> Self:
        order = list(type(self))
        return order[(order.index(self) + 1) % len(order)]

    @classmethod
    def named(cls, name: str, default: Self | None = None) -> Self:
        """The order called ``name`` (a saved view's); ``default``, else the first, when this
        version knows no such order."""
        return next((k for k in cls if k.value == name), default or next(iter(cls)))
