"""The survey part of a round's fold: the round's waves and, per wave, one small record per
questionnaire with running tallies by unit, respondent group and survey point.

The rules for what counts are counting.py's (services/scoring/counting.py, which can be
deleted in favour of this once the live service scores through the engine): a questionnaire
recorded without flags counts at once; one recorded with flags, or quarantined later, waits
until it is released; a rejection, a void or its batch's withdrawal ends it for good
(un-counting it if it counted); a correction replaces the ratings of one that counts or may
still count. A questionnaire is recorded once, and never into a closed wave. Decisions after
the close still apply: the tallies are as of the survey position read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from shared.contracts import IntegrationPayload
from shared.contracts.survey import (
    SCALE_LEVELS,
    BatchWithdrawn,
    ResponseCorrected,
    ResponseQuarantined,
    ResponseRecorded,
    ResponseRejected,
    ResponseReleased,
    ResponseVoided,
    Scale,
    WaveClosed,
    WaveOpened,
)

from ..inputs import LevelCounts, UnitTally, WaveFacts

COUNTED = "counted"
QUARANTINED = "quarantined"
REJECTED = "rejected"
VOIDED = "voided"
WITHDRAWN = "withdrawn"

STATUS_AFTER: dict[tuple[str, str], str] = {
    (COUNTED, "quarantined"): QUARANTINED,
    (QUARANTINED, "released"): COUNTED,
    (COUNTED, "rejected"): REJECTED,
    (QUARANTINED, "rejected"): REJECTED,
    (COUNTED, "voided"): VOIDED,
    (QUARANTINED, "voided"): VOIDED,
    (COUNTED, "withdrawn"): WITHDRAWN,
    (QUARANTINED, "withdrawn"): WITHDRAWN,
}
"""(status, decision) -> the status it leads to; any pair not listed changes nothing (a
release of a counted questionnaire, a void of a rejected one, …)."""

StatusDecision = ResponseQuarantined | ResponseReleased | ResponseRejected | ResponseVoided
_STATUS_DECISIONS: dict[type[IntegrationPayload], str] = {
    ResponseQuarantined: "quarantined",
    ResponseReleased: "released",
    ResponseRejected: "rejected",
    ResponseVoided: "voided",
}

EVENT_TYPES = frozenset(
    cls.event_type
    for cls in (
        WaveOpened,
        WaveClosed,
        ResponseRecorded,
        ResponseCorrected,
        ResponseVoided,
        ResponseQuarantined,
        ResponseReleased,
        ResponseRejected,
        BatchWithdrawn,
    )
)

_MAX_LEVELS = 255
"""Ratings are held as one byte per unit (0: not rated), so a wave knows at most 255 answers;
every scale has at most 101."""

Matrix = list[list[int]]
"""unit index -> level index -> counted questionnaires."""


class Questionnaire:
    """What the fold keeps of one questionnaire: bounded state, about 150 bytes for a
    questionnaire of 80 ratings."""

    __slots__ = ("group", "point", "ratings", "status")

    def __init__(self, status: str, ratings: bytes, group: str, point: str) -> None:
        self.status = status
        self.ratings = ratings
        """One byte per unit of the wave, in the wave's order: the level index + 1, 0 if the
        questionnaire did not rate the unit."""
        self.group = group
        self.point = point


class WaveState:
    """One wave of the round: its facts, its questionnaires and their running tallies."""

    def __init__(self, payload: WaveOpened) -> None:
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
        self.counts: Matrix = self._matrix()
        self.by_group: dict[str, Matrix] = {}
        self.by_point: dict[str, Matrix] = {}
        # Counted questionnaires per group and point: a key stays in the tallies while a
        # questionnaire that names it counts, even one that rated no unit.
        self.group_counted: Counter[str] = Counter()
        self.point_counted: Counter[str] = Counter()
        self.records: dict[str, Questionnaire] = {}
        self._texts: dict[str, str] = {}

    def _matrix(self) -> Matrix:
        return [[0] * len(self.levels) for _ in self.unit_ids]

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

    def _add_level(self, answer: str) -> int | None:
        if len(self.levels) >= _MAX_LEVELS:
            return None
        self.level_index[answer] = len(self.levels)
        self.levels.append(answer)
        for matrix in (self.counts, *self.by_group.values(), *self.by_point.values()):
            for row in matrix:
                row.append(0)
        return self.level_index[answer]

    def record(
        self, response_id: str, ratings: bytes, group: str, point: str, *, flagged: bool
    ) -> bool:
        """A questionnaire is recorded once, and never into a closed wave."""
        if response_id in self.records or self.facts["closed"]:
            return False
        status = QUARANTINED if flagged else COUNTED
        questionnaire = Questionnaire(status, ratings, self._shared(group), self._shared(point))
        self.records[response_id] = questionnaire
        if status == COUNTED:
            self._count(questionnaire, 1)
        return True

    def correct(self, response_id: str, ratings: bytes) -> bool:
        questionnaire = self.records.get(response_id)
        if questionnaire is None or questionnaire.status not in (COUNTED, QUARANTINED):
            return False
        if questionnaire.ratings == ratings:
            return False
        counted = questionnaire.status == COUNTED
        if counted:
            self._count(questionnaire, -1)
        questionnaire.ratings = ratings
        if counted:
            self._count(questionnaire, 1)
        return True

    def decide(self, response_id: str, decision: str) -> bool:
        questionnaire = self.records.get(response_id)
        if questionnaire is None:
            return False
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
        group = self.by_group.get(questionnaire.group)
        if group is None:
            group = self.by_group[questionnaire.group] = self._matrix()
        point = self.by_point.get(questionnaire.point)
        if point is None:
            point = self.by_point[questionnaire.point] = self._matrix()
        self.group_counted[questionnaire.group] += sign
        self.point_counted[questionnaire.point] += sign
        counts = self.counts
        for index, level in enumerate(questionnaire.ratings):
            if level:
                counts[index][level - 1] += sign
                group[index][level - 1] += sign
                point[index][level - 1] += sign

    def tallies(self) -> dict[str, UnitTally]:
        """unit id -> tally, every unit of the wave and every level a key. Groups and points
        are those the wave declares and those named by a questionnaire that counts."""
        groups = _keys(self.facts["groups"], self.group_counted)
        points = _keys(self.facts["points"], self.point_counted)
        tallies: dict[str, UnitTally] = {}
        for index, unit_id in enumerate(self.unit_ids):
            tallies[unit_id] = {
                "counts": self._levels(self.counts, index),
                "by_group": {code: self._levels(self.by_group.get(code), index) for code in groups},
                "by_point": {code: self._levels(self.by_point.get(code), index) for code in points},
            }
        return tallies

    def _levels(self, matrix: Matrix | None, index: int) -> LevelCounts:
        if matrix is None:
            return dict.fromkeys(self.levels, 0)
        return dict(zip(self.levels, matrix[index], strict=True))


def _keys(declared: Mapping[str, int], counted: Counter[str]) -> list[str]:
    return sorted(set(declared) | {code for code, n in counted.items() if n > 0})


class SurveyFold:
    """Every survey message of the round, folded by wave. Waves of other campaigns or rounds
    (and v1 waves, which belong to none) are passed over, with their questionnaires."""

    def __init__(self, campaign_id: str, round_: int) -> None:
        self.campaign_id = campaign_id
        self.round = round_
        self.waves: dict[str, WaveState] = {}

    def apply(self, payload: IntegrationPayload) -> bool:
        if isinstance(payload, WaveOpened):
            return self._open(payload)
        wave = self.waves.get(str(getattr(payload, "wave_id", "")))
        if wave is None:
            return False
        _apply_to_wave(wave, payload)
        return True

    def _open(self, payload: WaveOpened) -> bool:
        wave_id = str(payload.wave_id)
        if payload.campaign_id is None or str(payload.campaign_id) != self.campaign_id:
            return False
        if payload.round != self.round:
            return False
        if wave_id not in self.waves:
            self.waves[wave_id] = WaveState(payload)
        return True


def _apply_to_wave(wave: WaveState, payload: Any) -> bool:
    """Whether the message changed the wave (a repeated or final decision changes nothing)."""
    if isinstance(payload, WaveClosed):
        closed = not wave.facts["closed"]
        wave.facts["closed"] = True
        return closed
    if isinstance(payload, ResponseRecorded):
        row = wave.encode(payload.ratings_in(wave.unit_ids))
        return wave.record(
            str(payload.response_id),
            row,
            payload.group or "",
            payload.survey_point or "",
            flagged=bool(payload.flags),
        )
    if isinstance(payload, ResponseCorrected):
        ratings = {str(unit): answer for unit, answer in payload.answers.ratings.items()}
        return wave.correct(str(payload.response_id), wave.encode(ratings))
    if isinstance(payload, BatchWithdrawn):
        changed = [wave.decide(str(r), WITHDRAWN) for r in dict.fromkeys(payload.response_ids)]
        return any(changed)
    if isinstance(payload, StatusDecision):
        return wave.decide(str(payload.response_id), _STATUS_DECISIONS[type(payload)])
    return False
