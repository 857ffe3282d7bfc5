"""``service.read_ahead``: the items in order, errors raised where they happened, and the thread
gone whenever the caller stops."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from ahr_tui.service.read_ahead import read_ahead


def _threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t.name == "ahr-read-ahead"}


def test_every_item_arrives_in_order_and_the_thread_ends() -> None:
    assert list(read_ahead(iter(range(1000)))) == list(range(1000))
    assert list(read_ahead(iter([]))) == []
    assert _threads() == set()


def test_an_error_while_producing_is_raised_at_the_item_it_replaced() -> None:
    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("line 3: bad")

    got: list[int] = []
    with pytest.raises(ValueError, match="line 3: bad"):
        for item in read_ahead(items()):
            got.append(item)
    assert got == [1, 2] and _threads() == set()


def test_the_producer_stops_when_the_caller_stops_early() -> None:
    produced: list[int] = []

    def items() -> Iterator[int]:
        for i in range(10_000):
            produced.append(i)
            yield i

    with pytest.raises(RuntimeError, match="the database said no"):
        for item in read_ahead(items()):
            if item == 3:
                raise RuntimeError("the database said no")
    assert _threads() == set()
    assert len(produced) <= 6  # the one handed over, the one waiting, the one being made

    ahead = read_ahead(items())
    assert next(ahead) == 0
    ahead.close()
    assert _threads() == set()


def test_the_next_item_is_made_while_the_caller_works_on_this_one() -> None:
    """The point of it: the producer runs beside the caller, not after it."""
    made = threading.Event()

    def items() -> Iterator[int]:
        yield 1
        made.set()  # reached only if the producer goes on while the caller holds item 1
        yield 2

    ahead = read_ahead(items())
    assert next(ahead) == 1
    assert made.wait(5)
    assert list(ahead) == [2]
