"""Stored survey events -> published contracts. Anything not listed stays internal."""

from __future__ import annotations

from typing import Any

from services.survey.domain import Response, Wave
from shared.contracts import IntegrationPayload
from shared.contracts import survey as contract


def to_payload(domain_event: Any) -> IntegrationPayload | None:
    if isinstance(domain_event, Wave.Opened):
        return contract.WaveOpened(
            wave_id=domain_event.originator_id,
            jurisdiction_id=domain_event.jurisdiction_id,
            name=domain_event.name,
            agency_id=domain_event.agency_id,
            unit_ids=tuple(domain_event.unit_ids),
            actor=domain_event.actor,
        )
    if isinstance(domain_event, Response.Recorded):
        return contract.ResponseRecorded(
            wave_id=domain_event.wave_id,
            response_id=domain_event.originator_id,
            questionnaire_id=domain_event.questionnaire_id,
            survey_point=domain_event.survey_point,
            collected_at=domain_event.collected_at,
            ratings=domain_event.ratings,  # type: ignore[arg-type]  # pydantic parses str keys/values
        )
    if isinstance(domain_event, Wave.Closed):
        return contract.WaveClosed(wave_id=domain_event.originator_id, actor=domain_event.actor)
    return None
