"""The message fold: the ordered contract messages scoring consumed -> a campaign round's
inputs document (`engine.inputs.RoundInputs`).

Messages arrive in each origin's own order (registry, survey, inspection, and scoring for
earlier rounds' results), the origins interleaved in any way. Each origin is folded into
its own state, and the states are joined only when the document is asked for
(`fold.join`), so the document depends on what each origin published up to the positions
read, never on the interleaving: a questionnaire folded before its wave's campaign was
opened is placed once it is.

State stays bounded: one small record per questionnaire of the round's waves (its status,
ratings, group and point, for later corrections and decisions), one per unit, finding,
complaint, order, task and earlier result; no message is kept. A replay of a known prefix of
the logs needs no record of a questionnaire that nothing later names: `keep.named_responses`
collects the ones that are, and `RoundFold(..., keep_records=...)` keeps only those, so its
memory does not grow with the number of questionnaires.

Questionnaires come in two forms, both read, mixed in one log: one `survey.response.recorded`
message each (v1–v3: every old log, and public votes), or a `survey.batch.recorded` part of
an agency's push, hundreds at a time (v1: one object per questionnaire, read by `batch`; v2:
in columns, each row one text of level codes, read by `columns` and counted in bulk). A
questionnaire of a part is folded exactly as the v3 recording of the same fields
(`BatchRecorded.responses()`), and decisions name it by its response id either way
(tests/scoring/engine/test_fold_batch.py).
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from shared.contracts import IntegrationMessage, IntegrationPayload, parse_payload
from shared.contracts.survey import ResponseRecorded

from ..inputs import RoundInputs
from . import (
    batch,
    columns,
    decisions,
    decode,
    findings,
    history,
    inspection,
    plain,
    registry,
    stored,
    survey,
)
from .decisions import DecisionsFold
from .history import HistoryFold, MalformedResult
from .inspection import InspectionFold
from .join import join
from .keep import DECISION_TYPES, named_responses
from .records import Deferred
from .registry import RegistryFold
from .split import RangeCounts
from .survey import SurveyFold

RELEVANT_TYPES = frozenset(
    registry.EVENT_TYPES
    | survey.EVENT_TYPES
    | inspection.EVENT_TYPES
    | decisions.EVENT_TYPES
    | {history.EVENT_TYPE}
)
"""Every event type scoring reads; any other passes through the fold untouched."""

_RECORDED = ResponseRecorded.event_type
SURVEY = "survey"
INSPECTION = "inspection"


def relevant(message: IntegrationMessage) -> bool:
    """Whether scoring needs this message's event type at all (for callers that store only
    what scoring reads)."""
    return message.event_type in RELEVANT_TYPES


class _Fold(Protocol):
    def apply(self, payload: IntegrationPayload) -> bool: ...


class RoundFold:
    """One campaign round's fold. `apply` each message as consumed, `inputs()` whenever a
    document is wanted (cheap enough after every batch)."""

    def __init__(
        self,
        campaign_id: str,
        round: int,
        keep_records: frozenset[str] | None = None,
        defer: frozenset[str] = frozenset(),
    ) -> None:
        """`keep_records`: the response ids (canonical UUID text) whose records to keep; None
        keeps all, as the live service must (it cannot know what will be decided later). A
        replay passes `keep.named_responses` of at least the survey prefix it folds; the
        document is then the same as with all records kept, a log recording a response id
        twice included (`records.Recordings`: each recording counts, in either fold).

        `defer`: questionnaires whose recordings this fold lists rather than records, for a
        fold of a range of the survey log (`split.count_range`)."""
        # The campaign id as every contract prints a UUID, so comparisons are by text.
        self.campaign_id = str(UUID(str(campaign_id)))
        if round < 1:
            raise ValueError(f"round {round}: rounds are numbered from 1")
        self.round = round
        self._registry = RegistryFold(self.campaign_id, round)
        self._survey = SurveyFold(self.campaign_id, round, keep_records, defer)
        self._inspection = InspectionFold()
        self._decisions = DecisionsFold(self.campaign_id, round)
        self._history = HistoryFold()
        self._folds: dict[str, _Fold] = {}
        for fold, types in (
            (self._registry, registry.EVENT_TYPES),
            (self._survey, survey.EVENT_TYPES),
            (self._inspection, inspection.EVENT_TYPES),
            (self._decisions, decisions.EVENT_TYPES),
        ):
            self._folds.update(dict.fromkeys(types, fold))
        self._positions: dict[str, int] = {}

    def apply(self, message: IntegrationMessage) -> bool:
        """Fold one message; True if it concerns this round (or may, as a unit's facts do).
        A position at or below the origin's last one is a redelivery: ignored, False. A
        message that cannot be decoded raises and is not counted as applied."""
        if self._redelivered(message.origin, message.position):
            return False
        concerns = self._fold(message)
        self._positions[message.origin] = message.position
        return concerns

    def _redelivered(self, origin: str, position: int) -> bool:
        """Whether `position` is at or below the origin's last one; if not, the survey fold
        is told the position of what comes next (a deferred recording is listed at it)."""
        last = self._positions.get(origin)
        if last is not None and position <= last:
            return True
        self._survey.position = position
        return False

    def apply_part_body(self, position: int, body: bytes) -> bool | None:
        """Fold the survey log's message at `position` from its stored body, as `apply`
        would fold it decoded, where it is a batch part `stored.stored_columns` can read
        and the wave can record as read; None, with nothing folded, where not: the caller
        decodes the body and `apply`s it (a replay's ranges read most parts so: `split`)."""
        part = stored.stored_columns(body, self._survey.defer)
        if part is None:
            return None
        if self._redelivered(SURVEY, position):
            return False
        done = self._survey.record_columns(part)
        if done is not None:
            self._positions[SURVEY] = position
        return done

    def apply_finding_body(self, position: int, body: bytes) -> bool | None:
        """Fold the inspection log's message at `position` from its stored body, as `apply`
        would fold it decoded, where it is a finding recorded in the plain form
        (`decode.plain_envelope`, `findings.plain_finding`): a province's round holds tens
        of thousands, and the envelope's model and event id cost as much as the finding.
        None, with nothing folded, where not: the caller decodes the body and `apply`s it."""
        data = decode.plain_envelope(INSPECTION, body)
        if data is None or (data["event_type"], data["schema_version"]) != findings.CONTRACT:
            return None
        finding = findings.plain_finding(data["payload"])
        if finding is None:
            return None
        if self._redelivered(INSPECTION, position):
            return False
        done = self._inspection.record_finding(*finding)
        self._positions[INSPECTION] = position
        return done

    def _fold(self, message: IntegrationMessage) -> bool:
        if message.event_type == history.EVENT_TYPE:
            return self._history.apply(message.payload)
        if message.event_type == _RECORDED and message.schema_version == plain.VERSION:
            recording = plain.plain_recording(message.payload)
            if recording is not None:
                done = self._survey.record_plain(recording)
                if done is not None:
                    return done
        elif message.event_type == batch.EVENT_TYPE and message.schema_version == batch.VERSION:
            part = batch.plain_batch(message.payload)
            if part is not None:
                done = self._survey.record_plain_part(*part)
                if done is not None:
                    return done
        elif (message.event_type, message.schema_version) == findings.CONTRACT:
            finding = findings.plain_finding(message.payload)
            if finding is not None:
                return self._inspection.record_finding(*finding)
        elif message.event_type == columns.EVENT_TYPE and message.schema_version == columns.VERSION:
            found = columns.plain_columns(message.payload)
            if found is not None:
                done = self._survey.record_columns(found)
                if done is not None:
                    return done
        fold = self._folds.get(message.event_type)
        if fold is None:
            return False
        return fold.apply(parse_payload(message))

    def range_counts(self) -> RangeCounts | None:
        """What this fold of a range of the survey log (made with `defer`) hands back
        (`split.count_range`); None where a wave met an answer outside its scale."""
        waves = self._survey.waves
        if any(wave.codes.learned_levels() for wave in waves.values()):
            return None
        for wave in waves.values():
            wave.tally.flush()
        deferred = sorted(
            (item for wave in waves.values() for item in wave.deferred),
            key=lambda item: item.position,
        )
        tallies = {wave_id: wave.tally for wave_id, wave in waves.items()}
        return RangeCounts(tallies, deferred, self._positions.get(SURVEY))

    def record_deferred(self, item: Deferred) -> None:
        """A recording a range's fold listed, folded at its place in the log."""
        wave = self._survey.waves[item.wave_id]
        wave.record(item.response_id, item.ratings, item.group, item.point, flagged=item.flagged)

    def absorb_range(self, found: RangeCounts) -> None:
        """A range's counts added (after its listed recordings are folded)."""
        for wave_id, tally in found.tallies.items():
            self._survey.waves[wave_id].tally.absorb(tally)
        if found.last_position is not None:
            last = self._positions.get(SURVEY, found.last_position)
            self._positions[SURVEY] = max(last, found.last_position)

    def positions(self) -> dict[str, int]:
        """origin -> the last position applied, for every origin seen."""
        return dict(sorted(self._positions.items()))

    def inputs(self) -> RoundInputs:
        return join(
            self.campaign_id,
            self.round,
            self._registry,
            self._survey,
            self._inspection,
            self._decisions,
            self._history,
        )


__all__ = [
    "DECISION_TYPES",
    "RELEVANT_TYPES",
    "MalformedResult",
    "RoundFold",
    "named_responses",
    "relevant",
]
