"""Stored survey events -> published contracts. Anything not listed stays internal
(templates travel inside the waves that use them; a wave's accepted batches, a batch's list
of questionnaires, questionnaire claims and vote claims are bookkeeping: a push is published
as its parts, `survey.batch.recorded`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.survey.domain import Batch, BatchPart, Response, Template, Wave
from services.survey.domain.templates import BUILTIN_TEMPLATE
from shared.contracts import IntegrationPayload
from shared.contracts import survey as contract
from shared.contracts.survey_batch import BatchRecorded
from shared.contracts.survey_quotas import WaveAgencyQuotaChanged


def _opened(e: Wave.Opened) -> IntegrationPayload:
    setup = e.setup
    agencies = setup.get("agencies") or [{"agency_id": str(e.agency_id), "quota": None}]
    public = bool(setup.get("public", False))
    return contract.WaveOpened(
        wave_id=e.originator_id,
        jurisdiction_id=e.jurisdiction_id,
        name=e.name,
        agency_id=e.agency_id,
        unit_ids=tuple(e.unit_ids),
        actor=e.actor,
        campaign_id=setup.get("campaign_id"),
        round=setup.get("round"),
        kind=setup.get("kind", contract.WaveKind.SATISFACTION_SURVEY),
        template=setup.get("template") or BUILTIN_TEMPLATE,
        units=tuple(setup.get("units", ())),
        opens_at=setup.get("opens_at"),
        closes_at=setup.get("closes_at"),
        channels=tuple(setup.get("channels", ())),
        points=tuple(setup.get("points", ())),
        groups=tuple(setup.get("groups", ())),
        agencies=tuple(agencies),
        panel=tuple(setup.get("panel", ())),
        public=public,
        integrity=setup.get("integrity") or contract.IntegrityRules(),
        # As the wave reads it (`Wave.voter_check`): a public wave opened before waves
        # chose took votes unverified.
        voter_check=setup.get("voter_check", "none") if public else None,
    )


def _accredited(e: Wave.AgencyAccredited) -> IntegrationPayload:
    return contract.WaveAgencyAccredited(
        wave_id=e.originator_id, agency_id=e.agency_id, quota=e.quota, actor=e.actor
    )


def _quota_changed(e: Wave.QuotaChanged) -> IntegrationPayload:
    # Published as the accreditation is, so readers of its quota follow the change.
    return WaveAgencyQuotaChanged(
        wave_id=e.originator_id,
        agency_id=e.agency_id,
        quota=e.quota,
        previous=e.previous,
        reason=e.reason,
        actor=e.actor,
    )


def _recorded(e: Response.Recorded) -> IntegrationPayload:
    # How a public vote's voter was checked is the survey's own record, not the contract's.
    details: dict[str, Any] = {k: v for k, v in e.details.items() if k != "voter_check"}
    return contract.ResponseRecorded.model_validate(
        {
            "wave_id": e.wave_id,
            "response_id": e.originator_id,
            "questionnaire_id": e.questionnaire_id,
            "survey_point": e.survey_point,
            "collected_at": e.collected_at,
            "ratings": e.ratings,
            **details,
        }
    )


def _part(e: BatchPart.Recorded) -> IntegrationPayload:
    # Encoded without validating each questionnaire again: `Intake` built them from
    # validated input, each row already its row text for the part's levels (the wave's
    # scale; tests/shared/test_batch_recorded_contract.py holds the two equal).
    return BatchRecorded.prepared(
        wave_id=e.wave_id,
        batch_id=e.batch_id,
        agency_id=e.agency_id,
        part=e.part,
        parts=e.parts,
        levels=e.levels,
        questionnaires=e.questionnaires,
        coded=True,
    )


def _corrected(e: Response.Corrected) -> IntegrationPayload:
    return contract.ResponseCorrected(
        wave_id=e.wave_id,
        response_id=e.originator_id,
        version=e.answers_version,
        answers=contract.Answers.model_validate(e.answers),
        reason=e.reason,
        actor=e.actor,
    )


def _simple(kind: type[IntegrationPayload]) -> Callable[[Any], IntegrationPayload]:
    def build(e: Any) -> IntegrationPayload:
        fields = {
            "wave_id": e.wave_id,
            "response_id": e.originator_id,
            "reason": e.reason,
            "actor": e.actor,
        }
        return kind.model_validate(fields)

    return build


def _quarantined(e: Response.Quarantined) -> IntegrationPayload:
    fields = {"wave_id": e.wave_id, "response_id": e.originator_id, "flags": e.flags}
    return contract.ResponseQuarantined.model_validate(fields | {"actor": e.actor})


def _withdrawn(e: Batch.Withdrawn) -> IntegrationPayload:
    return contract.BatchWithdrawn.model_validate(
        {
            "wave_id": e.wave_id,
            "batch_id": e.originator_id,
            "agency_id": e.agency_id,
            "response_ids": e.response_ids,
            "reason": e.reason,
            "actor": e.actor,
        }
    )


def _closed(e: Wave.Closed) -> IntegrationPayload:
    return contract.WaveClosed(
        wave_id=e.originator_id,
        actor=e.actor,
        reason=e.reason,
        questionnaires=e.questionnaires,
        batches=e.batches,
    )


MAPPERS: dict[type[Any], Callable[[Any], IntegrationPayload]] = {
    Wave.Opened: _opened,
    Wave.AgencyAccredited: _accredited,
    Wave.QuotaChanged: _quota_changed,
    Wave.Closed: _closed,
    Response.Recorded: _recorded,
    BatchPart.Recorded: _part,
    Response.Corrected: _corrected,
    Response.Voided: _simple(contract.ResponseVoided),
    Response.Quarantined: _quarantined,
    Response.Released: _simple(contract.ResponseReleased),
    Response.Rejected: _simple(contract.ResponseRejected),
    Batch.Withdrawn: _withdrawn,
}
_ = Template  # templates stay internal


def to_payload(domain_event: Any) -> IntegrationPayload | None:
    mapper = MAPPERS.get(type(domain_event))
    return None if mapper is None else mapper(domain_event)
