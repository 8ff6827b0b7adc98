"""Published registry facts about representatives, appointments and random draws.

A representative's contact (phone or other) never travels: not in plaintext, not hashed,
not masked. Consumers that need to reach a representative ask the registry.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from shared.contracts.envelope import IntegrationPayload

Sector = Literal[
    "service_user",
    "npc_deputy",
    "cppcc_member",
    "industry_representative",
    "civil_servant",
    "community_cadre",
    "enterprise",
    "other",
]
Purpose = Literal["general", "school_special", "hospital_special"]


class RepresentativeRegistered(IntegrationPayload):
    event_type = "registry.representative.registered"
    person_id: UUID
    jurisdiction_id: UUID
    name: str
    sector: Sector
    has_contact: bool
    actor: str


class RepresentativeAppointed(IntegrationPayload):
    """`body_id` is a jurisdiction id when `body_kind` is "office" (its 纠风办), else a unit id."""

    event_type = "registry.representative.appointed"
    person_id: UUID
    body_kind: Literal["office", "department"]
    body_id: UUID
    cycle: str
    purpose: Purpose
    actor: str


class RepresentativeDisqualified(IntegrationPayload):
    event_type = "registry.representative.disqualified"
    person_id: UUID
    reason: str
    actor: str


class PanelDrawn(IntegrationPayload):
    """Everything needed to re-run the draw except the frozen pool's member list, which
    stays in the registry's log (its digest and size are here)."""

    event_type = "registry.panel.drawn"
    draw_id: UUID
    jurisdiction_id: UUID
    campaign_id: UUID | None
    cycle: str
    purpose: Purpose
    size: int
    quotas: dict[Sector, int]
    commitment: str
    seed: str
    pool_digest: str
    pool_size: int
    excluded: tuple[UUID, ...]
    chosen: tuple[UUID, ...]
    actor: str
