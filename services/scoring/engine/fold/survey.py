"""The survey part of a round's fold: the round's waves and, per wave, one small record per
questionnaire with running tallies by unit, respondent group and survey point.

The rules for what counts (the only statement of them: the first release's per-wave
counting is retired): a questionnaire recorded without flags counts at once; one recorded
with flags, or quarantined later, waits until it is released; a rejection, a void or its
batch's withdrawal ends it for good (un-counting it if it counted); a correction replaces
the ratings of one that counts or may still count. Nothing is recorded into a closed wave.
A response id recorded again (survey never publishes that) is a questionnaire of its own,
and a decision naming the id reaches each of its recordings (`records.Recordings`: the one
rule a fold keeping every record and a replay keeping few can both apply). Decisions after
the close still apply: the tallies are as of the survey position read.
"""

from __future__ import annotations

from typing import Any

from shared.contracts import IntegrationPayload
from shared.contracts.survey import (
    BatchWithdrawn,
    ResponseCorrected,
    ResponseQuarantined,
    ResponseRecorded,
    ResponseRejected,
    ResponseReleased,
    ResponseVoided,
    WaveClosed,
    WaveOpened,
)
from shared.contracts.survey_batch import BatchRecorded

from .columns import Columns
from .plain import Recording
from .records import WITHDRAWN
from .wave import WaveState

__all__ = ["EVENT_TYPES", "SurveyFold", "WaveState"]

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
        BatchRecorded,
        ResponseCorrected,
        ResponseVoided,
        ResponseQuarantined,
        ResponseReleased,
        ResponseRejected,
        BatchWithdrawn,
    )
)


class SurveyFold:
    """Every survey message of the round, folded by wave. Waves of other campaigns or rounds
    (and v1 waves, which belong to none) are passed over, with their questionnaires."""

    def __init__(
        self,
        campaign_id: str,
        round_: int,
        keep_records: frozenset[str] | None = None,
        defer: frozenset[str] = frozenset(),
    ) -> None:
        self.campaign_id = campaign_id
        self.round = round_
        self.keep_records = keep_records
        self.defer = defer
        self.waves: dict[str, WaveState] = {}
        self.position = 0
        """The position of the message being folded (set by the round's fold)."""

    def _wave(self, wave_id: str) -> WaveState | None:
        wave = self.waves.get(wave_id)
        if wave is not None:
            wave.position = self.position
        return wave

    def apply(self, payload: IntegrationPayload) -> bool:
        if isinstance(payload, WaveOpened):
            return self._open(payload)
        wave = self._wave(str(getattr(payload, "wave_id", "")))
        if wave is None:
            return False
        _apply_to_wave(wave, payload)
        return True

    def record_plain(self, recording: Recording) -> bool | None:
        """A questionnaire read by `plain.plain_recording`; None where its row needs the
        model's reading (it does not fit the wave, or names an answer the wave lacks)."""
        return self.record_plain_part(recording.wave_id, [recording])

    def record_plain_part(self, wave_id: str, recordings: list[Recording]) -> bool | None:
        """Questionnaires of one wave read plainly (one, or a batch part's), recorded all or
        none: None, with nothing recorded, where any row needs the model's reading."""
        wave = self._wave(wave_id)
        if wave is None:
            # Not this round's wave (its id is canonical text, as the keys are); the model
            # would still have checked the answers' types.
            valid = all(
                answer is None or type(answer) is str for r in recordings for answer in r.row
            )
            return False if valid else None
        encode, rows = wave.codes.encode_row, []
        for recording in recordings:
            row = encode(recording.row)
            if row is None:
                return None
            rows.append(row)
        record = wave.record
        for r, row in zip(recordings, rows, strict=True):
            record(r.response_id, row, r.group, r.point, flagged=r.flagged)
        return True

    def record_columns(self, part: Columns) -> bool | None:
        """A v2 part read by `columns.plain_columns`, recorded all or none; None, with
        nothing recorded, where it needs the model's reading (its rows do not fit the wave,
        it names a level the wave lacks, or a response id twice)."""
        wave = self._wave(part.wave_id)
        if wave is None:
            return False  # not this round's wave; the part was checked whole already
        if part.codes.shape[1] != len(wave.unit_ids):
            return None
        codes = wave.codes.part_codes(part.levels, part.codes)
        if codes is None:
            return None
        return wave.record_rows(part._replace(codes=codes))

    def _open(self, payload: WaveOpened) -> bool:
        wave_id = str(payload.wave_id)
        if payload.campaign_id is None or str(payload.campaign_id) != self.campaign_id:
            return False
        if payload.round != self.round:
            return False
        if wave_id not in self.waves:
            self.waves[wave_id] = WaveState(payload, self.keep_records, self.defer)
        return True


def _apply_to_wave(wave: WaveState, payload: Any) -> bool:
    """Whether the message changed the wave (a repeated or final decision changes nothing)."""
    if isinstance(payload, WaveClosed):
        closed = not wave.facts["closed"]
        wave.facts["closed"] = True
        return closed
    if isinstance(payload, ResponseRecorded):
        return _record(wave, payload, payload.ratings_in(wave.unit_ids))
    if isinstance(payload, BatchRecorded):
        return _record_part(wave, payload)
    if isinstance(payload, ResponseCorrected):
        ratings = {str(unit): answer for unit, answer in payload.answers.ratings.items()}
        return wave.correct(str(payload.response_id), wave.codes.encode(ratings))
    if isinstance(payload, BatchWithdrawn):
        changed = [wave.decide(str(r), WITHDRAWN) for r in dict.fromkeys(payload.response_ids)]
        return any(changed)
    if isinstance(payload, StatusDecision):
        return wave.decide(str(payload.response_id), _STATUS_DECISIONS[type(payload)])
    return False


def _record_part(wave: WaveState, payload: BatchRecorded) -> bool:
    responses = payload.responses()
    # Every row checked against the wave before any is recorded: a part that does not fit
    # raises with nothing of it folded, as a single recording would.
    rows = [response.ratings_in(wave.unit_ids) for response in responses]
    changed = [_record(wave, r, row) for r, row in zip(responses, rows, strict=True)]
    return any(changed)


def _record(wave: WaveState, payload: ResponseRecorded, ratings: dict[str, str]) -> bool:
    return wave.record(
        str(payload.response_id),
        wave.codes.encode(ratings),
        payload.group or "",
        payload.survey_point or "",
        flagged=bool(payload.flags),
    )
