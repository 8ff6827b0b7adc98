"""The wave view's handlers of a wave's own facts: its opening (its summary, its progress
document with every target at 0, and its agencies), an accreditation and its close."""

from __future__ import annotations

from typing import Any

from services.survey.views.names import PROGRESS, STATUSES, WAVE_AGENCIES, WAVES
from shared.contracts import IntegrationMessage
from shared.contracts.survey import WaveAgencyAccredited, WaveClosed, WaveOpened
from shared.views import ViewTransaction


def on_opened(tx: ViewTransaction, p: WaveOpened, m: IntegrationMessage) -> None:
    summary = {
        "wave_id": str(p.wave_id),
        "jurisdiction_id": str(p.jurisdiction_id),
        "name": p.name,
        "agency_id": str(p.agency_id),
        "unit_ids": [str(u) for u in p.unit_ids],
        "actor": p.actor,
        "campaign_id": None if p.campaign_id is None else str(p.campaign_id),
        "round": p.round,
        "kind": p.kind.value,
        "public": p.public,
        "voter_check": p.voter_check,
        "status": "open",
        "response_count": 0,
    }
    tx.put(WAVES, str(p.wave_id), summary)
    tx.put(PROGRESS, str(p.wave_id), _progress(p))
    for agency in p.agencies:
        _accredit(tx, str(p.wave_id), p.name, str(agency.agency_id))


def _accredit(tx: ViewTransaction, wave_id: str, name: str, agency_id: str) -> None:
    row = {"wave_id": wave_id, "agency_id": agency_id, "name": name}
    tx.put(WAVE_AGENCIES, f"{wave_id}|{agency_id}", row)


def _progress(p: WaveOpened) -> dict[str, Any]:
    def bucket(target: int | None = None) -> dict[str, Any]:
        return {"collected": 0, "target": target}

    total_target = sum(point.target for point in p.points) or None
    by_county: dict[str, dict[str, Any]] = {}
    for point in p.points:
        county = by_county.setdefault(str(point.jurisdiction_id), bucket(0))
        county["target"] += point.target
    return {
        "wave_id": str(p.wave_id),
        "jurisdiction_id": str(p.jurisdiction_id),
        "agency_id": str(p.agency_id),
        "total": bucket(total_target),
        "point_county": {point.code: str(point.jurisdiction_id) for point in p.points},
        "by_point": {
            point.code: {
                "name": point.name,
                "collected": 0,
                "target": point.target,
                "quota": point.quota,
            }
            for point in p.points
        },
        "by_county": by_county,
        "by_channel": {channel.value: bucket() for channel in p.channels},
        "by_group": {
            group.code: {
                "name": group.name,
                "collected": 0,
                "target_percent": group.target_percent,
            }
            for group in p.groups
        },
        "by_agency": {str(a.agency_id): {"collected": 0, "quota": a.quota} for a in p.agencies},
        "by_status": dict.fromkeys(STATUSES, 0),
        "answers_by_point": {},
        "counted_by_point": {},
        # What a county's part lists even at 0 (`parts.county_part`), and its counts.
        "declared": {
            "by_channel": [channel.value for channel in p.channels],
            "by_group": [group.code for group in p.groups],
            "by_agency": [str(a.agency_id) for a in p.agencies],
        },
        "by_county_breakdown": {},
    }


def on_accredited(tx: ViewTransaction, p: WaveAgencyAccredited, m: IntegrationMessage) -> None:
    wave = tx.get(WAVES, str(p.wave_id))
    if wave is not None:
        _accredit(tx, str(p.wave_id), wave["name"], str(p.agency_id))
    progress = tx.get(PROGRESS, str(p.wave_id))
    if progress is not None:
        agencies = progress["by_agency"] | {str(p.agency_id): {"collected": 0, "quota": p.quota}}
        declared = progress.get("declared", {})
        declared["by_agency"] = [*declared.get("by_agency", ()), str(p.agency_id)]
        tx.put(PROGRESS, str(p.wave_id), progress | {"by_agency": agencies, "declared": declared})


def on_closed(tx: ViewTransaction, p: WaveClosed, m: IntegrationMessage) -> None:
    doc = tx.get(WAVES, str(p.wave_id))
    if doc is not None:
        closed = {"status": "closed", "closed_by": p.actor, "closed_reason": p.reason}
        tx.put(WAVES, str(p.wave_id), doc | closed)
