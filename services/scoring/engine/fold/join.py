"""Joining the origins' folds into the round inputs document.

Each origin is folded on its own (`RoundFold`), so the document depends only on what each
origin published, never on how their messages were interleaved; which units are the
round's, the round's window and the placement of dated facts are decided here, from the
state of every origin together.

Which units are the round's: every unit ever enrolled in the campaign (withdrawn ones with
`enrolled` False), and every sub-unit rated in one of the round's waves whose chain of
parents reaches an enrolled unit; a sub-unit takes the category and enrolment of the
nearest enrolled unit above it, and is told apart by its `parent_id` (rolled up, not
ranked as a peer). A sub-unit enrolled in its own right is an enrolled unit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from ..inputs import (
    AssessmentFact,
    CampaignFacts,
    CancellationFact,
    ComplaintFact,
    FindingFact,
    HistoryEntry,
    RectificationFact,
    RoundInputs,
    TaskFact,
    UnitFacts,
    VetoFact,
    WaveFacts,
    Window,
)
from .decisions import DecisionsFold
from .history import HistoryFold
from .inspection import InspectionFold, Placement, within
from .registry import Enrolment, RegistryFold
from .survey import SurveyFold, WaveState

Fact = TypeVar("Fact")


def unknown_campaign(campaign_id: str, round_: int) -> CampaignFacts:
    """A campaign not opened (yet) at the registry position read: no window, so nothing is
    placed in the round by date and no wave is the round's."""
    return {
        "campaign_id": campaign_id,
        "name": "",
        "pattern": "",
        "jurisdiction_id": "",
        "round": round_,
        "window": {"starts_on": "", "ends_on": ""},
        "cycle_starts_on": "",
        "categories": [],
    }


def round_waves(campaign: CampaignFacts | None, survey: SurveyFold) -> list[WaveState]:
    """The round's waves: none while the campaign is unknown or the round has no window."""
    if campaign is None or not campaign["window"]["starts_on"]:
        return []
    return [survey.waves[wave_id] for wave_id in sorted(survey.waves)]


def round_units(registry: RegistryFold, waves: Iterable[WaveState]) -> list[UnitFacts]:
    units = {
        unit_id: _unit(registry, unit_id, enrolment, registry.key_targets)
        for unit_id, enrolment in registry.enrolments.items()
    }
    for wave in waves:
        for unit_id in wave.unit_ids:
            if unit_id in units:
                continue
            above = _enrolled_above(registry, unit_id)
            if above is not None:
                units[unit_id] = _unit(registry, unit_id, registry.enrolments[above], set())
    return [units[unit_id] for unit_id in sorted(units)]


def _unit(
    registry: RegistryFold, unit_id: str, enrolment: Enrolment, key_targets: set[str]
) -> UnitFacts:
    record = registry.units.get(unit_id)
    # registry publishes a unit before any enrolment of it; the empty texts only cover a
    # log that broke that order.
    return {
        "unit_id": unit_id,
        "name": record.name if record else "",
        "category": enrolment.category,
        "jurisdiction_id": record.jurisdiction_id if record else "",
        "parent_id": record.parent_id if record else None,
        "vertical_superior": record.vertical_superior if record else None,
        "status": record.status if record else "active",
        "enrolled": enrolment.enrolled,
        "key_target": unit_id in key_targets,
    }


def _enrolled_above(registry: RegistryFold, unit_id: str) -> str | None:
    seen = {unit_id}
    record = registry.units.get(unit_id)
    while record is not None and record.parent_id is not None:
        parent = record.parent_id
        if parent in registry.enrolments:
            return parent
        if parent in seen:
            return None
        seen.add(parent)
        record = registry.units.get(parent)
    return None


def _per_unit(unit_ids: list[str], facts: Iterable[tuple[str, str, Fact]]) -> dict[str, list[Fact]]:
    """(unit id, fact id, fact) -> unit id -> facts sorted by id, every unit a key; facts of
    units not in the round are left out."""
    grouped: dict[str, list[tuple[str, Fact]]] = {unit_id: [] for unit_id in unit_ids}
    for unit_id, fact_id, fact in facts:
        found = grouped.get(unit_id)
        if found is not None:
            found.append((fact_id, fact))
    return {
        unit_id: [fact for _, fact in sorted(found, key=lambda item: item[0])]
        for unit_id, found in grouped.items()
    }


def join(
    campaign_id: str,
    round_: int,
    registry: RegistryFold,
    survey: SurveyFold,
    inspection: InspectionFold,
    decisions: DecisionsFold,
    history: HistoryFold,
) -> RoundInputs:
    """The document, built fresh: nothing in it is shared with the folds' state, so a
    caller may keep or change it."""
    campaign = registry.campaign
    waves = round_waves(campaign, survey)
    facts = unknown_campaign(campaign_id, round_) if campaign is None else _campaign(campaign)
    units = round_units(registry, waves)
    unit_ids = [unit["unit_id"] for unit in units]
    window = facts["window"]

    def inside(placement: Placement) -> bool:
        return placement.inside(campaign_id, round_, window)

    return {
        "campaign": facts,
        "units": units,
        "waves": [_wave(wave.facts) for wave in waves],
        "survey": {wave.facts["wave_id"]: wave.tallies() for wave in waves},
        "findings": _per_unit(
            unit_ids,
            (
                (record.unit_id, record.fact["finding_id"], FindingFact(**record.fact))
                for record in inspection.findings.values()
                if within(record.fact["found_on"], window)
            ),
        ),
        "complaints": _per_unit(
            unit_ids,
            (
                (record.unit_id, record.fact["complaint_id"], ComplaintFact(**record.fact))
                for record in inspection.complaints.values()
                if record.unit_id is not None and inside(record.placement)
            ),
        ),
        "hotline": _hotline(unit_ids, inspection, inside),
        "assessments": _assessments(unit_ids, decisions),
        "vetoes": _per_unit(
            unit_ids,
            (
                (unit_id, veto["veto_id"], VetoFact(**veto))
                for unit_id, veto in decisions.vetoes.values()
            ),
        ),
        "cancellations": _per_unit(
            unit_ids,
            (
                (unit_id, fact["cancellation_id"], CancellationFact(**fact))
                for unit_id, fact in decisions.cancellations.values()
            ),
        ),
        "rectification": _per_unit(
            unit_ids,
            (
                (order.unit_id, order.fact["order_id"], _order(order.fact))
                for order in decisions.orders.values()
                if inside(order.placement)
            ),
        ),
        "tasks": _per_unit(
            unit_ids,
            (
                (task.unit_id, task.fact["task_id"], TaskFact(**task.fact))
                for task in decisions.tasks.values()
                if inside(task.placement)
            ),
        ),
        "history": _history(unit_ids, facts, history),
    }


def _campaign(campaign: CampaignFacts) -> CampaignFacts:
    return {
        **campaign,
        "window": Window(**campaign["window"]),
        "categories": list(campaign["categories"]),
    }


def _wave(facts: WaveFacts) -> WaveFacts:
    return {
        **facts,
        "unit_ids": list(facts["unit_ids"]),
        "groups": dict(facts["groups"]),
        "points": dict(facts["points"]),
    }


def _order(fact: RectificationFact) -> RectificationFact:
    return {**fact, "escalations": list(fact["escalations"])}


def _hotline(
    unit_ids: list[str], inspection: InspectionFold, inside: Callable[[Placement], bool]
) -> dict[str, int]:
    counts = dict.fromkeys(unit_ids, 0)
    for unit_id, placement in inspection.hotline.values():
        if unit_id in counts and inside(placement):
            counts[unit_id] += 1
    return counts


def _assessments(
    unit_ids: list[str], decisions: DecisionsFold
) -> dict[str, dict[str, AssessmentFact]]:
    """unit id -> component code -> score. Score ids are derived from (campaign, round,
    unit, component), so one score stands for each; were there two, the later recorded
    (in inspection's order) would win."""
    scores: dict[str, dict[str, AssessmentFact]] = {unit_id: {} for unit_id in unit_ids}
    for assessment in decisions.assessments.values():
        found = scores.get(assessment.unit_id)
        if found is not None:
            found[assessment.code] = AssessmentFact(**assessment.fact)
    return scores


def _history(
    unit_ids: list[str], campaign: CampaignFacts, history: HistoryFold
) -> dict[str, list[HistoryEntry]]:
    entries: dict[str, list[HistoryEntry]] = {unit_id: [] for unit_id in unit_ids}
    for result in history.before(campaign["pattern"], campaign["window"]["starts_on"]):
        for unit_id, entry in result.entries.items():
            found = entries.get(unit_id)
            if found is not None:
                found.append({**entry, "lists": list(entry["lists"])})
    return entries
