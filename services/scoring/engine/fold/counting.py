"""The survey fold's hot loops: compiled (`_counting.c`) where the extension was built at
install (setup.py builds it where a C compiler is, and goes on without it where none is),
numpy and Python otherwise. Both give the same results
(tests/scoring/engine/test_fold_counting.py runs each function both ways); `COMPILED` says
which a process uses (the replay benchmark records it; `PINGYI_PURE_PYTHON=1` makes a
process use the fallback).

The checks (`row_codes`, `datetimes`) are fast acceptances: where the compiled check says
yes the slower one would too, and where it cannot say the caller asks the slower one.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from types import ModuleType

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)
INTERFACE = 4
"""The compiled module's `INTERFACE` this file calls (`_counting.c`)."""
Grid = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]
"""An axis's (names, units, width) cells and its questionnaires per name."""


def _compiled() -> ModuleType | None:
    # PINGYI_PURE_PYTHON=1 runs the fallback in a process that has the extension (tests,
    # and to compare the two by hand).
    if os.environ.get("PINGYI_PURE_PYTHON") == "1":
        return None
    try:
        from . import _counting
    except ImportError:
        return None
    if getattr(_counting, "INTERFACE", None) != INTERFACE:
        logger.warning(
            "fold/_counting was built from another version of its source: not used "
            "(pip install -e . builds it again); counting in numpy"
        )
        return None
    module: ModuleType = _counting
    return module


_fast = _compiled()
COMPILED = _fast is not None


def row_codes(rows: list[object], table: bytes) -> bytes | None:
    """The rows' code bytes through `table`, row after row, if every row is a one-byte text
    of the first row's width whose every character the table maps below 0xFE; None where
    the caller must judge the rows itself (also: not compiled)."""
    if _fast is None:
        return None
    found: bytes | None = _fast.row_codes(rows, table)
    return found


Names = list[str | None]
Index = tuple[bytes, Names] | tuple[None, None]
StoredPart = tuple[
    str,
    list[str],
    bytes,
    Names | None,
    Names | None,
    bytes,
    int,
    bytes | None,
    list[int],
    Index,
    Index,
]
"""What `read_part` reads of a stored part: wave id, levels, the response ids (their texts'
bytes, 36 an id), groups and survey points (None where indices are given), the rows' code
bytes and their width, the raw JSON of the extras (None: none), the indices of the response
ids in the `defer` set it was given, and each row's group and point as (one byte a row: its
index among the distinct values, those values), or (None, None) past 32 distinct values,
where the column is a list instead."""


def read_part(body: bytes, channels: tuple[bytes, ...], defer: frozenset[str]) -> StoredPart | None:
    """A stored `survey.batch.recorded` v2 body in survey's canonical form, read from its
    bytes (`_counting.c`, `read_part`); None where it cannot say (a response id twice
    included), and always when not compiled: the caller decodes the body."""
    if _fast is None:
        return None
    found: StoredPart | None = _fast.read_part(body, channels, defer)
    return found


def datetimes(values: list[object]) -> bool:
    """True if every value is a plain ISO datetime with its offset naming a real instant
    (`columns._datetimes` would accept it); False: the caller must judge (also: not
    compiled)."""
    return _fast is not None and bool(_fast.datetimes(values))


def texts_or_none(values: list[object]) -> bool:
    """True if every value is a text or None; False: the caller must judge."""
    return _fast is not None and bool(_fast.texts_or_none(values))


def members(values: list[object], allowed: frozenset[object]) -> bool:
    """True if every value is None or a text among `allowed`; False: the caller must
    judge."""
    return _fast is not None and bool(_fast.members(values, allowed))


def indices(
    names: Sequence[str | None], index: dict[str | None, int]
) -> npt.NDArray[np.intp] | None:
    """Each name's index in `index`; None if a name is not there."""
    if _fast is not None and type(names) is list:
        found: bytes | None = _fast.indices(names, index)
        return None if found is None else np.frombuffer(found, dtype=np.intp)
    try:
        return np.fromiter(map(index.__getitem__, names), dtype=np.intp, count=len(names))
    except (KeyError, TypeError):
        return None


def count(
    codes: npt.NDArray[np.uint8],
    group_of: npt.NDArray[np.intp],
    point_of: npt.NDArray[np.intp],
    groups: Grid,
    points: Grid,
    sign: int,
    skip: bytes = b"",
) -> None:
    """Count (`sign` 1) or count off (-1) the rows of `codes` (questionnaires x units level
    bytes) but those whose byte in `skip` (empty: none) is not 0: row i into cell
    (`group_of[i]`, unit, its byte) of the groups' grid and (`point_of[i]`, unit, byte) of
    the points', and one questionnaire to each name's row count. ValueError, with nothing
    counted, for a byte or index outside the grids."""
    codes = np.ascontiguousarray(codes, dtype=np.uint8)
    group_of = np.ascontiguousarray(group_of, dtype=np.intp)
    point_of = np.ascontiguousarray(point_of, dtype=np.intp)
    (group_grid, group_rows), (point_grid, point_rows) = groups, points
    _, units, width = group_grid.shape
    if _fast is not None:
        _fast.count(
            codes, group_of, point_of, skip, group_grid, point_grid, group_rows, point_rows,
            units, width, sign,
        )  # fmt: skip
        return
    _check(codes, group_of, point_of, skip, (groups, points), width)
    if skip:
        counted = np.frombuffer(skip, dtype=np.uint8) == 0
        codes, group_of, point_of = codes[counted], group_of[counted], point_of[counted]
    bins = codes.astype(np.intp)
    bins += np.arange(units, dtype=np.intp) * width
    for (grid, rows), of in ((groups, group_of), (points, point_of)):
        counted = np.bincount((bins + (of * (units * width))[:, None]).ravel(), minlength=grid.size)
        questionnaires = np.bincount(of, minlength=len(rows))
        if sign < 0:
            counted, questionnaires = -counted, -questionnaires
        grid.reshape(-1)[:] += counted
        rows += questionnaires


def _check(
    codes: npt.NDArray[np.uint8],
    group_of: npt.NDArray[np.intp],
    point_of: npt.NDArray[np.intp],
    skip: bytes,
    grids: tuple[Grid, Grid],
    width: int,
) -> None:
    """What the compiled count refuses, refused alike before anything is counted."""
    rows = len(group_of)
    if len(point_of) != rows or codes.shape[0] != rows or len(skip) not in (0, rows):
        raise ValueError("rows of codes and their groups, points and skips differ in number")
    if rows and int(codes.max()) >= width:
        raise ValueError("a level byte outside the grid")
    for of, (_, counted) in zip((group_of, point_of), grids, strict=True):
        if rows and (int(of.min()) < 0 or int(of.max()) >= len(counted)):
            raise ValueError("a group or point outside the grid")
