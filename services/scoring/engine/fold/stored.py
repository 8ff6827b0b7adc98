"""A stored batch part read from its bytes (the compiled `counting.read_part`) into what
`columns.plain_columns` reads of its decoded payload, for a replay's ranges, which fold a
province's million questionnaires from the survey log's stored bodies.

The reader makes no Python object a questionnaire: the response ids stay one run of bytes
(`IdTexts`), and a column of few distinct names stays each row's index among them
(`IndexedNames`); a str is made only of what a fold asks for (a range's fold asks for the
few questionnaires it sets aside). Both are read-only sequences, equal in every reading to
the lists `plain_columns` gives (tests/scoring/engine/test_fold_stored.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

import numpy as np
import orjson

from shared.contracts.survey import Channel

from . import counting
from .columns import Columns, flagged_indices, levels_ok

_CHANNEL_BYTES = tuple(channel.value.encode() for channel in Channel)
ID_WIDTH = 36
"""A canonical UUID's text, in bytes."""


class IdTexts(Sequence[str]):
    """Response ids held as their ASCII bytes, `ID_WIDTH` an id, one after another."""

    __slots__ = ("_texts",)

    def __init__(self, texts: bytes) -> None:
        self._texts = texts

    def __len__(self) -> int:
        return len(self._texts) // ID_WIDTH

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        at = range(len(self))[index] * ID_WIDTH  # IndexError as a list raises it
        return self._texts[at : at + ID_WIDTH].decode("ascii")

    def __iter__(self) -> Iterator[str]:
        texts = self._texts.decode("ascii")
        return (texts[at : at + ID_WIDTH] for at in range(0, len(texts), ID_WIDTH))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, IdTexts):
            return self._texts == other._texts
        return isinstance(other, list) and list(self) == other

    __hash__ = None  # type: ignore[assignment]  # equal to lists, as unhashable


class IndexedNames(Sequence[str | None]):
    """A column of names held as each row's index (one byte) among its distinct values."""

    __slots__ = ("_names", "_rows")

    def __init__(self, rows: bytes, names: list[str | None]) -> None:
        self._rows = rows
        self._names = names

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> str | None: ...

    @overload
    def __getitem__(self, index: slice) -> list[str | None]: ...

    def __getitem__(self, index: int | slice) -> str | list[str | None] | None:
        if isinstance(index, slice):
            return [self._names[i] for i in self._rows[index]]
        return self._names[self._rows[index]]

    def __iter__(self) -> Iterator[str | None]:
        names = self._names
        return (names[i] for i in self._rows)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, IndexedNames):
            return list(self) == list(other)
        return isinstance(other, list) and list(self) == other

    __hash__ = None  # type: ignore[assignment]


def stored_columns(body: bytes, defer: frozenset[str] = frozenset()) -> Columns | None:
    """What `plain_columns` reads of the payload of a stored part (its body, as survey
    stores it), read from the bytes without decoding them, with what the fold would
    otherwise work out itself: that no response id repeats (a part where one does is left
    to the caller), which are in `defer`, each row's group and point as an index. None
    where the reader cannot say: the caller then decodes the body (`decode.decode_stored`)
    and reads it as any message."""
    found = counting.read_part(body, _CHANNEL_BYTES, defer)
    if found is None:
        return None
    wave_id, levels, ids, group_list, point_list, codes, width, extras = found[:8]
    in_defer, (group_of, group_names), (point_of, point_names) = found[8:]
    if not levels_ok(levels):
        return None
    response_ids = IdTexts(ids)
    count = len(response_ids)
    flagged: frozenset[int] | None = frozenset()
    if extras is not None:
        try:
            flagged = flagged_indices(orjson.loads(extras), count)
        except orjson.JSONDecodeError:
            return None
    if flagged is None:
        return None
    matrix = np.frombuffer(codes, dtype=np.uint8).reshape(count, width)
    groups, by_group = _names(group_list, group_of, group_names)
    points, by_point = _names(point_list, point_of, point_names)
    return Columns(
        wave_id, levels, response_ids, groups, points, matrix, flagged,
        True, in_defer, by_group, by_point,
    )  # fmt: skip


def _names(
    listed: list[str | None] | None, rows: bytes | None, names: list[str | None] | None
) -> tuple[Sequence[str | None], tuple[bytes, list[str | None]] | None]:
    """A name column as the reader gave it: a list, or rows' indices among the names."""
    if rows is None or names is None:
        assert listed is not None
        return listed, None
    return IndexedNames(rows, names), (rows, names)
