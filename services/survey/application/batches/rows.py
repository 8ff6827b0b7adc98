"""A questionnaire row: as reported when bad, expanded from its compact form, screened, and
stored (`Response.Recorded` fields)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import orjson

from services.survey.domain import Problem
from services.survey.integrity import PATTERN_ROW_TEXT, Candidate
from shared.contracts.survey_batch import NOT_RATED

_PATTERN_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS

Row = tuple[int, dict[str, Any]]
"""(index in the request or the uploaded sheet's row number, the questionnaire's fields)."""


ColumnOf = Callable[[int, str], str | None]
"""An uploaded sheet's column of a problem: (row, the questionnaire's field) → its header."""


def problem(
    row: int,
    questionnaire_id: Any,
    field: str,
    reason: str,
    code: str,
    column: str | None = None,
) -> dict[str, Any]:
    """A row's problem as a batch reports it; `column` (an upload's header of the field)
    only when there is one, so a JSON push's problems keep their shape."""
    found = {
        "row": row,
        "questionnaire_id": questionnaire_id,
        "field": field,
        "reason": reason,
        "code": code,
    }
    return found if column is None else found | {"column": column}


def repeated_problem(q: dict[str, Any], first: int, member: Any) -> Problem:
    """`q` repeats the questionnaire (or the panel member) of row `first` of its batch;
    `member`: the panel member `q` is the questionnaire of (`Intake._member`), None
    where its id is the agency's questionnaire id."""
    if member is not None:
        reason = f"评议代表与第 {first} 行重复 (panel member repeats row {first})"
    else:
        reason = f"问卷编号与第 {first} 行重复 (questionnaire id repeats row {first})"
    return Problem("questionnaire_id", reason, "repeated")


def expand_row(q: dict[str, Any], units: list[str]) -> tuple[dict[str, Any], list[Problem]]:
    """A questionnaire's compact `row` (one answer per unit, in the wave's order) as the
    `ratings` it stands for; what is stored and published is the same either way."""
    row = q.get("row")
    if row is None:
        return q, []
    if q["ratings"]:
        return q, [
            Problem(
                "row", "只能填 ratings 或 row 其中之一 (give `ratings` or `row`, not both)", "row"
            )
        ]
    if len(row) != len(units):
        reason = (
            f"须按本次评议的单位逐一作答, 应为 {len(units)} 项, 实为 {len(row)} 项 "
            f"(one answer per unit of the wave: {len(units)}, not {len(row)})"
        )
        return q, [Problem("row", reason, "row")]
    ratings = {unit: answer for unit, answer in zip(units, row, strict=True) if answer is not None}
    # The row as given is kept apart (`unit_row` uses it as it is); `row` itself reads as
    # absent, as for a questionnaire sent with `ratings`.
    return q | {"ratings": ratings, "row": None, "given_row": list(row)}, []


def checked_row_text(
    q: dict[str, Any], units: list[str], chars: dict[str | None, str]
) -> str | None:
    """The questionnaire's overall answers as its row text (`chars`: `row_chars` of the
    wave's scale), made in one pass that also checks them: every answer one of the scale's,
    every rated unit one of the wave's, at least one rated. None if any of that fails, and
    the `Checker` then says what is wrong, as it would have anyway."""
    given: list[str | None] | None = q.get("given_row")
    ratings: dict[str, str] = q["ratings"]
    if not ratings:
        return None
    answers = given if given is not None else map(ratings.get, units)
    try:
        text = "".join(map(chars.__getitem__, answers))
    except (KeyError, TypeError):  # an answer of another scale (or none at all)
        return None
    # Keys are distinct, so as many rated units as ratings means every key is a wave unit;
    # a rating of "" (no answer of any scale) reads as not rated and fails the same way.
    if len(text) - text.count(NOT_RATED) != len(ratings):
        return None
    return text


def pattern_of(q: dict[str, Any], text: str, form: str, units: list[str]) -> str:
    """What identical questionnaires share, in the form the wave's integrity state was begun
    with (`WaveIntegrityState.pattern_form`): equal answers, equal pattern, within a wave.
    "row_text": the row text, then the other answers' JSON if there are any (a wave's row
    texts have one length, so the two never run together). "answers_json", the form before:
    the JSON of the answers laid out by unit, which costs a list and an encoding more."""
    others = (q["dimension_ratings"], q["opinions"], q["recommended_key_targets"])
    if form == PATTERN_ROW_TEXT:
        if not any(others):
            return text
        return text + orjson.dumps(list(others), option=_PATTERN_OPTIONS).decode("utf-8")
    row = unit_row(q, units)
    pattern = orjson.dumps([row, *others] if any(others) else row, option=_PATTERN_OPTIONS)
    return pattern.decode("utf-8")


def candidate(q: dict[str, Any], agency_id: str, pattern: str) -> Candidate:
    return Candidate(
        questionnaire_id=q["questionnaire_id"],
        collected_at=q["collected_at"],
        survey_point=q["survey_point"],
        device=q["device"],
        agency_id=agency_id,
        pattern=pattern,
        ratings=q["ratings"],
    )


def answers_of(q: dict[str, Any]) -> dict[str, Any]:
    return {
        "ratings": q["ratings"],
        "dimension_ratings": q["dimension_ratings"],
        "opinions": q["opinions"],
        "recommended_key_targets": q["recommended_key_targets"],
    }


def unit_row(q: dict[str, Any], units: list[str]) -> list[str | None]:
    """The overall answers in the wave's unit order: the compact row as given, or the
    `ratings` laid out by unit."""
    given: list[str | None] | None = q.get("given_row")
    if given is not None:
        return given
    ratings: dict[str, str] = q["ratings"]
    return list(map(ratings.get, units))


def part_entry(
    response_id: UUID, q: dict[str, Any], row: str, flags: list[dict[str, str]]
) -> dict[str, Any]:
    """The questionnaire as its batch part holds it (`BatchQuestionnaire`'s fields, the row
    as its row text `checked_row_text`): what `recorded_fields` says of it, less what the part says
    once for all (wave, agency, batch, levels)."""
    # Every value JSON's own (the time as its ISO text): the part's stored state is
    # encoded without a call back into Python per questionnaire.
    entry: dict[str, Any] = {
        "response_id": str(response_id),
        "questionnaire_id": q["questionnaire_id"],
        "survey_point": q["survey_point"],
        "collected_at": q["collected_at"].isoformat(),
        "row": row,
    }
    return entry | _present(q, flags=flags)


def recorded_fields(
    wave_id: UUID,
    q: dict[str, Any],
    agency_id: UUID,
    batch_id: UUID | None,
    flags: list[dict[str, str]],
    units: list[str],
) -> dict[str, Any]:
    """The `Response.Recorded` fields: the overall answers as a row in the wave's unit order
    (a fifth of the bytes of a dict keyed by unit ids, in the log and on the stream), and
    optional parts only when present, so a plain questionnaire stays small."""
    ratings: dict[str, str] = q["ratings"]
    details: dict[str, Any] = {
        "agency_id": str(agency_id),
        "row": [ratings.get(unit) for unit in units],
    }
    batch = None if batch_id is None else str(batch_id)
    details |= _present(q, batch_id=batch, flags=flags)
    return {
        "wave_id": wave_id,
        "questionnaire_id": q["questionnaire_id"],
        "survey_point": q["survey_point"],
        "collected_at": q["collected_at"],
        "ratings": {},
        "details": details,
    }


def _present(q: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The questionnaire's optional parts that it has (ids as text), and `extra` where
    given: a plain questionnaire stays small wherever it is stored."""
    optional = {
        "dimension_ratings": q["dimension_ratings"],
        "opinions": q["opinions"],
        "recommended_key_targets": q["recommended_key_targets"],
        "channel": q["channel"],
        "group": q["group"],
        "district_id": None if q["district_id"] is None else str(q["district_id"]),
        "device": q["device"],
        "respondent_id": None if q["respondent_id"] is None else str(q["respondent_id"]),
        **extra,
    }
    return {name: value for name, value in optional.items() if value}
