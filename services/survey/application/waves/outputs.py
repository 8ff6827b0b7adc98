"""A wave as the API answers it."""

from __future__ import annotations

from services.survey.domain import Wave
from services.survey.views.waves.lists import own_agency_id
from shared.idempotency import Response as Result


def wave_out(wave: Wave) -> Result:
    template = wave.template
    return {
        "wave_id": str(wave.id),
        "name": wave.name,
        "jurisdiction_id": str(wave.jurisdiction_id),
        "agency_id": str(wave.agency_id),
        "agencies": [a.model_dump(mode="json") for a in wave.agency_quotas()],
        "unit_ids": [str(u) for u in wave.unit_ids],
        "status": wave.status,
        "campaign_id": None if wave.campaign_id is None else str(wave.campaign_id),
        "round": wave.round,
        "kind": wave.kind.value,
        "template": template.model_dump(mode="json"),
        "units": [u.model_dump(mode="json") for u in wave.units],
        "opens_at": None if wave.opens_at is None else wave.opens_at.isoformat(),
        "closes_at": None if wave.closes_at is None else wave.closes_at.isoformat(),
        "channels": [c.value for c in wave.channels],
        "points": [p.model_dump(mode="json") for p in wave.points],
        "groups": [g.model_dump(mode="json") for g in wave.groups],
        "panel_size": len(wave.panel),
        "public": wave.public,
        "voter_check": wave.voter_check,
        "integrity": wave.integrity.model_dump(mode="json"),
        "questionnaires": wave.questionnaires,
        "quarantined_at_intake": wave.quarantined,
        "batches": wave.batches,
        "closed_reason": wave.closed_reason,
    }


def agency_wave_out(wave: Wave, agency: str) -> Result:
    """The wave as an agency accredited to it reads it: its own line of `agencies`, its own
    questionnaires accepted (`accepted`), its own batches (`batches`) and its own
    questionnaires quarantined at intake (`quarantined_at_intake`), all from the wave's own
    events as the whole wave's are; never a count another agency's work moves (the whole
    wave's less its own would give the other's). `wave` is to have its per-agency counts
    known (`WaveCommands.wave_counted_per_agency`); should they not be, those two read null
    rather than another agency's."""
    intake = wave.intake_of(agency)
    batches, quarantined = (None, None) if intake is None else intake
    return wave_out(wave) | {
        "agency_id": own_agency_id(str(wave.agency_id), agency),
        "agencies": [
            a.model_dump(mode="json") for a in wave.agency_quotas() if str(a.agency_id) == agency
        ],
        "questionnaires": wave.accepted_by_agency.get(agency, 0),
        "accepted": wave.accepted_by_agency.get(agency, 0),
        "quarantined_at_intake": quarantined,
        "batches": batches,
    }


def facts_out(wave: Wave) -> Result:
    """The wave as a role that reads none of its figures reads it (`api.deps.FACTS_ONLY`):
    its facts, with no agency, count or closing reason."""
    return wave_out(wave) | {
        "agency_id": None,
        "agencies": [],
        "questionnaires": None,
        "quarantined_at_intake": None,
        "batches": None,
        "closed_reason": None,
    }
