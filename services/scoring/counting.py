"""The rules for folding upstream facts into tallies and a roster.

The aggregates in `domain.py` and the auditor's replay in `replay.py` both call these
functions and nothing else to change counts or roster entries, so the state a score was
computed from and the state replay rebuilds from the upstream logs cannot drift apart.

What counts (the survey contracts' rules, `shared.contracts.survey`): a questionnaire recorded
without flags counts at once; one recorded with flags, or quarantined later, waits until it is
released; a rejection, a void or its batch's withdrawal ends it for good (un-counting it if
it counted); a correction replaces its ratings (moving them in the counts if it counts). Every
questionnaire a wave has seen has a `ResponseRecord` (its status and latest ratings);
`decide` says what one decision makes of it and `apply_record` moves the counts.

After a wave's close its counts are frozen: the final run was computed at the close.
Decisions that arrive after the close still apply, and make the wave owe a new final run
(`Outcome.late`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
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
from shared.contracts.survey import (
    BatchWithdrawn,
    Rating,
    ResponseCorrected,
    ResponseQuarantined,
    ResponseRecorded,
    ResponseRejected,
    ResponseReleased,
    ResponseVoided,
    Scale,
    WaveClosed,
    WaveOpened,
)

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


def remove_ratings(counts: Counts, ratings: Mapping[str, str]) -> None:
    """Un-count one questionnaire counted with `ratings` (the inverse of `add_ratings`)."""
    for unit_id, rating in ratings.items():
        unit = counts.get(unit_id)
        if unit is not None:
            unit[rating] = unit.get(rating, 0) - 1


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


# --- questionnaires and the decisions about them --------------------------------------------

COUNTED = "counted"
QUARANTINED = "quarantined"
REJECTED = "rejected"
VOIDED = "voided"
WITHDRAWN = "withdrawn"
"""A questionnaire's status (`shared.contracts.survey.ResponseStatus`): only `counted` ones
are scored; `quarantined` ones may still be released; the other three are final."""

DecisionKind = Literal[
    "recorded", "quarantined", "released", "rejected", "voided", "withdrawn", "corrected"
]

_STATUS_AFTER: dict[tuple[str, str], str] = {
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

SCORED_SCALES = frozenset({Scale.THREE_LEVEL.value, Scale.FOUR_LEVEL.value})
"""Scales whose answers are levels of `RATINGS`, the only ones today's scheme scores."""
SCALE_NOT_SUPPORTED = "scale not supported by scheme satisfaction yet"

SURVEY_FACTS = frozenset(
    cls.event_type
    for cls in (
        WaveOpened,
        ResponseRecorded,
        ResponseCorrected,
        ResponseVoided,
        ResponseQuarantined,
        ResponseReleased,
        ResponseRejected,
        BatchWithdrawn,
        WaveClosed,
    )
)
"""Every survey message scoring folds."""


class ResponseRecord(TypedDict):
    """What scoring knows of one questionnaire in a wave."""

    questionnaire_id: str
    status: str
    ratings: dict[str, str]
    """Its latest ratings (unit_id -> answer), sorted by unit id."""


class ResponseChange(TypedDict):
    """The record a questionnaire has from a decision on (stored in the tally's events)."""

    response_id: str
    questionnaire_id: str
    status: str
    ratings: dict[str, str]


@dataclass(frozen=True)
class Decision:
    """One thing a survey message says about one questionnaire."""

    kind: DecisionKind
    response_id: str
    questionnaire_id: str = ""
    ratings: Mapping[str, str] | None = None
    flagged: bool = False


@dataclass
class Outcome:
    """What a run of decisions about one wave does to it."""

    changes: list[ResponseChange] = field(default_factory=list)
    """New records, in order (a questionnaire may appear more than once)."""
    position: int | None = None
    """The upstream position of the last decision that changed something."""
    refused: list[str] = field(default_factory=list)
    """Questionnaires recorded again, or recorded after the close: not counted."""
    late: int = 0
    """Decisions that changed a questionnaire of a wave already closed (its final run is
    owed again)."""


def unscored_scale(payload: WaveOpened) -> str | None:
    """The scale of a wave today's scheme cannot score, or None when it can (a wave opened
    without a template is a v1 wave: four-level)."""
    template = payload.template
    if template is None or template.scale.value in SCORED_SCALES:
        return None
    return template.scale.value


UnitsOf = Callable[[str], Sequence[str] | None]
"""wave id -> the wave's units in order (its `unit_ids` when opened), None if never seen."""


def decisions_of(
    payload: IntegrationPayload, units_of: UnitsOf
) -> tuple[str, list[Decision]] | None:
    """The wave a survey message is about and its decisions about questionnaires, or None
    when it decides nothing about questionnaires (a wave opened or closed, anything else).
    A questionnaire's compact row is read against its wave's units (`units_of`); for a wave
    never seen open it has no ratings (its decisions are dropped with the wave)."""
    if isinstance(payload, ResponseRecorded):
        units = units_of(str(payload.wave_id))
        ratings = payload.ratings_in(units) if units is not None else {}
        recorded = Decision(
            "recorded",
            str(payload.response_id),
            payload.questionnaire_id,
            ratings_of(ratings),
            flagged=bool(payload.flags),
        )
        return str(payload.wave_id), [recorded]
    if isinstance(payload, ResponseCorrected):
        corrected = Decision(
            "corrected", str(payload.response_id), ratings=ratings_of(payload.answers.ratings)
        )
        return str(payload.wave_id), [corrected]
    if isinstance(payload, BatchWithdrawn):
        ids = dict.fromkeys(str(response_id) for response_id in payload.response_ids)
        return str(payload.wave_id), [Decision("withdrawn", r) for r in ids]
    for contract, kind in _STATUS_DECISIONS:
        if isinstance(payload, contract):
            return str(payload.wave_id), [Decision(kind, str(payload.response_id))]
    return None


_STATUS_DECISIONS: tuple[tuple[type[Any], DecisionKind], ...] = (
    (ResponseQuarantined, "quarantined"),
    (ResponseReleased, "released"),
    (ResponseRejected, "rejected"),
    (ResponseVoided, "voided"),
)


def decide(current: ResponseRecord | None, decision: Decision) -> ResponseRecord | None:
    """The questionnaire's record after `decision` (`current`: its record before, None if
    never recorded), or None when the decision changes nothing: a questionnaire is recorded
    once; decisions about one never recorded, or already final, change nothing; a
    correction replaces the ratings of a questionnaire that counts or may still count."""
    if decision.kind == "recorded":
        if current is not None:
            return None
        return {
            "questionnaire_id": decision.questionnaire_id,
            "status": QUARANTINED if decision.flagged else COUNTED,
            "ratings": dict(decision.ratings or {}),
        }
    if current is None:
        return None
    if decision.kind == "corrected":
        ratings = dict(decision.ratings or {})
        if current["status"] not in (COUNTED, QUARANTINED) or ratings == current["ratings"]:
            return None
        return {**current, "ratings": ratings}
    status = _STATUS_AFTER.get((current["status"], decision.kind))
    if status is None:
        return None
    return {**current, "status": status}


def fold_decisions(
    records: Mapping[str, ResponseRecord],
    closed: bool,
    decisions: Sequence[tuple[Decision, int]],
) -> Outcome:
    """What (decision, upstream position) pairs, in log order, do to a wave whose
    questionnaires are `records`. A closed wave takes no new questionnaire (survey never
    records one after the close), but decisions about its questionnaires still apply — an
    office reviews the quarantine, an agency found cheating has its batch withdrawn — and
    are counted in `late`: the wave then owes a new final run."""
    outcome = Outcome()
    pending: dict[str, ResponseRecord] = {}
    for decision, position in decisions:
        response_id = decision.response_id
        current = pending.get(response_id) or records.get(response_id)
        refused = closed and decision.kind == "recorded"
        record = None if refused else decide(current, decision)
        if record is None:
            if decision.kind == "recorded":
                outcome.refused.append(decision.response_id)
            continue
        if closed:
            outcome.late += 1
        pending[decision.response_id] = record
        outcome.changes.append(
            {
                "response_id": decision.response_id,
                "questionnaire_id": record["questionnaire_id"],
                "status": record["status"],
                "ratings": record["ratings"],
            }
        )
        outcome.position = position
    return outcome


def apply_change(
    counts: Counts,
    counted: dict[str, str],
    records: dict[str, ResponseRecord],
    change: ResponseChange,
) -> None:
    """Make `change` the questionnaire's record: its old ratings leave the counts if it
    counted, its new ones enter them if it counts now. Never refuses."""
    response_id = change["response_id"]
    old = records.get(response_id)
    if old is not None and old["status"] == COUNTED:
        remove_ratings(counts, old["ratings"])
    records[response_id] = {
        "questionnaire_id": change["questionnaire_id"],
        "status": change["status"],
        "ratings": dict(change["ratings"]),
    }
    if change["status"] == COUNTED:
        add_ratings(counts, change["ratings"])
        counted[response_id] = change["questionnaire_id"]
    else:
        counted.pop(response_id, None)
