"""A wave's running counts by unit and level, by respondent group and by survey point,
counted in bulk.

Counting a questionnaire one rating at a time in Python costs three increments per unit
(about 240 for 80 units), the largest part of folding it. The counts are instead held as two
grids, one per axis (respondent group, survey point): (names, units, level byte) int64
cells, level byte 0 (not rated) included and dropped on reading, the overall counts being
the sum over the groups (every questionnaire counts in exactly one group, "" for none).
A batch part's rows come as a (questionnaires, units) matrix of level bytes (`add_rows`) and
are counted into both grids in one pass (`counting.count`: compiled where it could be
built, numpy's `bincount` otherwise). Single questionnaires are appended to a buffer per
(group, point) and counted the same way when it is full. Removals (decisions about a
counted questionnaire) are buffered the same way and counted off when their buffer fills;
the counts are sums, so the order of additions and removals does not matter, and `flush()`
before any read makes them exact.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence

import numpy as np
import numpy.typing as npt

from . import counting

Codes = npt.NDArray[np.uint8]
"""Rows of level bytes: questionnaire -> unit index -> level index + 1 (0: not rated)."""
Matrix = npt.NDArray[np.int64]
"""unit index -> level index -> counted questionnaires (a `units` x `levels` array)."""

FLUSH_ROWS = 512
"""Single questionnaires buffered per (group, point) before they are counted: large enough
that a count's calls are paid once for hundreds of rows, small enough to stay in cache."""

PENDING_BYTES = 4 << 20
"""All buffers together never hold more than this (many points, each with a few rows)."""


class Axis:
    """The counts by one axis (respondent group or survey point): each name's index, a grid
    of (names, units, width) cells and the questionnaires counted per name. None and ""
    name one key ("")."""

    def __init__(self, units: int, width: int) -> None:
        self.units = units
        self.width = width
        self.index: dict[str | None, int] = {}
        self.names: list[str] = []
        self.grid: npt.NDArray[np.int64] = np.zeros((0, units, width), dtype=np.int64)
        self.rows: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)

    def of(
        self,
        names: Sequence[str | None],
        local: tuple[bytes, Sequence[str | None]] | None = None,
    ) -> npt.NDArray[np.intp]:
        """Each name's index, names met for the first time added; `local`, where given,
        the same names as (one byte a row: its index among the distinct values, those
        values)."""
        if local is not None:
            rows, distinct = local
            return self.of(distinct).take(np.frombuffer(rows, dtype=np.uint8))
        found = counting.indices(names, self.index)
        if found is None:
            for name in dict.fromkeys(names):
                if name not in self.index:
                    self._add(name)
            found = counting.indices(names, self.index)
            assert found is not None
        return found

    def _add(self, name: str | None) -> None:
        key = name or ""
        if key not in self.index:
            self.index[key] = len(self.names)
            self.names.append(key)
            self._grow(len(self.names))
        self.index[name] = self.index[key]

    def _grow(self, names: int) -> None:
        """Room for at least `names` names: the grids are handed to the count whole, so
        they grow by doubling and are cut to the names on reading."""
        capacity = len(self.rows)
        if names <= capacity:
            return
        more = max(names, 2 * capacity, 4) - capacity
        self.grid = np.concatenate(
            [self.grid, np.zeros((more, self.units, self.width), dtype=np.int64)]
        )
        self.rows = np.concatenate([self.rows, np.zeros(more, dtype=np.int64)])

    def widen(self, levels: int = 1) -> None:
        self.width += levels
        self.grid = _widened(self.grid, levels)

    def matrices(self) -> dict[str, Matrix]:
        """name -> its (units, levels) counts, level byte 0 dropped."""
        return {name: self.grid[i, :, 1:] for i, name in enumerate(self.names)}

    def counted(self) -> Counter[str]:
        return Counter(dict(zip(self.names, self.rows.tolist(), strict=False)))

    def absorb(self, other: Axis) -> None:
        """Add `other`'s counts (of a width no greater), name by name."""
        pad = self.width - other.width
        for i, name in enumerate(other.names):
            mine = self.of([name])[0]
            self.grid[mine] += _widened(other.grid[i], pad)
            self.rows[mine] += other.rows[i]


class Tally:
    """Counts of one wave. `levels` grows only at the end (an answer outside the scale), so
    a level byte (index + 1) keeps its meaning in buffered rows."""

    def __init__(self, units: int, levels: int) -> None:
        self.units = units
        self.levels = levels
        self.groups = Axis(units, levels + 1)
        self.points = Axis(units, levels + 1)
        # (group, point, 1 to add or -1 to remove) -> rating bytes, row after row
        self._pending: dict[tuple[str, str, int], bytearray] = {}
        self._rows: Counter[tuple[str, str, int]] = Counter()
        self._pending_bytes = 0

    @property
    def counts(self) -> Matrix:
        """unit -> level -> counted questionnaires (read after `flush`)."""
        counts: Matrix = self.groups.grid[: len(self.groups.names), :, 1:].sum(axis=0)
        return counts

    @property
    def by_group(self) -> dict[str, Matrix]:
        return self.groups.matrices()

    @property
    def by_point(self) -> dict[str, Matrix]:
        return self.points.matrices()

    @property
    def group_counted(self) -> Counter[str]:
        """Counted questionnaires per group: a key stays in the tallies while a
        questionnaire that names it counts, even one that rated no unit."""
        return self.groups.counted()

    @property
    def point_counted(self) -> Counter[str]:
        return self.points.counted()

    def add_level(self) -> None:
        self.levels += 1
        self.groups.widen()
        self.points.widen()

    def add(self, ratings: bytes, group: str, point: str) -> None:
        """Count one questionnaire (its rating bytes, one per unit), later."""
        self._buffer((group, point, 1), ratings)

    def _buffer(self, key: tuple[str, str, int], ratings: bytes) -> None:
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

    def add_rows(
        self,
        codes: Codes,
        groups: Sequence[str | None],
        points: Sequence[str | None],
        leave_out: Collection[int] = (),
        group_index: tuple[bytes, Sequence[str | None]] | None = None,
        point_index: tuple[bytes, Sequence[str | None]] | None = None,
    ) -> None:
        """Count questionnaires at once: `codes` their rating bytes as a (questionnaires,
        units) matrix, each a level byte of this tally (at most `levels`), `groups` and
        `points` theirs (None counts as ""), but the rows whose indices are in
        `leave_out`. `group_index`, `point_index`: the same names as (one byte a row: its
        index among the distinct values, those values), where a reader made them: only the
        distinct values are looked up."""
        if not len(codes):
            return
        skip = bytearray(len(codes) if leave_out else 0)
        for index in leave_out:
            skip[index] = 1
        group_of = self.groups.of(groups, group_index)
        point_of = self.points.of(points, point_index)
        self._count(codes, group_of, point_of, 1, bytes(skip))

    def remove(self, ratings: bytes, group: str, point: str) -> None:
        """Un-count one questionnaire that was counted (buffered or not), later: buffered
        as additions are, and counted off with them."""
        self._buffer((group, point, -1), ratings)

    def flush(self) -> None:
        """Count every buffered questionnaire: call before reading the counts."""
        for key in list(self._pending):
            self._flush(key)

    def absorb(self, other: Tally) -> None:
        """Add the counts of `other`, a tally of the same wave's units kept apart (a range of
        its log folded elsewhere: `fold.split`), both flushed first. `other` may know fewer
        levels (this one learned more since, at the end); never more."""
        if other.units != self.units or other.levels > self.levels:
            raise ValueError("tallies of different waves")
        self.flush()
        other.flush()
        self.groups.absorb(other.groups)
        self.points.absorb(other.points)

    def _flush(self, key: tuple[str, str, int]) -> None:
        buffer = self._pending.pop(key)
        rows = self._rows.pop(key)
        self._pending_bytes -= len(buffer)
        codes = np.frombuffer(bytes(buffer), dtype=np.uint8).reshape(rows, self.units)
        group, point, sign = key
        group_of = np.repeat(self.groups.of([group]), rows)
        point_of = np.repeat(self.points.of([point]), rows)
        self._count(codes, group_of, point_of, sign)

    def _count(
        self,
        codes: Codes,
        group_of: npt.NDArray[np.intp],
        point_of: npt.NDArray[np.intp],
        sign: int,
        skip: bytes = b"",
    ) -> None:
        """Count (`sign` 1) or count off (-1) the rows of `codes`, row i in group
        `group_of[i]` and point `point_of[i]` (indices of the axes), but those `skip`
        marks."""
        counting.count(
            codes,
            group_of,
            point_of,
            (self.groups.grid, self.groups.rows),
            (self.points.grid, self.points.rows),
            sign,
            skip,
        )


def _widened(grid: npt.NDArray[np.int64], levels: int = 1) -> npt.NDArray[np.int64]:
    """The grid (..., width) with `levels` more level bytes, counted zero."""
    if not levels:
        return grid
    more = np.zeros((*grid.shape[:-1], levels), dtype=np.int64)
    return np.concatenate([grid, more], axis=-1)
