"""One wave of a round's survey fold: its facts, one small record per questionnaire (all of
them, or those a replay needs: `keep`), and its running tallies (`tally`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import compress
from typing import Any

import numpy as np

from shared.contracts.survey import SCALE_LEVELS, Scale, WaveOpened

from ..inputs import LevelCounts, UnitTally, WaveFacts
from .records import (
    COUNTED,
    QUARANTINED,
    STATUS_AFTER,
    Deferred,
    Questionnaire,
    Recordings,
)
from .tally import Codes, Matrix, Tally

_MAX_LEVELS = 255
"""Ratings are held as one byte per unit (0: not rated), so a wave knows at most 255 answers;
every scale has at most 101."""


class WaveState:
    """One wave of the round: its facts, its questionnaires and their running tallies.

    `keep` (None: every one) names the questionnaires whose records are kept; the others are
    counted as recorded and forgotten, which gives the same tallies provided every later
    message about a questionnaire names one that is kept (`fold.keep`).

    `defer` names questionnaires whose recordings are neither recorded nor counted here but
    listed in `deferred`, with `position` (the position of the message being folded), for
    the fold that records them in order (`fold.split`)."""

    def __init__(
        self,
        payload: WaveOpened,
        keep: frozenset[str] | None = None,
        defer: frozenset[str] = frozenset(),
    ) -> None:
        template = payload.template
        scale = template.scale if template is not None else Scale.FOUR_LEVEL
        self.facts: WaveFacts = {
            "wave_id": str(payload.wave_id),
            "kind": payload.kind.value,
            "scale": scale.value,
            "name": payload.name,
            "closed": False,
            "unit_ids": [str(unit) for unit in payload.unit_ids],
            "panel_size": len(payload.panel),
            "groups": {group.code: group.target_percent for group in payload.groups},
            "points": {point.code: point.target for point in payload.points},
        }
        self.unit_ids: tuple[str, ...] = tuple(self.facts["unit_ids"])
        self.unit_index = {unit: i for i, unit in enumerate(self.unit_ids)}
        self.levels: list[str] = list(SCALE_LEVELS[scale])
        self.level_index = {level: i for i, level in enumerate(self.levels)}
        # answer -> its byte in a record; a row's None and "" rate nothing (as row_ratings).
        self.level_bytes: dict[object, int] = {None: 0, "": 0}
        self.level_bytes.update({level: i + 1 for i, level in enumerate(self.levels)})
        self.scale_size = len(self.levels)
        self.tally = Tally(len(self.unit_ids), len(self.levels))
        self.records = Recordings()
        self.keep = keep
        self.defer = defer
        self.deferred: list[Deferred] = []
        self.position = 0
        self._texts: dict[str, str] = {}

    def _shared(self, text: str) -> str:
        """One string object per distinct group or point code, not one per questionnaire."""
        return self._texts.setdefault(text, text)

    def encode(self, ratings: Mapping[str, str]) -> bytes:
        """unit id -> answer as the record's bytes. Units outside the wave are not the wave's
        to count. An answer outside the scale (survey refuses them; a producer's bug) is
        counted under its own key after the scale's levels rather than lost."""
        row = bytearray(len(self.unit_ids))
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
        if len(row) != len(self.unit_ids):
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
        self.tally.add_level()
        return self.level_index[answer]

    def record(
        self, response_id: str, ratings: bytes, group: str, point: str, *, flagged: bool
    ) -> bool:
        """Never into a closed wave; a response id recorded again is a questionnaire of its
        own (`records.Recordings`: the rule a live fold and a replay can both apply)."""
        if self.facts["closed"]:
            return False
        group, point = self._shared(group), self._shared(point)
        if response_id in self.defer:
            self._defer(response_id, ratings, group, point, flagged)
            return True
        if self.keep is None or response_id in self.keep:
            status = QUARANTINED if flagged else COUNTED
            self.records.add(response_id, Questionnaire(status, ratings, group, point))
        if not flagged:
            self.tally.add(ratings, group, point)
        return True

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

    def record_rows(
        self,
        response_ids: list[str],
        codes: Codes,
        groups: list[str | None],
        points: list[str | None],
        flagged: frozenset[int],
    ) -> bool | None:
        """A part's questionnaires at once, as `record` of each in order would: `codes` their
        rows (of the wave's width, in its level bytes) as a (questionnaires, units) matrix,
        `flagged` the indices recorded with flags. Records are made only of those kept; the rows are
        counted in bulk. None, with nothing recorded, if a response id repeats in the part
        (only the model's reading, one at a time, says what that means)."""
        count = len(response_ids)
        if len(set(response_ids)) != count:
            return None
        if self.facts["closed"]:
            return False
        deferred = frozenset[int]()
        if self.defer:
            deferred = self._defer_rows(response_ids, codes, groups, points, flagged)
        self._keep_rows(response_ids, codes, groups, points, flagged, deferred)
        left_out = deferred | flagged
        matrix = codes
        if left_out:
            counted = [i not in left_out for i in range(count)]
            matrix = matrix[np.array(counted)]
            groups, points = list(compress(groups, counted)), list(compress(points, counted))
        self.tally.add_rows(matrix, groups, points)
        return True

    def _keep_rows(
        self,
        response_ids: list[str],
        codes: Codes,
        groups: list[str | None],
        points: list[str | None],
        flagged: frozenset[int],
        deferred: frozenset[int],
    ) -> None:
        """The records of a part's questionnaires that are kept: every one live; in a replay
        the few named later, found by one set intersection, not one look-up each."""
        if self.keep is None:
            kept: Sequence[int] = range(len(response_ids))
        else:
            kept = sorted(map(response_ids.index, self.keep.intersection(response_ids)))
            if not kept:
                # Nearly every part of a replay, and every part of a range's fold (which
                # keeps nothing): no names to share, no records to make.
                return
        shared, records = self._shared, self.records
        names = {name: shared(name or "") for name in {*groups, *points}}
        rows = codes.tobytes() if self.keep is None else b""  # C order, one row after another
        units = codes.shape[1]
        for i in kept:
            if i in deferred:
                continue
            status = QUARANTINED if i in flagged else COUNTED
            ratings = rows[i * units : (i + 1) * units] if rows else codes[i].tobytes()
            records.add(
                response_ids[i],
                Questionnaire(status, ratings, names[groups[i]], names[points[i]]),
            )

    def _defer(
        self, response_id: str, ratings: bytes, group: str, point: str, flagged: bool
    ) -> None:
        wave_id = self.facts["wave_id"]
        self.deferred.append(
            Deferred(self.position, wave_id, response_id, ratings, group, point, flagged)
        )

    def _defer_rows(
        self,
        response_ids: list[str],
        codes: Codes,
        groups: list[str | None],
        points: list[str | None],
        flagged: frozenset[int],
    ) -> frozenset[int]:
        """The part's questionnaires named in `defer`, listed in `deferred` in the part's
        order; their indices, to be left out of the count as if recorded already."""
        found = sorted(map(response_ids.index, self.defer.intersection(response_ids)))
        for i in found:
            group, point = self._shared(groups[i] or ""), self._shared(points[i] or "")
            self._defer(response_ids[i], codes[i].tobytes(), group, point, i in flagged)
        return frozenset(found)

    def learned_levels(self) -> bool:
        """Whether an answer outside the scale was met (the order of such answers depends
        on the order of the whole log, so ranges folded apart cannot say it)."""
        return len(self.levels) != self.scale_size

    def correct(self, response_id: str, ratings: bytes) -> bool:
        # A list, not a generator: every recording of the id is corrected.
        return any([self._correct(q, ratings) for q in self.records.of(response_id)])

    def _correct(self, questionnaire: Questionnaire, ratings: bytes) -> bool:
        if questionnaire.status not in (COUNTED, QUARANTINED) or questionnaire.ratings == ratings:
            return False
        counted = questionnaire.status == COUNTED
        if counted:
            self._count(questionnaire, -1)
        questionnaire.ratings = ratings
        if counted:
            self._count(questionnaire, 1)
        return True

    def decide(self, response_id: str, decision: str) -> bool:
        return any([self._decide(q, decision) for q in self.records.of(response_id)])

    def _decide(self, questionnaire: Questionnaire, decision: str) -> bool:
        status = STATUS_AFTER.get((questionnaire.status, decision))
        if status is None:
            return False
        if questionnaire.status == COUNTED:
            self._count(questionnaire, -1)
        questionnaire.status = status
        if status == COUNTED:
            self._count(questionnaire, 1)
        return True

    def _count(self, questionnaire: Questionnaire, sign: int) -> None:
        q = questionnaire
        if sign > 0:
            self.tally.add(q.ratings, q.group, q.point)
        else:
            self.tally.remove(q.ratings, q.group, q.point)

    def tallies(self) -> dict[str, UnitTally]:
        """unit id -> tally, every unit of the wave and every level a key. Groups and points
        are those the wave declares and those named by a questionnaire that counts."""
        tally = self.tally
        tally.flush()
        groups = _keys(self.facts["groups"], tally.group_counted)
        points = _keys(self.facts["points"], tally.point_counted)
        # As Python ints, one conversion per matrix (numpy's would not serialise alike).
        counts = tally.counts.tolist()
        by_group = {code: _rows(tally.by_group.get(code)) for code in groups}
        by_point = {code: _rows(tally.by_point.get(code)) for code in points}
        tallies: dict[str, UnitTally] = {}
        for index, unit_id in enumerate(self.unit_ids):
            tallies[unit_id] = {
                "counts": self._levels(counts, index),
                "by_group": {code: self._levels(rows, index) for code, rows in by_group.items()},
                "by_point": {code: self._levels(rows, index) for code, rows in by_point.items()},
            }
        return tallies

    def _levels(self, rows: list[list[int]] | None, index: int) -> LevelCounts:
        if rows is None:
            return dict.fromkeys(self.levels, 0)
        return dict(zip(self.levels, rows[index], strict=True))


def _rows(matrix: Matrix | None) -> list[list[int]] | None:
    return None if matrix is None else matrix.tolist()


def _keys(declared: Mapping[str, int], counted: Counter[str]) -> list[str]:
    return sorted(set(declared) | {code for code, n in counted.items() if n > 0})
