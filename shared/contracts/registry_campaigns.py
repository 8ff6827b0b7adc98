"""Published registry facts about campaigns, enrolment and key evaluation targets (issue 3).

Subjects follow event_type, so a consumer that only cares about who is evaluated can
subscribe to `<namespace>.registry.enrolment.>` and `<namespace>.registry.key_target.>`.
"""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from shared.contracts.envelope import IntegrationPayload

CycleLength = Literal["one_year", "two_years"]
CycleRounds = Literal["whole_cycle", "half_year"]
KeyTargetReason = Literal["concentrated_complaints", "weak_grade_last_cycle", "other"]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Pattern(_Part):
    """The program pattern: a stable code and the Chinese name offices use."""

    code: str
    label: str


class Window(_Part):
    starts_on: date
    ends_on: date


class Cycle(_Part):
    """`round_windows` are derived from the rest: one window for a whole-cycle campaign,
    consecutive half years (the last one cut at `ends_on`) for half-year rounds."""

    length: CycleLength
    rounds: CycleRounds
    starts_on: date
    ends_on: date
    round_windows: tuple[Window, ...]


class Phase(_Part):
    name: str
    starts_on: date
    ends_on: date


class CampaignOpened(IntegrationPayload):
    event_type = "registry.campaign.opened"
    campaign_id: UUID
    jurisdiction_id: UUID
    name: str
    pattern: Pattern
    cycle: Cycle
    phases: tuple[Phase, ...]
    categories: tuple[str, ...]
    actor: str


class CampaignPhasesAmended(IntegrationPayload):
    """The whole new list of phases; the previous list stays in the log."""

    event_type = "registry.campaign.phases_amended"
    campaign_id: UUID
    phases: tuple[Phase, ...]
    reason: str
    actor: str


class CampaignCategoriesAmended(IntegrationPayload):
    event_type = "registry.campaign.categories_amended"
    campaign_id: UUID
    categories: tuple[str, ...]
    reason: str
    actor: str


class UnitEnrolled(IntegrationPayload):
    event_type = "registry.enrolment.enrolled"
    campaign_id: UUID
    unit_id: UUID
    category: str
    actor: str


class UnitWithdrawn(IntegrationPayload):
    """A withdrawn unit is no longer evaluated in the campaign; a key-target designation it
    had ends with it (no separate KeyTargetRevoked is published)."""

    event_type = "registry.enrolment.withdrawn"
    campaign_id: UUID
    unit_id: UUID
    reason: str
    actor: str


class KeyTargetDesignated(IntegrationPayload):
    event_type = "registry.key_target.designated"
    campaign_id: UUID
    unit_id: UUID
    reason_code: KeyTargetReason
    reason_label: str
    reason: str
    actor: str


class KeyTargetRevoked(IntegrationPayload):
    event_type = "registry.key_target.revoked"
    campaign_id: UUID
    unit_id: UUID
    reason: str
    actor: str
