"""A push's rows read one by one: the good ones as commands, the others as problems and what
they still say (`salvage`), to be checked against the wave."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from services.survey.domain.answers import Salvaged
from services.survey.schemas.questionnaires import QuestionnaireIn
from services.survey.schemas.repeated_keys import Place
from services.survey.schemas.salvage import left_out, salvage
from shared.reasons import reason_of


class Rows(NamedTuple):
    good: list[tuple[int, dict[str, Any]]]
    """(index, command) of every row that parses."""
    problems: list[dict[str, Any]]
    """A problem for each that does not."""
    salvaged: list[Salvaged]
    """What each of those still says (`salvage`), to be checked against the wave."""


QUESTIONNAIRES = TypeAdapter(list[QuestionnaireIn])
QUESTIONNAIRE = TypeAdapter(QuestionnaireIn)


Apart = tuple[int, dict[str, Any], Sequence[Place]]
"""(row, a row that is refused already, the places in it that broke): an uploaded sheet's
row with a cell that could not be read (`ParsedSheet.partial`)."""


def parse_rows(
    raw: list[dict[str, Any]],
    prefix: str,
    numbers: list[int] | None = None,
    apart: Sequence[Apart] = (),
) -> Rows:
    """Validate rows at once (the common, clean case), and only on a failure row by row.
    `numbers` are the rows' numbers as the caller knows them (sheet rows); else indexes.
    `apart`: rows refused already, read for what else they say (`parse_apart`)."""
    rows = numbers or list(range(len(raw)))
    try:
        parsed = QUESTIONNAIRES.validate_python(raw)
    except ValidationError:
        found = Rows([], [], [])
        for row, item in zip(rows, raw, strict=True):
            parse_row(row, item, prefix, found)
    else:
        found = Rows([(row, q.command()) for row, q in zip(rows, parsed, strict=True)], [], [])
    for row, item, places in apart:
        parse_apart(row, item, places, prefix, found)
    return found


def parse_apart(
    row: int, item: dict[str, Any], places: Sequence[Place], prefix: str, found: Rows
) -> None:
    """A row refused already for what `places` name (a key named twice, a cell that could
    not be read), read without them: its format problems reported, and what reads kept to
    be checked against the wave (`found.salvaged`, those fields broken), as for a row that
    fails the model. A field left out is not reported missing: its problem is said."""
    kept, broken = left_out(item, places)
    try:
        q = QUESTIONNAIRE.validate_python(kept)
    except ValidationError as error:
        qid = clip(item.get("questionnaire_id"))
        details = [d for d in error.errors(include_url=False) if not _left_out(d, broken)]
        found.problems.extend(problems_of(details, row, qid, prefix))
        salvaged = salvage(row, kept, error)
        if salvaged is not None:
            found.salvaged.append((row, salvaged[1], salvaged[2] | broken))
    else:
        found.salvaged.append((row, q.command(), broken))


def _left_out(detail: ErrorDetails, broken: frozenset[str]) -> bool:
    return detail["type"] == "missing" and bool(detail["loc"]) and detail["loc"][0] in broken


def parse_row(row: int, item: dict[str, Any], prefix: str, found: Rows) -> None:
    try:
        found.good.append((row, QUESTIONNAIRE.validate_python(item).command()))
    except ValidationError as error:
        qid = item.get("questionnaire_id") if isinstance(item, dict) else None
        found.problems.extend(row_problems(error, row, clip(qid), prefix))
        # Only a row that failed is read again, field by field: good rows cost nothing more.
        salvaged = salvage(row, item, error)
        if salvaged is not None:
            found.salvaged.append(salvaged)


def row_problems(error: ValidationError, row: int, qid: Any, prefix: str) -> list[dict[str, Any]]:
    return problems_of(error.errors(include_url=False), row, qid, prefix)


def problems_of(
    details: Sequence[ErrorDetails], row: int, qid: Any, prefix: str
) -> list[dict[str, Any]]:
    return [
        {
            "row": row,
            "questionnaire_id": qid,
            "field": ".".join([prefix, str(row), *(str(part) for part in detail["loc"])]),
            "reason": clip(reason_of(detail)),
            "code": detail["type"],
        }
        for detail in details
    ]


def clip(value: Any) -> Any:
    """What a problem report quotes back stays small (a 90 KB cell must not echo)."""
    if isinstance(value, str) and len(value) > 200:
        return value[:200] + "…"
    return value if isinstance(value, str | int | None) else None
