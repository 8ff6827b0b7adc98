"""An agency's part of a wave's progress: what an agency accredited to a wave reads of it —
its own questionnaires only, by point, county, channel, group and status, against the
targets the wave set; never a count another agency's work moves (with two agencies on a
wave, the whole wave's total less its own line would give the other's).

Like a county's part (`parts`), the breakdowns cannot be cut by agency after the fact, so
the progress document also counts them per agency (`keyed.BY_AGENCY`,
`by_agency_breakdown`: agency -> breakdown -> key -> questionnaires, and `collected`), moved
as the whole wave's are. A questionnaire that names no agency is under `unspecified`, which
no agency reads.
"""

from __future__ import annotations

from typing import Any

from services.survey.views.keyed import BY_AGENCY, BY_COUNTY
from shared.views.base import Document

BREAKDOWNS = BY_AGENCY.breakdowns


def agency_part(progress: Document, agency: str) -> Document:
    """What `agency` reads of a wave's progress: its own questionnaires in `total` and every
    breakdown, against the targets and quotas the wave set (they are the wave's, not other
    agencies' work), and its own line of `by_agency`. The points, counties, channels and
    groups the wave declared stay listed at 0; a key only another agency's questionnaires
    named is not listed."""
    own = BY_AGENCY.of(progress, agency)
    declared = progress.get("declared", {})
    points = progress["point_county"]
    wave_lists = {
        "by_point": set(points),
        "by_county": set(points.values()),
        "by_channel": set(declared.get("by_channel", ())),
        "by_group": set(declared.get("by_group", ())),
    }
    return progress | {
        "total": progress["total"] | {"collected": own["collected"]},
        **{
            breakdown: _mine(progress[breakdown], own[breakdown], wave_lists[breakdown])
            for breakdown in BREAKDOWNS
        },
        "by_agency": {key: found for key, found in progress["by_agency"].items() if key == agency},
        "by_status": dict(own["by_status"]),
        # Not answered, but never handed on: they are the whole wave's.
        "answers_by_point": {},
        "counted_by_point": {},
        BY_COUNTY.field: {},
        BY_AGENCY.field: {},
        "declared": {key: found for key, found in declared.items() if key != "by_agency"},
    }


def _mine(buckets: dict[str, Any], collected: dict[str, int], listed: set[str]) -> dict[str, Any]:
    """The wave's buckets (names, targets) with the agency's collected, in the wave's order:
    those the wave declared and those the agency's questionnaires named."""
    return {
        key: bucket | {"collected": collected.get(key, 0)}
        for key, bucket in buckets.items()
        if key in listed or key in collected
    }
