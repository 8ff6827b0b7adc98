"""What the survey contract says about one unit's answers, for `pingyi audit verify`: which
questionnaires of a bundle answered the unit and what, and the bundle's messages with one
questionnaire's answer about it changed (`pingyi.audit_narrow` narrows a search with
them before `pingyi.audit_search` bisects).

The contract (shared/contracts/survey.py, survey_batch.py): a `survey.wave.opened` message
names the wave's units in order (`unit_ids`); a `survey.batch.recorded` part carries each
questionnaire's answers as a row in that order (v1: a list of answer texts; v2: a row text of
one character per unit, code k meaning the part's `levels[k - 1]`, `0` not rated); a
`survey.response.recorded` carries a `row` in the same order (v3) or `ratings` by unit id
(before v3); a `survey.response.corrected` carries the answers from then on.

Two questionnaires that give the unit the same answer and agree on everything else the
round's fold reads of them (wave, agency, batch, survey point, channel, group, extras such as
flags, and whether a later decision names them) are interchangeable for the unit's
components: recomputing with either changed gives the same results. So each such class is
tried once, by one of its members, and a difference it explains is explained equally by
every member — which the report says, rather than picking one.

Reads the messages by number from the bundle (`pingyi.audit_stream.Numbered`), decoding only
the survey's questionnaires and decisions. Depends on the contract envelope, the batch
contract's row alphabet, the audit modules and the standard library.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pingyi.audit_pieces import BATCH_RECORDED, Pieces
from pingyi.audit_stream import Numbered
from shared.contracts.envelope import IntegrationMessage
from shared.contracts.survey_batch import ROW_ALPHABET, row_chars

WAVE_OPENED = "survey.wave.opened"
RECORDED = "survey.response.recorded"
CORRECTED = "survey.response.corrected"
WITHDRAWN = "survey.batch.withdrawn"
ANSWERING = frozenset({BATCH_RECORDED, RECORDED, CORRECTED})
"""The messages that give a unit an answer."""
DECISIONS = frozenset(
    {
        CORRECTED,
        "survey.response.voided",
        "survey.response.quarantined",
        "survey.response.released",
        "survey.response.rejected",
    }
)
_NOT_ALIKE = frozenset({"response_id", "questionnaire_id", "collected_at", "row", "ratings"})
"""What the fold does not read of a questionnaire for one unit's components (its ids name
it; `collected_at` is only checked to be a moment; the other units' answers are theirs)."""


@dataclass(frozen=True)
class Answer:
    """Candidate `candidate` (an index of the search's pieces) gives the unit `answer`."""

    candidate: int
    answer: str
    alike: str
    """Canonical text of everything else the fold reads of it: equal text, interchangeable."""


def wave_units(messages: Iterable[IntegrationMessage]) -> dict[str, list[str]]:
    """wave id -> its units in order, as each `survey.wave.opened` says."""
    found: dict[str, list[str]] = {}
    for message in messages:
        if message.event_type == WAVE_OPENED:
            units = message.payload.get("unit_ids")
            if isinstance(units, list):
                found[str(message.payload.get("wave_id"))] = [str(u) for u in units]
    return found


def answers(
    messages: Numbered,
    pieces: Pieces,
    unit_id: str,
    units: Mapping[str, list[str]],
    waves: frozenset[str] | None = None,
) -> list[Answer]:
    """Every candidate that answers the unit (in `waves`, when given), with its answer;
    `units` as `wave_units` reads them. Only the survey's questionnaires and corrections
    are decoded: no other message gives an answer."""
    named = _named(messages.of_types(DECISIONS | {WITHDRAWN}))
    found = []
    for i, message in messages.numbered(ANSWERING):
        first, count, part = pieces.span(i)
        wave = str(message.payload.get("wave_id"))
        if waves is not None and wave not in waves:
            continue
        for j in range(count) if part else (None,):
            try:
                read = _answer(message, j, unit_id, units.get(wave), named)
            except (AttributeError, IndexError, KeyError, TypeError, ValueError):
                continue  # a malformed message is no answer here; the bisection still sees it
            if read is not None:
                alike = json.dumps(read[1], sort_keys=True, ensure_ascii=False, default=str)
                found.append(Answer(first + (j or 0), read[0], alike))
    return found


def _named(messages: Iterable[IntegrationMessage]) -> set[str]:
    """Response and batch ids a later decision names (a correction, void, withdrawal …)."""
    found = set()
    for message in messages:
        if message.event_type in DECISIONS:
            found.add(str(message.payload.get("response_id")))
        elif message.event_type == WITHDRAWN:
            found.add(str(message.payload.get("batch_id")))
    return found


def _answer(
    message: IntegrationMessage,
    j: int | None,
    unit_id: str,
    units: list[str] | None,
    named: set[str],
) -> tuple[str, dict[str, Any]] | None:
    """(answer, what else the fold reads of it) of the candidate, None if it gives none."""
    payload = message.payload
    kind = message.event_type
    if kind == BATCH_RECORDED and j is not None and units and unit_id in units:
        return _batch_answer(message, j, units.index(unit_id), named)
    if kind == RECORDED and j is None:
        row = payload.get("row")
        if row is not None:
            given = row[units.index(unit_id)] if units and unit_id in units else None
        else:
            given = (payload.get("ratings") or {}).get(unit_id)
        alike = {k: v for k, v in payload.items() if k not in _NOT_ALIKE}
        return _given(given, alike | _whether_named(payload, named), kind)
    if kind == CORRECTED and j is None:
        given = ((payload.get("answers") or {}).get("ratings") or {}).get(unit_id)
        return _given(given, dict(payload), kind)  # each correction its own
    return None


def _given(answer: Any, alike: dict[str, Any], kind: str) -> tuple[str, dict[str, Any]] | None:
    if not isinstance(answer, str) or not answer:
        return None
    return answer, alike | {"kind": kind, "answer": answer}


def _whether_named(item: Mapping[str, Any], named: set[str]) -> dict[str, Any]:
    response = str(item.get("response_id"))
    return {"named": response if response in named else None}


def _batch_answer(
    message: IntegrationMessage, j: int, u: int, named: set[str]
) -> tuple[str, dict[str, Any]] | None:
    payload = message.payload
    part = {key: payload.get(key) for key in ("wave_id", "agency_id", "batch_id")} | {
        "batch_named": str(payload.get("batch_id")) in named
    }
    if message.schema_version == 1:
        q = payload["questionnaires"][j]
        alike = {k: v for k, v in q.items() if k not in _NOT_ALIKE}
        return _given(q["row"][u], part | alike | _whether_named(q, named), BATCH_RECORDED)
    code = ROW_ALPHABET.index(payload["rows"][j][u])
    extra: dict[str, Any] = next(
        (e for e in payload.get("extras") or () if e.get("index") == j), {}
    )
    alike = {
        "point": payload["survey_points"][j],
        "channel": payload["channels"][j],
        "group": payload["groups"][j],
        "extra": {k: v for k, v in extra.items() if k != "index"},
        "named": _whether_named({"response_id": payload["response_ids"][j]}, named)["named"],
    }
    answer = payload["levels"][code - 1] if code else None
    return _given(answer, part | alike, BATCH_RECORDED)


def with_answer(
    message: IntegrationMessage, j: int | None, units: list[str], unit_id: str, level: str
) -> IntegrationMessage:
    """The candidate's message (questionnaire `j` of a part) with its answer about the unit
    changed to `level`; `units` its wave's."""
    payload = message.payload
    changed: dict[str, Any]
    if message.event_type == BATCH_RECORDED and j is not None:
        changed = _batch_with(message, j, units.index(unit_id), level)
    elif message.event_type == RECORDED and payload.get("row") is not None:
        row = list(payload["row"])
        row[units.index(unit_id)] = level
        changed = {**payload, "row": row}
    elif message.event_type == RECORDED:
        changed = {**payload, "ratings": {**payload["ratings"], unit_id: level}}
    else:  # a correction
        given = payload["answers"]
        changed = {**payload, "answers": {**given, "ratings": {**given["ratings"], unit_id: level}}}
    return message.model_copy(update={"payload": changed})


def _batch_with(message: IntegrationMessage, j: int, u: int, level: str) -> dict[str, Any]:
    payload = message.payload
    if message.schema_version == 1:
        inside = list(payload["questionnaires"])
        row = list(inside[j]["row"])
        row[u] = level
        inside[j] = {**inside[j], "row": row}
        return {**payload, "questionnaires": inside}
    levels = list(payload["levels"])
    if level not in levels:
        levels.append(level)
    rows = list(payload["rows"])
    rows[j] = rows[j][:u] + row_chars(levels)[level] + rows[j][u + 1 :]
    return {**payload, "levels": levels, "rows": rows}


def level_counts(component: Any) -> dict[str, int] | None:
    """A survey component's answers per level (`inputs.counts`), None for another kind."""
    inputs = component.get("inputs") if isinstance(component, dict) else None
    counts = inputs.get("counts") if isinstance(inputs, dict) else None
    if not isinstance(counts, dict):
        return None
    return {str(k): v for k, v in counts.items() if type(v) is int}


def component_waves(*components: Any) -> frozenset[str] | None:
    """The waves the component counted, in the bundle's results or recomputed."""
    found: set[str] = set()
    for component in components:
        inputs = component.get("inputs") if isinstance(component, dict) else None
        waves = inputs.get("waves") if isinstance(inputs, dict) else None
        found.update(str(w) for w in waves or ())
    return frozenset(found) or None
