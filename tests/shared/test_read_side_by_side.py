"""`read_side_by_side`: readers run at once in threads of their own, their items handed on
in order, one reader's after the other's; an error raised where its items fall due; a
caller that stops early stops every thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from shared.persistence.read_ahead import read_side_by_side


def counting(
    start: int, count: int, started: list[int], fail_at: int | None = None
) -> Iterator[int]:
    started.append(start)
    for n in range(start, start + count):
        if n == fail_at:
            raise ValueError(f"broken at {n}")
        yield n


def test_items_come_in_order_and_every_reader_starts_at_once() -> None:
    started: list[int] = []
    gate = threading.Event()

    def first() -> Iterator[int]:
        # The first reader waits until the second has started: only threads started
        # together get past this.
        started.append(0)
        assert gate.wait(5), "the second reader did not start while the first ran"
        yield from range(0, 50)

    def second() -> Iterator[int]:
        gate.set()
        yield from counting(50, 30, started)

    assert list(read_side_by_side([first(), second()], depth=4)) == list(range(80))
    assert sorted(started) == [0, 50]


def test_an_error_is_raised_when_its_items_fall_due() -> None:
    started: list[int] = []
    readers = [counting(0, 10, started), counting(10, 10, started, fail_at=15)]
    seen: list[int] = []
    with pytest.raises(ValueError, match="broken at 15"):
        for n in read_side_by_side(readers, depth=2):
            seen.append(n)
    assert seen == list(range(15))


def test_a_caller_that_stops_early_stops_every_thread() -> None:
    before = {thread.ident for thread in threading.enumerate()}
    started: list[int] = []
    reading = read_side_by_side([counting(0, 10_000, started), counting(0, 10_000, started)], 3)
    assert next(reading) == 0
    reading.close()
    assert {thread.ident for thread in threading.enumerate()} <= before
