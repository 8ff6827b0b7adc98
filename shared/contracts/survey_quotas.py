"""Published survey fact: an accredited agency's quota changed on an open wave (调整配额).

Apart from `survey.py` (already past its size) and beside `survey.wave.agency_accredited`,
whose quota it supersedes: a reader that keeps an agency's quota from its accreditation
takes this message's `quota` from its place in survey's log on."""

from __future__ import annotations

from uuid import UUID

from shared.contracts.envelope import IntegrationPayload


class WaveAgencyQuotaChanged(IntegrationPayload):
    """`agency_id`'s quota on the wave is `quota` from now on (None: no quota), `previous`
    before it (None: it had none); why, and who changed it. Survey refuses the change on a
    closed wave, for an agency it has not accredited, and below the agency's questionnaires
    that stand, so a reader needs no check of its own."""

    event_type = "survey.wave.agency_quota_changed"
    schema_version = 1
    wave_id: UUID
    agency_id: UUID
    quota: int | None
    previous: int | None
    reason: str
    actor: str
