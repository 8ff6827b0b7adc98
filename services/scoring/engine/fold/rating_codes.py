"""How a wave's questionnaires become the bytes of their records: one byte per unit of the
wave, the level's index + 1 on the wave's scale (0: not rated). Apart from the wave's state
(`wave`) because a scale can grow while the wave is folded, and that rule is its own."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from shared.contracts.survey import SCALE_LEVELS, Scale

from .tally import Codes

_MAX_LEVELS = 255
"""Ratings are held as one byte per unit (0: not rated), so a wave knows at most 255 answers;
every scale has at most 101."""


class RatingCodes:
    """A wave's units and levels, and the byte of each answer. The levels are the scale's,
    then any answer outside it in the order met: `widen` is called for each, so the wave's
    counts grow a level with them (a level's byte never changes once given)."""

    def __init__(self, unit_ids: Sequence[str], scale: Scale, widen: Callable[[], None]) -> None:
        self.width = len(unit_ids)
        self.unit_index = {unit: i for i, unit in enumerate(unit_ids)}
        self.levels: list[str] = list(SCALE_LEVELS[scale])
        self.level_index = {level: i for i, level in enumerate(self.levels)}
        # answer -> its byte in a record; a row's None and "" rate nothing (as row_ratings).
        self.level_bytes: dict[object, int] = {None: 0, "": 0}
        self.level_bytes.update({level: i + 1 for i, level in enumerate(self.levels)})
        self.scale_size = len(self.levels)
        self._widen = widen

    def encode(self, ratings: Mapping[str, str]) -> bytes:
        """unit id -> answer as the record's bytes. Units outside the wave are not the wave's
        to count. An answer outside the scale (survey refuses them; a producer's bug) is
        counted under its own key after the scale's levels rather than lost."""
        row = bytearray(self.width)
        for unit_id, answer in ratings.items():
            index = self.unit_index.get(unit_id)
            level = self.level_index.get(answer)
            if level is None and index is not None:
                level = self._add_level(answer)
            if index is not None and level is not None:
                row[index] = level + 1
        return bytes(row)

    def encode_row(self, row: list[Any]) -> bytes | None:
        """A row of the wave's scale as the record's bytes; None if it does not fit the wave
        or holds an answer this wave does not know yet (`encode` handles both)."""
        if len(row) != self.width:
            return None
        try:
            return bytes(map(self.level_bytes.__getitem__, row))
        except (KeyError, TypeError):
            return None

    def _add_level(self, answer: str) -> int | None:
        if len(self.levels) >= _MAX_LEVELS:
            return None
        self.level_index[answer] = len(self.levels)
        self.levels.append(answer)
        self.level_bytes[answer] = len(self.levels)
        self._widen()
        return self.level_index[answer]

    def part_codes(self, levels: Sequence[str], codes: Codes) -> Codes | None:
        """A part's row codes (k: the part's `levels[k - 1]`) as this wave's level bytes;
        None if a level is not one the wave knows yet (the model's reading adds it, as
        `encode` does). The producer lists the wave's scale, so the codes mostly are."""
        if list(levels) == self.levels[: len(levels)]:
            return codes
        table = np.zeros(len(levels) + 1, dtype=np.uint8)
        for code, level in enumerate(levels, start=1):
            byte = self.level_bytes.get(level)
            if byte is None:
                return None
            table[code] = byte
        return table[codes]

    def learned_levels(self) -> bool:
        """Whether an answer outside the scale was met (the order of such answers depends
        on the order of the whole log, so ranges folded apart cannot say it)."""
        return len(self.levels) != self.scale_size
