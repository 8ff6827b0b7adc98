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


class Recordings:
    """The kept records by response id: the first recording of each, and any later
    recording of the same id beside it.

    The rule for a response id recorded twice (survey never publishes one; an edited log
    might hold one): each recording is a questionnaire of its own, counted (or waiting in
    quarantine) as recorded, and a later decision or correction naming the id reaches every
    recording of it made before. It is the one rule a fold can apply the same whether it
    keeps every record (live) or only those a decision names (replay, audit, ranges):
    ignoring a repeat would mean remembering every id seen, memory that grows with the
    number of questionnaires, where a replay's must stay flat (`fold.keep`)."""

    __slots__ = ("first", "repeats")

    def __init__(self) -> None:
        self.first: dict[str, Questionnaire] = {}
        # Empty for every log survey writes: one list per response id recorded again.
        self.repeats: dict[str, list[Questionnaire]] = {}

    def __len__(self) -> int:
        return len(self.first)

    def add(self, response_id: str, questionnaire: Questionnaire) -> None:
        found = self.first.setdefault(response_id, questionnaire)
        if found is not questionnaire:
            self.repeats.setdefault(response_id, []).append(questionnaire)

    def of(self, response_id: str) -> list[Questionnaire]:
        """Every kept recording of the response id, in log order."""
        first = self.first.get(response_id)
        if first is None:
            return []
        return [first, *self.repeats.get(response_id, ())]


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
