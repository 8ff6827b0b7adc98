"""The registry part of a round's fold: the campaign, every unit's current facts, the
campaign's enrolments and key targets.

Units are kept whether or not they are enrolled (yet): which of them are the round's is
decided when the document is joined, since a sub-unit belongs to the round through its
parent's enrolment and through the survey waves that rate it.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.contracts import IntegrationPayload
from shared.contracts.registry import (
    ACTIVE,
    UnitDissolved,
    UnitMoved,
    UnitRegistered,
    UnitRenamed,
    UnitsMerged,
    UnitSplit,
    ended_units,
)
from shared.contracts.registry_campaigns import (
    CampaignCategoriesAmended,
    CampaignOpened,
    KeyTargetDesignated,
    KeyTargetRevoked,
    UnitEnrolled,
    UnitWithdrawn,
)

from ..inputs import CampaignFacts

EVENT_TYPES = frozenset(
    cls.event_type
    for cls in (
        UnitRegistered,
        UnitRenamed,
        UnitMoved,
        UnitsMerged,
        UnitSplit,
        UnitDissolved,
        CampaignOpened,
        CampaignCategoriesAmended,
        UnitEnrolled,
        UnitWithdrawn,
        KeyTargetDesignated,
        KeyTargetRevoked,
    )
)


@dataclass
class UnitRecord:
    name: str
    jurisdiction_id: str
    parent_id: str | None
    vertical_superior: str | None
    status: str = ACTIVE


@dataclass
class Enrolment:
    category: str
    enrolled: bool


class RegistryFold:
    def __init__(self, campaign_id: str, round_: int) -> None:
        self.campaign_id = campaign_id
        self.round = round_
        self.campaign: CampaignFacts | None = None
        self.units: dict[str, UnitRecord] = {}
        self.enrolments: dict[str, Enrolment] = {}
        self.key_targets: set[str] = set()

    def apply(self, payload: IntegrationPayload) -> bool:
        if isinstance(payload, UnitRegistered | UnitRenamed | UnitMoved):
            return self._unit_fact(payload)
        ended = ended_units(payload)
        if ended:
            for unit_id, status in ended.items():
                unit = self.units.get(str(unit_id))
                if unit is not None:
                    unit.status = status
            return True
        if str(getattr(payload, "campaign_id", "")) != self.campaign_id:
            return False
        self._campaign_fact(payload)
        return True

    def _unit_fact(self, payload: UnitRegistered | UnitRenamed | UnitMoved) -> bool:
        unit_id = str(payload.unit_id)
        if isinstance(payload, UnitRegistered):
            # The first registration of a unit id wins; a repeat changes nothing.
            self.units.setdefault(
                unit_id,
                UnitRecord(
                    name=payload.name,
                    jurisdiction_id=str(payload.jurisdiction_id),
                    parent_id=_text(payload.parent_id),
                    vertical_superior=payload.vertical_superior,
                ),
            )
            return True
        unit = self.units.get(unit_id)
        if unit is None:
            return False
        if isinstance(payload, UnitRenamed):
            unit.name = payload.new_name
        else:
            unit.jurisdiction_id = str(payload.to_jurisdiction_id)
        return True

    def _campaign_fact(self, payload: IntegrationPayload) -> None:
        if isinstance(payload, CampaignOpened):
            self.campaign = _campaign_facts(payload, self.round)
        elif isinstance(payload, CampaignCategoriesAmended) and self.campaign is not None:
            self.campaign["categories"] = list(payload.categories)
        elif isinstance(payload, UnitEnrolled):
            self.enrolments[str(payload.unit_id)] = Enrolment(payload.category, True)
        elif isinstance(payload, UnitWithdrawn):
            unit_id = str(payload.unit_id)
            enrolment = self.enrolments.get(unit_id)
            if enrolment is not None:
                enrolment.enrolled = False
            # A withdrawn unit's key-target designation ends with it (registry_campaigns).
            self.key_targets.discard(unit_id)
        elif isinstance(payload, KeyTargetDesignated):
            self.key_targets.add(str(payload.unit_id))
        elif isinstance(payload, KeyTargetRevoked):
            self.key_targets.discard(str(payload.unit_id))


def _text(value: object | None) -> str | None:
    return None if value is None else str(value)


def _campaign_facts(payload: CampaignOpened, round_: int) -> CampaignFacts:
    """The campaign as this round sees it. A round past the cycle's windows has no window
    (empty texts): nothing is placed in it by date."""
    windows = payload.cycle.round_windows
    window = windows[round_ - 1] if 1 <= round_ <= len(windows) else None
    return {
        "campaign_id": str(payload.campaign_id),
        "name": payload.name,
        "pattern": payload.pattern.code,
        "jurisdiction_id": str(payload.jurisdiction_id),
        "round": round_,
        "window": {
            "starts_on": window.starts_on.isoformat() if window else "",
            "ends_on": window.ends_on.isoformat() if window else "",
        },
        "cycle_starts_on": payload.cycle.starts_on.isoformat(),
        "categories": list(payload.categories),
    }
