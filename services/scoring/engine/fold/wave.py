"""One wave of a round's survey fold: its facts, one small record per questionnaire (all of
them, or those a replay needs: `keep`), and its running tallies (`tally`). How answers
become a record's bytes is `rating_codes`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from shared.contracts.survey import SCALE_LEVELS, Scale, WaveOpened

from ..inputs import LevelCounts, UnitTally, WaveFacts
from .columns import Columns
from .rating_codes import RatingCodes
from .records import (
    COUNTED,
    QUARANTINED,
    STATUS_AFTER,
    Deferred,
    Questionnaire,
    Recordings,
)
from .tally import Codes, Matrix, Tally


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
        self.tally = Tally(len(self.unit_ids), len(SCALE_LEVELS[scale]))
        self.codes = RatingCodes(self.unit_ids, scale, self.tally.add_level)
        self.records = Recordings()
        self.keep = keep
        self.defer = defer
        self.deferred: list[Deferred] = []
        self.position = 0
        self._texts: dict[str, str] = {}

    def _shared(self, text: str) -> str:
        """One string object per distinct group or point code, not one per questionnaire."""
        return self._texts.setdefault(text, text)

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

    def record_rows(self, part: Columns) -> bool | None:
        """A part's questionnaires at once, as `record` of each in order would: `part.codes`
        their rows (of the wave's width, in its level bytes) as a (questionnaires, units)
        matrix, `part.flagged` the indices recorded with flags. Records are made only of
        those kept; the rows are counted in bulk. None, with nothing recorded, if a response
        id repeats in the part (only the model's reading, one at a time, says what that
        means)."""
        response_ids, codes, groups, points = (
            part.response_ids,
            part.codes,
            part.groups,
            part.points,
        )
        if not part.distinct and len(set(response_ids)) != len(response_ids):
            return None
        if self.facts["closed"]:
            return False
        deferred = frozenset[int]()
        if self.defer:
            deferred = self._defer_rows(part)
        self._keep_rows(response_ids, codes, groups, points, part.flagged, deferred)
        self.tally.add_rows(
            codes,
            groups,
            points,
            leave_out=deferred | part.flagged,
            group_index=part.group_index,
            point_index=part.point_index,
        )
        return True

    def _keep_rows(
        self,
        response_ids: Sequence[str],
        codes: Codes,
        groups: Sequence[str | None],
        points: Sequence[str | None],
        flagged: frozenset[int],
        deferred: frozenset[int],
    ) -> None:
        """The records of a part's questionnaires that are kept: every one live; in a replay
        the few named later, found by one set intersection, not one look-up each."""
        if self.keep is None:
            kept: Sequence[int] = range(len(response_ids))
        else:
            if not self.keep:  # a range's fold keeps nothing: not even the walk of the ids
                return
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

    def _defer_rows(self, part: Columns) -> frozenset[int]:
        """The part's questionnaires named in `defer`, listed in `deferred` in the part's
        order; their indices, to be left out of the count as if recorded already. The
        reader of a stored part found them already where it was given this `defer`."""
        ids, groups, points = part.response_ids, part.groups, part.points
        found = part.in_defer
        if found is None:
            found = sorted(map(ids.index, self.defer.intersection(ids)))
        for i in found:
            group, point = self._shared(groups[i] or ""), self._shared(points[i] or "")
            ratings = part.codes[i].tobytes()
            self._defer(ids[i], ratings, group, point, i in part.flagged)
        return frozenset(found)

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
        levels = self.codes.levels
        if rows is None:
            return dict.fromkeys(levels, 0)
        return dict(zip(levels, rows[index], strict=True))


def _rows(matrix: Matrix | None) -> list[list[int]] | None:
    return None if matrix is None else matrix.tolist()


def _keys(declared: Mapping[str, int], counted: Counter[str]) -> list[str]:
    return sorted(set(declared) | {code for code, n in counted.items() if n > 0})
