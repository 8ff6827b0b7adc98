"""A county's part of a wave's progress: what a county office reads of a wave that has
survey points in several counties (a city-wide wave) — its points and counties, and the
breakdowns by channel, respondent group, agency and status of the questionnaires collected
at those points.

The whole wave's breakdowns cannot be cut by county after the fact, so the progress
document also counts each of them per county (`keyed.BY_COUNTY`, `by_county_breakdown`:
county -> breakdown -> key -> questionnaires), moved as the whole wave's are; a part sums
its counties'. A questionnaire's county is its survey point's (`point_county`); one that
names no point, or a point the wave did not declare, is in no county's part.
"""

from __future__ import annotations

from typing import Any

from services.survey.views.keyed import BY_COUNTY
from services.survey.views.names import STATUSES, UNSPECIFIED
from shared.views.base import Document

PART_NOTE = (
    "本县区部分：所列县区的测评点与县区的回收进度及其合计，以及这些测评点回收问卷按渠道、"
    "按调查对象、按测评机构和按状态的统计；测评机构的配额是全批次的，不在此列。"
)


def county_of(progress: Document, point: str | None) -> str:
    return str(progress["point_county"].get(point or "", UNSPECIFIED))


def county_part(progress: Document, counties: set[str]) -> Document:
    """The progress of the survey points in `counties` (jurisdiction ids) only, for a county
    office reading its part of a wider wave: their points and counties, the total of those,
    and the breakdowns of the questionnaires collected there. Keys the wave declared stay
    listed at 0, as in the whole wave's."""
    by_county = {key: found for key, found in progress["by_county"].items() if key in counties}
    points = {code for code, county in progress["point_county"].items() if county in counties}
    target = sum(found["target"] or 0 for found in by_county.values())
    mine = [
        found for county, found in progress.get(BY_COUNTY.field, {}).items() if county in counties
    ]
    return progress | {
        "part": {"jurisdiction_ids": sorted(counties), "note": PART_NOTE},
        "total": {
            "collected": sum(found["collected"] for found in by_county.values()),
            "target": target or None,
        },
        "point_county": {code: progress["point_county"][code] for code in sorted(points)},
        "by_point": {code: v for code, v in progress["by_point"].items() if code in points},
        "by_county": by_county,
        "answers_by_point": {
            code: v for code, v in progress["answers_by_point"].items() if code in points
        },
        "counted_by_point": {
            code: v for code, v in progress["counted_by_point"].items() if code in points
        },
        "by_channel": _summed(progress, mine, "by_channel", {}),
        "by_group": _summed(progress, mine, "by_group", {}),
        "by_agency": _summed(progress, mine, "by_agency", {"quota": None}),
        "by_status": {
            status: sum(found["by_status"][status] for found in mine) for status in STATUSES
        },
        BY_COUNTY.field: {},
    }


def _summed(
    progress: Document, mine: list[Document], breakdown: str, override: dict[str, Any]
) -> dict[str, Any]:
    """The whole wave's buckets (their names and targets) with the part's collected: the
    keys the wave declared, then those the part's questionnaires named, in the whole wave's
    order; never a key only another county's questionnaires named."""
    collected: dict[str, int] = {}
    for found in mine:
        for key, n in found[breakdown].items():
            collected[key] = collected.get(key, 0) + n
    declared = set(progress.get("declared", {}).get(breakdown, ()))
    return {
        key: bucket | override | {"collected": collected.get(key, 0)}
        for key, bucket in progress[breakdown].items()
        if key in declared or key in collected
    }
