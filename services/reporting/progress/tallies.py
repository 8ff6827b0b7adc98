"""What the `wave_progress` view counts with: the names of its collections, the places a
questionnaire is counted at (point, county, channel, group, agency) and the buckets each
place's questionnaires are tallied in, per status. Shared by its handlers
(`recordings`, `views`) and its reader (`read`, `part`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from shared.contracts.survey import Channel
from shared.views import Document

WAVES = "progress_waves"
RESPONSES = "progress_responses"
UNSPECIFIED = "unspecified"
DIMENSIONS = ("point", "county", "channel", "group", "agency")
BY_COUNTY = ("channel", "group", "agency")
"""Dimensions also tallied per county (`by_county_channel`: county -> channel -> bucket), so
that a county's part of a wave has them too (`part.county_part`)."""
OF_AGENCY = ("point", "county", "channel", "group")
"""Dimensions also tallied per agency (`of_agency_point`: agency -> point -> bucket; the
agency's total is its `by_agency` bucket), so that an agency reads only its own
questionnaires (`agency.agency_part`)."""
STATUSES = ("counted", "quarantined", "rejected", "voided", "withdrawn")
"""Every status a questionnaire can stand in (survey's `ResponseStatus`), in the order the
progress lists them: what counts, what awaits review, then what never counts."""
FINAL = ("voided", "withdrawn")


def bucket() -> Document:
    """Questionnaires per status (their sum is every one received) and the counted ones'
    answers per level. What `collected` and `received` read are worked out from the
    statuses (`read._row`): nothing stored can disagree with them."""
    return {**dict.fromkeys(STATUSES, 0), "levels": {}}


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
    for dimension in BY_COUNTY:
        in_county = wave[f"by_county_{dimension}"].setdefault(keys["county"], {})
        buckets.append(in_county.setdefault(keys[dimension], bucket()))
    for dimension in OF_AGENCY:
        # A row written before these were kept has none (the view is rebuilt since).
        of_agency = wave.setdefault(f"of_agency_{dimension}", {})
        mine = of_agency.setdefault(keys["agency"], {})
        buckets.append(mine.setdefault(keys[dimension], bucket()))
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
