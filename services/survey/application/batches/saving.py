"""The good rows of one attempt made into what its push saves together: the batch, its
parts (the content), a claim per questionnaire and the wave's `BatchAccepted`, each
questionnaire screened for integrity first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from services.survey.application.batches.rows import candidate, part_entry, pattern_of
from services.survey.domain import Batch, BatchPart, PushClaims, Response, split_parts
from services.survey.integrity import WaveIntegrityState, flag_reason, screen

if TYPE_CHECKING:
    from services.survey.application.batches.intake import Good
    from services.survey.domain import Wave
    from shared.principals import Principal as Caller


class Saving:
    """Mixed into `Intake`, whose state it reads."""

    wave: Wave
    caller: Caller
    agency_id: UUID
    units: list[str]
    levels: list[str]

    def _record(self, good: list[Good]) -> tuple[list[Any], dict[str, Any]]:
        none: dict[str, Any] = {
            "batch_id": None,
            "accepted": 0,
            "quarantined": 0,
            "quarantined_ids": [],
            "quarantined_reasons": [],
        }
        if not good:
            return [], none
        wave = self.wave
        state = (
            WaveIntegrityState.from_dict(wave.integrity_state)
            if wave.integrity_state
            else WaveIntegrityState()
        )
        agency, form, units = str(self.agency_id), state.pattern_form, self.units
        candidates = [candidate(g.q, agency, pattern_of(g.q, g.text, form, units)) for g in good]
        point_quotas = {p.code: p.quota for p in wave.points}
        by_agency, by_point_gone = wave.freed()
        quota = wave.agencies.get(str(self.agency_id))
        flags, state = screen(
            candidates, wave.integrity, state, quota, point_quotas, (by_agency, by_point_gone)
        )
        batch_id = uuid4()
        entries: list[dict[str, Any]] = []
        quarantined: list[str] = []
        reasons: list[dict[str, Any]] = []
        by_point: dict[str, int] = {}
        for (_, q, response_id, text), found in zip(good, flags, strict=True):
            flagged = [f.model_dump() for f in found] if found else []
            entries.append(part_entry(response_id, q, text, flagged))
            if found:
                quarantined.append(q["questionnaire_id"])
                reasons.append(_why(q["questionnaire_id"], flagged))
            point = q["survey_point"] or ""
            by_point[point] = by_point.get(point, 0) + 1
        response_ids = [g.response_id for g in good]
        parts, claims = self._parts_and_claims(
            batch_id, split_parts(entries), response_ids, self.levels
        )
        batch = Batch.bring(
            batch_id,
            wave_id=wave.id,
            agency_id=self.agency_id,
            response_ids=[entry["response_id"] for entry in entries],
            actor=self.caller.actor,
        )
        wave.accept_batch(
            batch_id, self.agency_id, len(entries), len(quarantined), by_point, state.to_dict()
        )
        accepted = {
            "batch_id": str(batch_id),
            "accepted": len(entries),
            "quarantined": len(quarantined),
            "quarantined_ids": quarantined,
            "quarantined_reasons": reasons,
        }
        # Claims first: a push's last events are then the parts it publishes, which keeps
        # finding the log's head (`Outbox.head`, polled by waiters) a short read.
        return [wave, batch, PushClaims(batch_id, claims), *parts], accepted

    def _parts_and_claims(
        self,
        batch_id: UUID,
        split: list[list[dict[str, Any]]],
        response_ids: list[UUID],
        levels: list[str],
    ) -> tuple[list[BatchPart], list[Response.Claimed]]:
        """The push at its own grain: a few parts holding the content, and per questionnaire
        only a claim of its id (what makes a second push of it collide). `response_ids` are
        the entries' ids in their order, which the parts keep; `levels` what their rows'
        codes stand for."""
        ids = iter(response_ids)
        parts: list[BatchPart] = []
        claims: list[Response.Claimed] = []
        # One time for the push: its claims (what a questionnaire reads as `recorded_at`) and
        # its parts (published with it, what the wave view lists) say the same.
        now = Response.Claimed.create_timestamp()
        wave_id = self.wave.id
        for number, entries in enumerate(split, start=1):
            parts.append(
                BatchPart.bring(
                    batch_id,
                    number,
                    timestamp=now,
                    wave_id=wave_id,
                    agency_id=self.agency_id,
                    parts=len(split),
                    levels=levels,
                    questionnaires=entries,
                    actor=self.caller.actor,
                )
            )
            claims.extend(
                Response.claimed(
                    next(ids),
                    timestamp=now,
                    wave_id=wave_id,
                    batch_id=batch_id,
                    part=number,
                    index=index,
                )
                for index in range(len(entries))
            )
        return parts, claims


def _why(questionnaire_id: str, flags: list[dict[str, str]]) -> dict[str, Any]:
    """Why a questionnaire of the push went to quarantine, as its agency reads it: each flag's
    code (for its system) and words (for its staff)."""
    return {
        "questionnaire_id": questionnaire_id,
        "reasons": [
            {"code": f["code"], "reason": flag_reason(f["code"], f["detail"])} for f in flags
        ],
    }
