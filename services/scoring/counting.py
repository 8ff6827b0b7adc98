"""The rules for folding upstream facts into tallies and a roster.

The aggregates in `domain.py` and the auditor's replay in `replay.py` both call these
functions and nothing else to change counts, so the state a score was computed from and
the state replay rebuilds from the upstream logs cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypedDict

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
    return {"name": name, "category": category, "jurisdiction_id": jurisdiction_id}


def list_unit(units: dict[str, RosterEntry], unit_id: str, entry: RosterEntry) -> bool:
    """The first registration of a unit id wins; a repeat changes nothing."""
    if unit_id in units:
        return False
    units[unit_id] = entry
    return True


def missing_units(units: Mapping[str, Any], unit_ids: Iterable[str]) -> list[str]:
    return sorted(unit_id for unit_id in unit_ids if unit_id not in units)
