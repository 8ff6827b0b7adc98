"""The inspection facts placed in a round by date or by the campaign round they name:
findings, complaints and hotline appearances.

They are kept for every unit and every date, because which units are the round's and what
the round's window is are registry facts that may not have arrived yet; the join places
them (`Placement.inside`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from shared.contracts import IntegrationPayload
from shared.contracts.inspection import (
    FindingCorrected,
    FindingRecorded,
    FindingWithdrawn,
)
from shared.contracts.inspection_complaints import (
    ComplaintCallbackRecorded,
    ComplaintConcluded,
    ComplaintDispatched,
    ComplaintReceived,
    HotlineAppeared,
)
from shared.contracts.registry import china_date

from ..inputs import ComplaintFact, FindingFact, Window

EVENT_TYPES = frozenset(
    cls.event_type
    for cls in (
        FindingRecorded,
        FindingCorrected,
        FindingWithdrawn,
        ComplaintReceived,
        ComplaintDispatched,
        ComplaintConcluded,
        ComplaintCallbackRecorded,
        HotlineAppeared,
    )
)


@dataclass
class Placement:
    """What places a fact in a round: the campaign round it names, if any, else its day."""

    day: str | None = None
    campaign_id: str | None = None
    round: int | None = None

    def name(self, campaign_id: object | None, round_: int | None) -> None:
        """A later message that names no campaign or round does not unname it."""
        if campaign_id is not None:
            self.campaign_id = str(campaign_id)
        if round_ is not None:
            self.round = round_

    def inside(self, campaign_id: str, round_: int, window: Window) -> bool:
        """Named for a campaign round: that round only. Named for this campaign without a
        round, or for none: by its day within the window (inclusive)."""
        if self.campaign_id is not None and self.campaign_id != campaign_id:
            return False
        if self.campaign_id is not None and self.round is not None:
            return self.round == round_
        return within(self.day, window)


def within(day: str | None, window: Window) -> bool:
    if day is None or not window["starts_on"] or not window["ends_on"]:
        return False
    return window["starts_on"] <= day <= window["ends_on"]


def iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


@dataclass
class FindingRecord:
    unit_id: str
    fact: FindingFact


@dataclass
class ComplaintRecord:
    unit_id: str | None
    fact: ComplaintFact
    placement: Placement


@dataclass
class InspectionFold:
    findings: dict[str, FindingRecord] = field(default_factory=dict)
    complaints: dict[str, ComplaintRecord] = field(default_factory=dict)
    hotline: dict[str, tuple[str, Placement]] = field(default_factory=dict)
    """appearance id -> (unit id, placement): an appearance published twice counts once."""

    def apply(self, payload: IntegrationPayload) -> bool:
        if isinstance(payload, FindingRecorded | FindingCorrected | FindingWithdrawn):
            return self._finding(payload)
        if isinstance(payload, HotlineAppeared):
            placement = Placement(iso(payload.appeared_on))
            placement.name(payload.campaign_id, payload.round)
            self.hotline.setdefault(str(payload.appearance_id), (str(payload.unit_id), placement))
            return True
        return self._complaint(payload)

    def record_finding(self, finding_id: str, unit_id: str, fact: FindingFact) -> bool:
        """A finding recorded (read by the model or plainly: `findings.plain_finding`); one
        published twice keeps its first recording."""
        self.findings.setdefault(finding_id, FindingRecord(unit_id, fact))
        return True

    def _finding(self, payload: FindingRecorded | FindingCorrected | FindingWithdrawn) -> bool:
        finding_id = str(payload.finding_id)
        if isinstance(payload, FindingRecorded):
            deduction = payload.deduction
            fact: FindingFact = {
                "finding_id": finding_id,
                "method": payload.method,
                "item": payload.item,
                "severity": payload.severity,
                "deduction": None if deduction is None else format(deduction, "f"),
                "found_on": china_date(payload.found_at).isoformat(),
            }
            return self.record_finding(finding_id, str(payload.unit_id), fact)
        if isinstance(payload, FindingWithdrawn):
            # Withdrawn is final: nothing changes the finding afterwards.
            return self.findings.pop(finding_id, None) is not None
        # A correction replaces the summary only, which no scoring rule reads.
        return finding_id in self.findings

    def _complaint(self, payload: IntegrationPayload) -> bool:
        if isinstance(payload, ComplaintReceived):
            fact: ComplaintFact = {
                "complaint_id": str(payload.complaint_id),
                "channel": payload.channel,
                "kind": payload.kind,
                "outcome": None,
                "callback": None,
                "received_on": payload.received_on.isoformat(),
            }
            unit_id = None if payload.unit_id is None else str(payload.unit_id)
            record = ComplaintRecord(unit_id, fact, Placement(fact["received_on"]))
            record.placement.name(payload.campaign_id, payload.round)
            self.complaints.setdefault(fact["complaint_id"], record)
            return True
        if not isinstance(
            payload, ComplaintDispatched | ComplaintConcluded | ComplaintCallbackRecorded
        ):
            return False
        known = self.complaints.get(str(payload.complaint_id))
        if known is None:
            # inspection publishes a complaint's receipt first; without it there is no
            # channel or day to state.
            return False
        known.unit_id = str(payload.unit_id)
        known.placement.name(payload.campaign_id, payload.round)
        if isinstance(payload, ComplaintConcluded):
            known.fact["outcome"] = payload.outcome
        elif isinstance(payload, ComplaintCallbackRecorded):
            known.fact["callback"] = payload.satisfaction
        return True
