"""A wave's running counts by unit and level, overall and by respondent group and survey
point, with new questionnaires counted in batches.

Counting a questionnaire one rating at a time costs three Python increments per unit (about
240 for 80 units), the largest part of folding it. New questionnaires are instead appended
to a buffer per (group, point) as their rating bytes, and a full buffer is counted column by
column with `bytes.count` (C speed): per unit, a stride slice of the buffer and one count per
level. Removals (decisions about a counted questionnaire) are rare and applied at once; the
counts are sums, so the order of additions and removals does not matter, and `flush()`
before any read makes them exact.
"""

from __future__ import annotations

from collections import Counter

Matrix = list[list[int]]
"""unit index -> level index -> counted questionnaires."""

FLUSH_ROWS = 512
"""Questionnaires buffered per (group, point) before they are counted: large enough that the
per-column calls are paid once for hundreds of rows, small enough to stay in cache."""

PENDING_BYTES = 4 << 20
"""All buffers together never hold more than this (many points, each with a few rows)."""

_COUNT_BY_LEVEL = 16
"""Up to this many levels, one `bytes.count` per level; wider scales (0–10, 百分制) are
counted with one `Counter` per column instead."""


class Tally:
    """Counts of one wave. `levels` grows only at the end (an answer outside the scale), so
    a level byte (index + 1) keeps its meaning in buffered rows."""

    def __init__(self, units: int, levels: int) -> None:
        self.units = units
        self.levels = levels
        self.counts: Matrix = self._matrix()
        self.by_group: dict[str, Matrix] = {}
        self.by_point: dict[str, Matrix] = {}
        # Counted questionnaires per group and point: a key stays in the tallies while a
        # questionnaire that names it counts, even one that rated no unit.
        self.group_counted: Counter[str] = Counter()
        self.point_counted: Counter[str] = Counter()
        self._pending: dict[tuple[str, str], bytearray] = {}
        self._rows: Counter[tuple[str, str]] = Counter()
        self._pending_bytes = 0

    def _matrix(self) -> Matrix:
        return [[0] * self.levels for _ in range(self.units)]

    def add_level(self) -> None:
        self.levels += 1
        for matrix in (self.counts, *self.by_group.values(), *self.by_point.values()):
            for row in matrix:
                row.append(0)

    def add(self, ratings: bytes, group: str, point: str) -> None:
        """Count one questionnaire (its rating bytes, one per unit), later."""
        key = (group, point)
        buffer = self._pending.get(key)
        if buffer is None:
            buffer = self._pending[key] = bytearray()
        buffer += ratings
        rows = self._rows[key] = self._rows[key] + 1
        self._pending_bytes += len(ratings)
        if rows >= FLUSH_ROWS:
            self._flush(key)
        elif self._pending_bytes >= PENDING_BYTES:
            self.flush()

    def remove(self, ratings: bytes, group: str, point: str) -> None:
        """Un-count one questionnaire that was counted (buffered or not)."""
        self.group_counted[group] -= 1
        self.point_counted[point] -= 1
        by_group, by_point = self._matrices(group, point)
        counts = self.counts
        for index, level in enumerate(ratings):
            if level:
                counts[index][level - 1] -= 1
                by_group[index][level - 1] -= 1
                by_point[index][level - 1] -= 1

    def flush(self) -> None:
        """Count every buffered questionnaire: call before reading the matrices."""
        for key in list(self._pending):
            self._flush(key)

    def _matrices(self, group: str, point: str) -> tuple[Matrix, Matrix]:
        by_group = self.by_group.get(group)
        if by_group is None:
            by_group = self.by_group[group] = self._matrix()
        by_point = self.by_point.get(point)
        if by_point is None:
            by_point = self.by_point[point] = self._matrix()
        return by_group, by_point

    def _flush(self, key: tuple[str, str]) -> None:
        buffer = self._pending.pop(key)
        rows = self._rows.pop(key)
        self._pending_bytes -= len(buffer)
        group, point = key
        self.group_counted[group] += rows
        self.point_counted[point] += rows
        by_group, by_point = self._matrices(group, point)
        for index in range(self.units):
            column = bytes(buffer[index :: self.units])
            for level, n in _levels(column, self.levels):
                self.counts[index][level] += n
                by_group[index][level] += n
                by_point[index][level] += n


def _levels(column: bytes, levels: int) -> list[tuple[int, int]]:
    """(level index, questionnaires) for each level rated in a column of level bytes."""
    if levels <= _COUNT_BY_LEVEL:
        found = ((level, column.count(level + 1)) for level in range(levels))
        return [(level, n) for level, n in found if n]
    return [(byte - 1, n) for byte, n in Counter(column).items() if byte]
