"""What an agency accredited to a wave reads of its progress: its own questionnaires only —
by point, county, channel, group and status, with their satisfaction tables — against the
targets the wave set (they are the wave's, not other agencies' work), and its own line of
`by_agency` against its quota. Nothing in it moves with another agency's work: with two
agencies on a wave, the whole wave's total less its own line would give the other's counts
and statuses (survey's progress answers an agency the same way).

The breakdowns cannot be cut by agency after the fact, so the view also tallies them per
agency (`tallies.PER_AGENCY`: `of_agency_point`, …); the agency's total is its `by_agency`
bucket. A questionnaire that names no agency is under `unspecified`, which no agency reads."""

from __future__ import annotations

from services.reporting.progress.tallies import PER_AGENCY, PER_COUNTY, bucket
from shared.views import Document


def agency_part(wave: Document, agency: str) -> Document:
    """The wave's row as if `agency` had collected every questionnaire of it: the points,
    channels and groups the wave declared stay (listed at 0 by the reader), a place only
    another agency's questionnaires named does not."""
    own = wave["by_agency"].get(agency, bucket())
    return wave | {
        "total": own,
        **PER_AGENCY.of(wave, {agency}),
        "by_agency": {agency: own},
        "agency_quotas": [a for a in wave["agency_quotas"] if a["agency_id"] == agency],
        # Not read for an agency, but never handed on: they are the whole wave's.
        **PER_COUNTY.empty(),
        **PER_AGENCY.empty(),
    }
