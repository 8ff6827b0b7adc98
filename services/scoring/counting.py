"""The rules for folding upstream facts into tallies and a roster.

The aggregates in `domain.py` and the auditor's replay in `replay.py` both call these
functions and nothing else to change counts or roster entries, so the state a score was
computed from and the state replay rebuilds from the upstream logs cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from shared.contracts import IntegrationPayload
from shared.contracts.registry import (
    ACTIVE,
    UnitDissolved,
    UnitMoved,
    UnitRenamed,
    UnitsMerged,
    UnitSplit,
    ended_units,
)
from shared.contracts.survey import Rating

RATINGS: tuple[str, ...] = tuple(rating.value for rating in Rating)
"""Every answer a questionnaire can give, in questionnaire order."""

Counts = dict[str, dict[str, int]]
"""unit_id -> rating -> number of questionnaires giving that rating."""


class CountedResponse(TypedDict):
    response_id: str
    questionnaire_id: str
    ratings: dict[str, str]


class RosterEntry(TypedDict):
    name: str
    category: str
    jurisdiction_id: str
    status: str
    """active, or how the unit ended: merged, split, dissolved."""


LIFECYCLE_FACTS = frozenset(
    cls.event_type for cls in (UnitRenamed, UnitMoved, UnitsMerged, UnitSplit, UnitDissolved)
)
RosterFact = Literal["name", "jurisdiction_id", "status"]
"""The entry facts lifecycle events change (a unit's category never changes)."""
EntryFact = Literal["name", "category", "jurisdiction_id", "status"]


@dataclass(frozen=True)
class RosterChange:
    """One roster fact a registry lifecycle event sets for one unit."""

    unit_id: str
    fact: RosterFact
    value: str


def empty_counts(unit_ids: Iterable[str]) -> Counts:
    return {unit_id: dict.fromkeys(RATINGS, 0) for unit_id in unit_ids}


def add_ratings(counts: Counts, ratings: Mapping[str, str]) -> None:
    """Count one questionnaire. Ratings of units outside the wave are not the wave's to count."""
    for unit_id, rating in ratings.items():
        unit = counts.get(unit_id)
        if unit is not None:
            unit[rating] = unit.get(rating, 0) + 1


def is_countable(counted: Mapping[str, Any], closed: bool, response_id: str) -> bool:
    """A questionnaire counts once, and only while the wave is open."""
    return not closed and response_id not in counted


def ratings_of(ratings: Mapping[Any, Any]) -> dict[str, str]:
    """Contract ratings (UUID -> Rating) as stored: plain strings, sorted by unit id."""
    plain = {
        str(unit_id): str(getattr(rating, "value", rating)) for unit_id, rating in ratings.items()
    }
    return dict(sorted(plain.items()))


def roster_entry(name: str, category: str, jurisdiction_id: str) -> RosterEntry:
    return {
        "name": name,
        "category": category,
        "jurisdiction_id": jurisdiction_id,
        "status": ACTIVE,
    }


def list_unit(units: dict[str, RosterEntry], unit_id: str, entry: RosterEntry) -> bool:
    """The first registration of a unit id wins; a repeat changes nothing."""
    if unit_id in units:
        return False
    units[unit_id] = entry
    return True


def missing_units(units: Mapping[str, Any], unit_ids: Iterable[str]) -> list[str]:
    return sorted(unit_id for unit_id in unit_ids if unit_id not in units)


def lifecycle_changes(payload: IntegrationPayload) -> list[RosterChange]:
    """What a registry lifecycle fact changes on the roster. A merger's or split's new units
    arrive as their own registrations; here only the sources end."""
    if isinstance(payload, UnitRenamed):
        return [RosterChange(str(payload.unit_id), "name", payload.new_name)]
    if isinstance(payload, UnitMoved):
        return [
            RosterChange(str(payload.unit_id), "jurisdiction_id", str(payload.to_jurisdiction_id))
        ]
    return [RosterChange(str(u), "status", status) for u, status in ended_units(payload).items()]


def follows_lifecycle(after: int | None, position: int) -> bool:
    """Whether a lifecycle fact at registry `position` counts for a roster that began
    following lifecycle facts after registry position `after` (None: it never did, as
    rosters before this rule; older facts had already been passed over, unapplied)."""
    return after is not None and position > after


def changed_entry(units: Mapping[str, RosterEntry], change: RosterChange) -> RosterEntry | None:
    """The unit's entry with the change made, as a new dict (entries already captured for
    a run stay as they were); None when the unit is not on the roster or already has that
    value, so a repeated fact changes nothing."""
    entry = units.get(change.unit_id)
    if entry is None or entry[change.fact] == change.value:
        return None
    changed: RosterEntry = {
        "name": entry["name"],
        "category": entry["category"],
        "jurisdiction_id": entry["jurisdiction_id"],
        "status": entry["status"],
    }
    changed[change.fact] = change.value
    return changed
