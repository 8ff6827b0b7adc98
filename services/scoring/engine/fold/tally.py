"""A wave's running counts by unit and level, overall and by respondent group and survey
point, counted in bulk.

Counting a questionnaire one rating at a time costs three Python increments per unit (about
240 for 80 units), the largest part of folding it. Rows are instead counted many at a time
with numpy: the rows as a (questionnaires, units) matrix of level bytes, each cell made a
bin number (group and point, unit, level) and counted by one `bincount`, whose result is
added to the matrices of each group and point the rows name. A batch part's rows come so
(`add_rows`); single questionnaires are appended to a buffer per (group, point) and counted
the same way when it is full. Removals (decisions about a counted questionnaire) are
buffered the same way and counted off when their buffer fills; the counts are sums, so the
order of additions and removals does not matter, and `flush()` before any read makes them
exact.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Codes = npt.NDArray[np.uint8]
"""Rows of level bytes: questionnaire -> unit index -> level index + 1 (0: not rated)."""
Matrix = npt.NDArray[np.int64]
"""unit index -> level index -> counted questionnaires (a `units` x `levels` array)."""

FLUSH_ROWS = 512
"""Single questionnaires buffered per (group, point) before they are counted: large enough
that a count's calls are paid once for hundreds of rows, small enough to stay in cache."""

PENDING_BYTES = 4 << 20
"""All buffers together never hold more than this (many points, each with a few rows)."""

_MAX_BINS = 1 << 20
"""Bins one `bincount` may count into (8 MiB): bounds a count of a part whose rows name
many survey points on a scale of 101 levels."""


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
        # (group, point, 1 to add or -1 to remove) -> rating bytes, row after row
        self._pending: dict[tuple[str, str, int], bytearray] = {}
        self._rows: Counter[tuple[str, str, int]] = Counter()
        self._pending_bytes = 0

    def _matrix(self) -> Matrix:
        return np.zeros((self.units, self.levels), dtype=np.int64)

    def add_level(self) -> None:
        self.levels += 1
        self.counts = _widened(self.counts)
        for matrices in (self.by_group, self.by_point):
            for key, matrix in matrices.items():
                matrices[key] = _widened(matrix)

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
    ) -> None:
        """Count questionnaires at once: `codes` their rating bytes as a (questionnaires,
        units) matrix, each a level byte of this tally (at most `levels`), `groups` and
        `points` theirs (None counts as "")."""
        group_names, group_of = _local(groups)
        point_names, point_of = _local(points)
        self._count(codes, group_names, point_names, group_of, point_of)

    def remove(self, ratings: bytes, group: str, point: str) -> None:
        """Un-count one questionnaire that was counted (buffered or not), later: buffered
        as additions are, and counted off with them."""
        self._buffer((group, point, -1), ratings)

    def flush(self) -> None:
        """Count every buffered questionnaire: call before reading the matrices."""
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
        pad = self.levels - other.levels
        self.counts += _widened(other.counts, pad)
        for mine, theirs in ((self.by_group, other.by_group), (self.by_point, other.by_point)):
            for key, matrix in theirs.items():
                found = mine.get(key)
                if found is None:
                    found = mine[key] = self._matrix()
                found += _widened(matrix, pad)
        self.group_counted.update(other.group_counted)
        self.point_counted.update(other.point_counted)

    def _flush(self, key: tuple[str, str, int]) -> None:
        buffer = self._pending.pop(key)
        rows = self._rows.pop(key)
        self._pending_bytes -= len(buffer)
        codes = np.frombuffer(bytes(buffer), dtype=np.uint8).reshape(rows, self.units)
        none = np.zeros(rows, dtype=np.intp)
        group, point, sign = key
        self._count(codes, [group], [point], none, none, sign)

    def _count(
        self,
        codes: Codes,
        group_names: list[str],
        point_names: list[str],
        group_of: npt.NDArray[np.intp],
        point_of: npt.NDArray[np.intp],
        sign: int = 1,
    ) -> None:
        """Count (`sign` 1) or count off (-1) the rows of `codes`, row i in group
        `group_names[group_of[i]]` and point `point_names[point_of[i]]`: one `bincount`
        over bins (group, point, unit, level byte), summed by group and by point, level
        byte 0 (not rated) dropped. Rows naming
        so many pairs of a wide scale that the bins would pass `_MAX_BINS` are counted in
        halves."""
        rows, groups, points = len(codes), len(group_names), len(point_names)
        width = self.levels + 1
        per_pair = self.units * width
        if not rows:
            return
        if groups * points * per_pair > _MAX_BINS and rows > 1:
            half = rows // 2
            for part in (slice(0, half), slice(half, rows)):
                self._count(
                    codes[part], group_names, point_names, group_of[part], point_of[part], sign
                )
            return
        # Bins as intp from the start: a ufunc mixing uint8 and intp costs several times more.
        bins = codes.astype(np.intp)
        bins += np.arange(self.units, dtype=np.intp) * width
        bins += ((group_of * points + point_of) * per_pair)[:, None]
        counted = np.bincount(bins.ravel(), minlength=groups * points * per_pair)
        counted = counted.reshape(groups, points, self.units, width)
        if sign < 0:
            np.negative(counted, out=counted)
        by_group, by_point = counted.sum(axis=1), counted.sum(axis=0)
        self.counts += by_group.sum(axis=0)[:, 1:]
        questionnaires = np.bincount(group_of * points + point_of, minlength=groups * points)
        questionnaires = questionnaires.reshape(groups, points) * sign
        self._add(group_names, by_group, questionnaires.sum(axis=1), self.by_group, True)
        self._add(point_names, by_point, questionnaires.sum(axis=0), self.by_point, False)

    def _add(
        self,
        names: list[str],
        counted: Matrix,
        questionnaires: npt.NDArray[np.intp],
        matrices: dict[str, Matrix],
        groups: bool,
    ) -> None:
        """Each group's (or point's) counts added to its matrix."""
        counted_by = self.group_counted if groups else self.point_counted
        for index, name in enumerate(names):
            n = int(questionnaires[index])
            if not n:
                continue
            matrix = matrices.get(name)
            if matrix is None:
                matrix = matrices[name] = self._matrix()
            matrix += counted[index, :, 1:]
            counted_by[name] += n

    def _matrices(self, group: str, point: str) -> tuple[Matrix, Matrix]:
        by_group = self.by_group.get(group)
        if by_group is None:
            by_group = self.by_group[group] = self._matrix()
        by_point = self.by_point.get(point)
        if by_point is None:
            by_point = self.by_point[point] = self._matrix()
        return by_group, by_point


def _local(names: Sequence[str | None]) -> tuple[list[str], npt.NDArray[np.intp]]:
    """The distinct names (None as "") and each row's index among them. Two names that
    read the same ("" and None) may both be listed: their counts add up as one."""
    index = {name: i for i, name in enumerate(dict.fromkeys(names))}
    found = np.fromiter(map(index.__getitem__, names), dtype=np.intp, count=len(names))
    return [name or "" for name in index], found


def _widened(matrix: Matrix, levels: int = 1) -> Matrix:
    """The matrix with `levels` more levels, counted zero."""
    if not levels:
        return matrix
    return np.concatenate([matrix, np.zeros((matrix.shape[0], levels), dtype=np.int64)], axis=1)
