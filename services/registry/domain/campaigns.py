"""评议活动: campaigns, the units enrolled in them, and their key evaluation targets.

A Campaign holds its own enrolments. "Once per campaign", "a category of this campaign" and
"a key target must be enrolled" are then checked against one consistent state, and a batch
is one atomic save. Each enrolment is still its own event (one published UnitEnrolled per
unit): an 80-unit campaign is about a hundred events, cheap to replay, and writes to one
campaign are serialised, which matches one office running it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.registry.domain.campaign_enrolment import (
    ENROLLED,
    KEY_TARGET_REASONS,
    REASON_CHOICES,
    WITHDRAWN,
    Enrolment,
    KeyTarget,
    enrolment_refusal,
)
from services.registry.domain.campaign_errors import (
    CampaignConflict,
    CampaignNotFound,
    EnrolmentConflict,
    EnrolmentNotFound,
    EnrolmentRefused,
)
from services.registry.domain.campaign_schedule import (
    PATTERN_CHOICES,
    InvalidCampaign,
    categories_spec,
    category_named,
    choice,
    cycle_spec,
    phases_spec,
    round_windows,
    text,
)
from services.registry.domain.common import NOT_ENROLLED

# Re-exported: the registry takes these from here.
__all__ = [
    "ENROLLED",
    "KEY_TARGET_REASONS",
    "WITHDRAWN",
    "Campaign",
    "CampaignConflict",
    "CampaignNotFound",
    "Enrolment",
    "EnrolmentConflict",
    "EnrolmentNotFound",
    "EnrolmentRefused",
    "KeyTarget",
    "enrolled_categories",
    "enrolment_refusal",
]


class Campaign(Aggregate):
    """Built through `Campaign.open`, which checks and normalises what the caller sent."""

    class Opened(Aggregate.Created):
        jurisdiction_id: UUID
        name: str
        pattern: str
        cycle: dict[str, str]
        phases: list[dict[str, str]]
        categories: list[str]
        actor: str

    class PhasesAmended(Aggregate.Event):
        phases: list[dict[str, str]]
        reason: str
        actor: str

    class CategoriesAmended(Aggregate.Event):
        categories: list[str]
        reason: str
        actor: str

    class UnitEnrolled(Aggregate.Event):
        unit_id: UUID
        category: str
        actor: str

    class UnitWithdrawn(Aggregate.Event):
        unit_id: UUID
        reason: str
        actor: str

    class KeyTargetDesignated(Aggregate.Event):
        unit_id: UUID
        reason_code: str
        reason: str
        actor: str

    class KeyTargetRevoked(Aggregate.Event):
        unit_id: UUID
        reason: str
        actor: str

    @classmethod
    def open(
        cls,
        jurisdiction_id: UUID,
        name: str,
        pattern: str,
        cycle: Mapping[str, Any],
        phases: Sequence[Mapping[str, Any]],
        categories: Sequence[object],
        actor: str,
    ) -> Campaign:
        checked_cycle = cycle_spec(cycle)
        return cls(
            jurisdiction_id=jurisdiction_id,
            name=text(name, "name"),
            pattern=choice(pattern, PATTERN_CHOICES, "pattern"),
            cycle=checked_cycle,
            phases=phases_spec(phases, checked_cycle),
            categories=categories_spec(categories),
            actor=actor,
        )

    @event(Opened)
    def __init__(
        self,
        jurisdiction_id: UUID,
        name: str,
        pattern: str,
        cycle: dict[str, str],
        phases: list[dict[str, str]],
        categories: list[str],
        actor: str,
    ) -> None:
        self.jurisdiction_id = jurisdiction_id
        self.name = name
        self.pattern = pattern
        self.cycle = dict(cycle)
        self.phases = [dict(p) for p in phases]
        self.categories = list(categories)
        self.opened_by = actor
        self.enrolments: dict[str, Enrolment] = {}
        self.amendments: list[dict[str, str]] = []

    @property
    def pattern_label(self) -> str:
        return PATTERN_CHOICES.labels[self.pattern]

    def round_windows(self) -> list[dict[str, str]]:
        return round_windows(self.cycle)

    # --- amendments: new events with actor and reason, never edits -------------------------

    def amend_phases(self, phases: Sequence[Mapping[str, Any]], reason: str, actor: str) -> None:
        checked = phases_spec(phases, self.cycle)
        if checked == self.phases:
            raise InvalidCampaign("阶段未变 (the phases are unchanged)", field="phases")
        self._phases_amended(phases=checked, reason=text(reason, "reason"), actor=actor)

    @event(PhasesAmended)
    def _phases_amended(self, phases: list[dict[str, str]], reason: str, actor: str) -> None:
        self.phases = [dict(p) for p in phases]
        self.amendments.append({"kind": "phases", "reason": reason, "actor": actor})

    def amend_categories(self, categories: Sequence[object], reason: str, actor: str) -> None:
        checked = categories_spec(categories)
        if checked == self.categories:
            raise InvalidCampaign("类别未变 (the categories are unchanged)", field="categories")
        counts = self.enrolment_counts()
        for dropped in (c for c in self.categories if c not in checked and counts.get(c)):
            raise CampaignConflict(
                f"{dropped} 还有 {counts[dropped]} 个参评单位, 请先撤回 "
                f"({dropped} still has {counts[dropped]} enrolled units; withdraw them first)",
                field="categories",
            )
        self._categories_amended(categories=checked, reason=text(reason, "reason"), actor=actor)

    @event(CategoriesAmended)
    def _categories_amended(self, categories: list[str], reason: str, actor: str) -> None:
        self.categories = list(categories)
        self.amendments.append({"kind": "categories", "reason": reason, "actor": actor})

    # --- enrolment ---------------------------------------------------------------------------

    def enrolment(self, unit_id: UUID) -> Enrolment | None:
        return self.enrolments.get(str(unit_id))

    def is_enrolled(self, unit_id: UUID) -> bool:
        found = self.enrolment(unit_id)
        return found is not None and found["status"] == ENROLLED

    def enrolment_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(self.categories, 0)
        for enrolment in self.enrolments.values():
            if enrolment["status"] == ENROLLED:
                counts[enrolment["category"]] = counts.get(enrolment["category"], 0) + 1
        return counts

    def key_target_count(self) -> int:
        return sum(1 for e in self.enrolments.values() if e["key_target"] is not None)

    def enrol(self, unit_id: UUID, category: object, actor: str, field: str = "") -> None:
        """`field` prefixes error fields, e.g. "enrolments.3." for the fourth of a batch."""
        written = text(category, f"{field}category", limit=100)
        category = category_named(self.categories, written)
        if category is None:
            raise EnrolmentRefused(
                f"不是本次评议活动的类别, 可选: {'、'.join(self.categories)} "
                f"(not a category of this campaign (one of: {', '.join(self.categories)}))",
                field=f"{field}category",
            )
        if self.is_enrolled(unit_id):
            raise EnrolmentConflict(
                "该单位已参加这次评议活动 (the unit is already enrolled in this campaign)",
                field=f"{field}unit_id",
            )
        self._enrolled(unit_id=unit_id, category=category, actor=actor)

    @event(UnitEnrolled)
    def _enrolled(self, unit_id: UUID, category: str, actor: str) -> None:
        self.enrolments[str(unit_id)] = {
            "category": category,
            "status": ENROLLED,
            "enrolled_by": actor,
            "withdrawn_reason": None,
            "key_target": None,
        }

    def withdraw(self, unit_id: UUID, reason: str, actor: str) -> None:
        self._require_enrolled(unit_id)
        self._withdrawn(unit_id=unit_id, reason=text(reason, "reason"), actor=actor)

    @event(UnitWithdrawn)
    def _withdrawn(self, unit_id: UUID, reason: str, actor: str) -> None:
        enrolment = self.enrolments[str(unit_id)]
        enrolment["status"] = WITHDRAWN
        enrolment["withdrawn_reason"] = reason
        # A withdrawn unit is not evaluated here, so it cannot stay a key target either.
        enrolment["key_target"] = None

    def _require_enrolled(self, unit_id: UUID) -> Enrolment:
        found = self.enrolment(unit_id)
        if found is None:
            raise EnrolmentNotFound(NOT_ENROLLED, field="unit_id")
        if found["status"] != ENROLLED:
            raise EnrolmentConflict(
                "该单位已撤出这次评议活动 (the unit was withdrawn from this campaign)",
                field="unit_id",
            )
        return found

    # --- key evaluation targets (重点评议对象) -----------------------------------------------

    def designate_key_target(
        self, unit_id: UUID, reason_code: str, reason: str, actor: str
    ) -> None:
        enrolment = self._require_enrolled(unit_id)
        code = choice(reason_code, REASON_CHOICES, "reason_code")
        if enrolment["key_target"] is not None:
            raise EnrolmentConflict(
                "该单位已是重点评议对象 (the unit is already a key evaluation target)",
                field="unit_id",
            )
        self._designated(
            unit_id=unit_id, reason_code=code, reason=text(reason, "reason"), actor=actor
        )

    @event(KeyTargetDesignated)
    def _designated(self, unit_id: UUID, reason_code: str, reason: str, actor: str) -> None:
        self.enrolments[str(unit_id)]["key_target"] = {
            "reason_code": reason_code,
            "reason": reason,
            "designated_by": actor,
        }

    def revoke_key_target(self, unit_id: UUID, reason: str, actor: str) -> None:
        if self._require_enrolled(unit_id)["key_target"] is None:
            raise EnrolmentConflict(
                "该单位不是重点评议对象 (the unit is not a key evaluation target)", field="unit_id"
            )
        self._revoked(unit_id=unit_id, reason=text(reason, "reason"), actor=actor)

    @event(KeyTargetRevoked)
    def _revoked(self, unit_id: UUID, reason: str, actor: str) -> None:
        self.enrolments[str(unit_id)]["key_target"] = None


def enrolled_categories(campaign: Campaign) -> dict[UUID, str]:
    """Every unit enrolled in the campaign now (withdrawn ones left out), with its category."""
    return {
        UUID(unit_id): enrolment["category"]
        for unit_id, enrolment in campaign.enrolments.items()
        if enrolment["status"] == ENROLLED
    }
