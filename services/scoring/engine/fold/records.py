"""What a wave's fold keeps of one questionnaire, and the statuses decisions move it
between."""

from __future__ import annotations

from typing import NamedTuple

COUNTED = "counted"
QUARANTINED = "quarantined"
REJECTED = "rejected"
VOIDED = "voided"
WITHDRAWN = "withdrawn"

STATUS_AFTER: dict[tuple[str, str], str] = {
    (COUNTED, "quarantined"): QUARANTINED,
    (QUARANTINED, "released"): COUNTED,
    (COUNTED, "rejected"): REJECTED,
    (QUARANTINED, "rejected"): REJECTED,
    (COUNTED, "voided"): VOIDED,
    (QUARANTINED, "voided"): VOIDED,
    (COUNTED, "withdrawn"): WITHDRAWN,
    (QUARANTINED, "withdrawn"): WITHDRAWN,
}
"""(status, decision) -> the status it leads to; any pair not listed changes nothing (a
release of a counted questionnaire, a void of a rejected one, …)."""


class Questionnaire:
    """What the fold keeps of one questionnaire: bounded state, about 150 bytes for a
    questionnaire of 80 ratings."""

    __slots__ = ("group", "point", "ratings", "status")

    def __init__(self, status: str, ratings: bytes, group: str, point: str) -> None:
        self.status = status
        self.ratings = ratings
        """One byte per unit of the wave, in the wave's order: the level index + 1, 0 if the
        questionnaire did not rate the unit."""
        self.group = group
        self.point = point


class Deferred(NamedTuple):
    """A recording of a questionnaire the wave was told to defer (`WaveState.defer`): what
    `WaveState.record` needs to record it elsewhere, at its place in the log."""

    position: int
    wave_id: str
    response_id: str
    ratings: bytes
    group: str
    point: str
    flagged: bool
