"""What the `wave_progress` view counts with: the names of its collections, the places a
questionnaire is counted at (point, county, channel, group, agency) and the buckets each
place's questionnaires are tallied in, per status. Shared by its handlers
(`recordings`, `views`) and its reader (`read`, `part`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from shared.contracts.survey import Channel
from shared.views import Document

WAVES = "progress_waves"
RESPONSES = "progress_responses"
UNSPECIFIED = "unspecified"
DIMENSIONS = ("point", "county", "channel", "group", "agency")
STATUSES = ("counted", "quarantined", "rejected", "voided", "withdrawn")
"""Every status a questionnaire can stand in (survey's `ResponseStatus`), in the order the
progress lists them: what counts, what awaits review, then what never counts."""
FINAL = ("voided", "withdrawn")


def bucket() -> Document:
    """Questionnaires per status (their sum is every one received) and the counted ones'
    answers per level. What `collected` and `received` read are worked out from the
    statuses (`read._row`): nothing stored can disagree with them."""
    return {**dict.fromkeys(STATUSES, 0), "levels": {}}


def summed(buckets: Iterable[Document]) -> Document:
    """The buckets added up, status by status and level by level."""
    total = bucket()
    for found in buckets:
        for key, value in found.items():
            if key == "levels":
                for level, n in value.items():
                    total["levels"][level] = total["levels"].get(level, 0) + n
            else:
                total[key] = total.get(key, 0) + value
    return total


@dataclass(frozen=True)
class Breakdown:
    """Some dimensions tallied again per value of another (`by_county_channel`: county ->
    channel -> bucket), so that what a wave's reader may see of it — some counties, one
    agency — can be cut out of the wave's row after the fact: the handlers tally into it
    (`buckets`), the readers read the part of some keys as the wave's own `by_<dimension>`
    (`of`)."""

    prefix: str
    key: str
    """The dimension the others are tallied per."""
    dimensions: tuple[str, ...]

    def field(self, dimension: str) -> str:
        return f"{self.prefix}_{dimension}"

    def empty(self) -> Document:
        """Its fields with nothing tallied: of a wave just opened, or of a part handed on
        that must not carry the whole wave's."""
        return {self.field(dimension): {} for dimension in self.dimensions}

    def buckets(self, wave: Document, keys: dict[str, str]) -> list[Document]:
        """The bucket of each dimension a questionnaire of `keys` is tallied in."""
        found = []
        for dimension in self.dimensions:
            # A row written before the breakdown was kept has none (the view is rebuilt since).
            mine = wave.setdefault(self.field(dimension), {}).setdefault(keys[self.key], {})
            found.append(mine.setdefault(keys[dimension], bucket()))
        return found

    def of(self, wave: Document, keys: Collection[str]) -> Document:
        """`by_<dimension>` of the questionnaires whose `key` is one of `keys`: their
        buckets summed, place by place."""
        return {
            f"by_{dimension}": self._summed(wave, dimension, keys) for dimension in self.dimensions
        }

    def _summed(self, wave: Document, dimension: str, keys: Collection[str]) -> Document:
        found: dict[str, list[Document]] = {}
        for key, buckets in wave.get(self.field(dimension), {}).items():
            if key in keys:
                for place, counts in buckets.items():
                    found.setdefault(place, []).append(counts)
        return {place: summed(counts) for place, counts in found.items()}


PER_COUNTY = Breakdown("by_county", "county", ("channel", "group", "agency"))
"""Channels, groups and agencies per county, so that a county's part of a wave has them too
(`part.county_part`)."""
PER_AGENCY = Breakdown("of_agency", "agency", ("point", "county", "channel", "group"))
"""Points, counties, channels and groups per agency (the agency's total is its `by_agency`
bucket), so that an agency reads only its own questionnaires (`agency.agency_part`)."""
BREAKDOWNS = (PER_COUNTY, PER_AGENCY)


def level_counts(answers: Iterable[str | None]) -> dict[str, int]:
    return {answer: n for answer, n in Counter(answers).items() if answer is not None}


def point_counties(wave: Document) -> dict[str, str]:
    """survey point code -> its county (jurisdiction id), as the wave declared them."""
    return {point["code"]: point["jurisdiction_id"] for point in wave["points"]}


def place_keys(
    counties: dict[str, str],
    point: str | None,
    district: UUID | None,
    channel: Channel | None,
    group: str | None,
    agency: UUID | None,
) -> dict[str, str]:
    """The bucket key of each dimension for a questionnaire collected there; its county is
    its point's, else the respondent's district."""
    county = counties.get(point or "") or (None if district is None else str(district))
    return {
        "point": point or UNSPECIFIED,
        "county": county or UNSPECIFIED,
        "channel": UNSPECIFIED if channel is None else channel.value,
        "group": group or UNSPECIFIED,
        "agency": UNSPECIFIED if agency is None else str(agency),
    }


def _add(target: dict[str, int], levels: dict[str, int], sign: int) -> None:
    for level, count in levels.items():
        target[level] = target.get(level, 0) + sign * count


def tally(wave: Document, keys: dict[str, str], change: dict[str, Any]) -> None:
    """Applies a change of `count` questionnaires (1 unless said) of one place to the wave's
    total and to each of its buckets."""
    buckets = [wave["total"]] + [
        wave[f"by_{dimension}"].setdefault(keys[dimension], bucket()) for dimension in DIMENSIONS
    ]
    for breakdown in BREAKDOWNS:
        buckets.extend(breakdown.buckets(wave, keys))
    n = change.get("count", 1)
    for found in buckets:
        for status in ("from", "to"):
            if change.get(status) is not None:
                found[change[status]] += n if status == "to" else -n
        if change.get("removed"):
            _add(found["levels"], change["removed"], -1)
        if change.get("added"):
            _add(found["levels"], change["added"], 1)


@dataclass
class Place:
    """Questionnaires of one message recorded at one place with one status: tallied at
    once."""

    keys: dict[str, str]
    status: str
    count: int = 0
    levels: Counter[str] = field(default_factory=Counter)


def tally_places(wave: Document, places: dict[tuple[str, ...], Place]) -> None:
    for place in places.values():
        change = {"count": place.count, "to": place.status}
        tally(wave, place.keys, change | {"added": dict(place.levels)})
