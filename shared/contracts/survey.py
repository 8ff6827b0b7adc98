"""Published survey facts: waves, the questionnaires collected in them, and every later
decision about a questionnaire (correction, void, quarantine, release, rejection, batch
withdrawal). Each decision is its own message, so a consumer rebuilds what counts from the
log alone.

What counts for scoring: a questionnaire recorded without flags, or released from quarantine,
and neither voided, rejected nor in a withdrawn batch; a correction replaces its answers.
A wave's close is ordered after every questionnaire accepted into it (the close and the
batches write the same wave aggregate), so nothing is recorded into a wave after its
`survey.wave.closed` message.

This module defines the wave messages. The vocabularies and the values the messages carry
are in `survey_vocabulary.py`, the questionnaire messages in `survey_responses.py`: kept
apart for their size, and re-exported here, so every survey contract is still named from
`shared.contracts.survey`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from shared.contracts.envelope import IntegrationPayload
from shared.contracts.survey_responses import (
    BatchWithdrawn,
    ResponseCorrected,
    ResponseQuarantined,
    ResponseRecorded,
    ResponseRecordedV1,
    ResponseRecordedV2,
    ResponseRejected,
    ResponseReleased,
    ResponseVoided,
    row_ratings,
)
from shared.contracts.survey_vocabulary import (
    ANSWERS,
    CHANNEL_LABELS,
    RATINGS,
    SCALE_LABELS,
    SCALE_LEVELS,
    WAVE_KIND_LABELS,
    AgencyQuota,
    Answers,
    Channel,
    Dimension,
    DimensionRatings,
    EnrolledUnit,
    Flag,
    Flags,
    IntegrityRules,
    KeyTargets,
    Opinion,
    Opinions,
    Rating,
    RespondentGroup,
    ResponseStatus,
    Scale,
    SurveyPoint,
    TemplateSnapshot,
    WaveKind,
    _Part,
)


class WaveOpenedV1(IntegrationPayload):
    """The first shape: a wave was a list of units for one agency."""

    event_type = "survey.wave.opened"
    schema_version = 1
    wave_id: UUID
    jurisdiction_id: UUID
    name: str
    agency_id: UUID
    unit_ids: tuple[UUID, ...]
    actor: str


class WaveOpenedV2(IntegrationPayload):
    """v2: the wave's campaign round, kind, template, enrolled units with categories,
    window, channels, survey points, respondent groups, agencies with quotas, panel and
    integrity rules. `agency_id` and `unit_ids` stay for v1 readers (the first agency; the
    units in order)."""

    event_type = "survey.wave.opened"
    schema_version = 2
    wave_id: UUID
    jurisdiction_id: UUID
    name: str
    agency_id: UUID
    unit_ids: tuple[UUID, ...]
    actor: str
    campaign_id: UUID | None = None
    round: int | None = None
    kind: WaveKind = WaveKind.SATISFACTION_SURVEY
    template: TemplateSnapshot | None = None
    units: tuple[EnrolledUnit, ...] = ()
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    channels: tuple[Channel, ...] = ()
    points: tuple[SurveyPoint, ...] = ()
    groups: tuple[RespondentGroup, ...] = ()
    agencies: tuple[AgencyQuota, ...] = ()
    panel: tuple[UUID, ...] = ()
    public: bool = False
    integrity: IntegrityRules = IntegrityRules()

    @classmethod
    def upcast_from_previous(cls, data: dict[str, Any]) -> dict[str, Any]:
        """A v1 wave: a four-level satisfaction survey for one agency without quota."""
        return data | {"agencies": [{"agency_id": data["agency_id"], "quota": None}]}


VoterCheck = Literal["sms_code", "none"]
"""What a public wave's vote carries besides the voter's number: `sms_code`, a code texted to
the voter's mobile; `none`, nothing (any well-formed number votes)."""


class WaveOpened(IntegrationPayload):
    """v3 adds `voter_check`, how the public wave verifies its voters (None: a private wave,
    which takes no public votes). Every v2 field stays, as it was."""

    event_type = "survey.wave.opened"
    schema_version = 3
    wave_id: UUID
    jurisdiction_id: UUID
    name: str
    agency_id: UUID
    unit_ids: tuple[UUID, ...]
    actor: str
    campaign_id: UUID | None = None
    round: int | None = None
    kind: WaveKind = WaveKind.SATISFACTION_SURVEY
    template: TemplateSnapshot | None = None
    units: tuple[EnrolledUnit, ...] = ()
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    channels: tuple[Channel, ...] = ()
    points: tuple[SurveyPoint, ...] = ()
    groups: tuple[RespondentGroup, ...] = ()
    agencies: tuple[AgencyQuota, ...] = ()
    panel: tuple[UUID, ...] = ()
    public: bool = False
    integrity: IntegrityRules = IntegrityRules()
    voter_check: VoterCheck | None = None

    @classmethod
    def upcast_from_previous(cls, data: dict[str, Any]) -> dict[str, Any]:
        """A v2 wave was opened before waves chose a voter check: a public one took votes
        unverified (`none`), as survey itself reads such a wave."""
        return data | {"voter_check": "none" if data.get("public") else None}


class WaveAgencyAccredited(IntegrationPayload):
    event_type = "survey.wave.agency_accredited"
    wave_id: UUID
    agency_id: UUID
    quota: int | None
    actor: str


class WaveClosedV1(IntegrationPayload):
    event_type = "survey.wave.closed"
    schema_version = 1
    wave_id: UUID
    actor: str


class WaveClosed(IntegrationPayload):
    """v2 adds the reason and how many questionnaires and batches the close covers: every
    one recorded into the wave precedes this message in survey's log."""

    event_type = "survey.wave.closed"
    schema_version = 2
    wave_id: UUID
    actor: str
    reason: str = ""
    questionnaires: int | None = None
    batches: int | None = None

    @classmethod
    def upcast_from_previous(cls, data: dict[str, Any]) -> dict[str, Any]:
        return data | {"reason": "", "questionnaires": None, "batches": None}


# Every name callers import from here, wherever it is defined.
__all__ = [
    "ANSWERS",
    "CHANNEL_LABELS",
    "RATINGS",
    "SCALE_LABELS",
    "SCALE_LEVELS",
    "WAVE_KIND_LABELS",
    "AgencyQuota",
    "Answers",
    "BatchWithdrawn",
    "Channel",
    "Dimension",
    "DimensionRatings",
    "EnrolledUnit",
    "Flag",
    "Flags",
    "IntegrityRules",
    "KeyTargets",
    "Opinion",
    "Opinions",
    "Rating",
    "RespondentGroup",
    "ResponseCorrected",
    "ResponseQuarantined",
    "ResponseRecorded",
    "ResponseRecordedV1",
    "ResponseRecordedV2",
    "ResponseRejected",
    "ResponseReleased",
    "ResponseStatus",
    "ResponseVoided",
    "Scale",
    "SurveyPoint",
    "TemplateSnapshot",
    "VoterCheck",
    "WaveAgencyAccredited",
    "WaveClosed",
    "WaveClosedV1",
    "WaveKind",
    "WaveOpened",
    "WaveOpenedV1",
    "WaveOpenedV2",
    "_Part",  # the base of every value here; survey_batch.py builds its own on it
    "row_ratings",
]
