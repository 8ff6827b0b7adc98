"""The columns of a `survey.batch.recorded` v2 part (`survey_batch.py`) and how they are
checked and built without validating a part's questionnaires one by one: `BatchExtra` (the
optional fields), the check the part's validator runs, the columns and extras as JSON from
JSON-valued questionnaires (v1's or the producer's), and a `ResponseRecorded` made from
validated columns.

Apart from `survey_batch.py` for its size; it re-exports the public names here, so
`from shared.contracts.survey_batch import BatchExtra` stays the way to name them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import Field, TypeAdapter

from shared.contracts.survey_batch_rows import row_codes
from shared.contracts.survey_responses import ResponseRecorded
from shared.contracts.survey_vocabulary import (
    DimensionRatings,
    Flags,
    KeyTargets,
    Opinions,
    _Part,
)


class BatchExtra(_Part):
    """The optional fields of the questionnaire at `index`, present only where one is set."""

    index: int = Field(ge=0)
    dimension_ratings: DimensionRatings = Field(default_factory=dict)
    opinions: Opinions = ()
    recommended_key_targets: KeyTargets = ()
    district_id: UUID | None = None
    device: str | None = None
    respondent_id: UUID | None = None
    flags: Flags = ()


EXTRA_FIELDS: tuple[str, ...] = tuple(name for name in BatchExtra.model_fields if name != "index")
_EXTRA_FIELD_SET = frozenset(EXTRA_FIELDS)


def column_problem(
    levels: Sequence[str],
    response_ids: Sequence[Any],
    rows: Sequence[str],
    extras: Sequence[BatchExtra],
    columns: Iterable[Sequence[Any]],
) -> str | None:
    """Why the columns of a part do not make a part, or None."""
    count = len(response_ids)
    if len(set(levels)) != len(levels) or not all(levels):
        return "levels must be distinct, non-empty answers"
    if len(rows) != count or any(len(column) != count for column in columns):
        return "every column must hold one entry per response id"
    width = len(rows[0])
    for row in rows:
        codes = row_codes(row)
        if codes is None or len(codes) != width or (codes and max(codes) > len(levels)):
            return f"a row must be {width} characters, each 0 or a level's code"
    indices = [extra.index for extra in extras]
    if indices != sorted(set(indices)) or (indices and indices[-1] >= count):
        return "extras must name distinct questionnaires of the part, in order"
    return None


_MOMENT = TypeAdapter(datetime)
_AS_PYDANTIC_WRITES = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")
"""ISO text that pydantic writes back unchanged: whole seconds and an offset in minutes,
other than UTC (which it writes `Z`)."""


def _moment_json(moment: str | datetime) -> Any:
    if (
        isinstance(moment, str)
        and not moment.endswith("+00:00")
        and _AS_PYDANTIC_WRITES.fullmatch(moment)
    ):
        return moment  # half a part's encoding time went to parsing and writing it back
    return _MOMENT.dump_python(
        datetime.fromisoformat(moment) if isinstance(moment, str) else moment, mode="json"
    )


def columns_of(questionnaires: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The per-questionnaire columns of JSON-valued questionnaires (v1's or prepared)."""
    return {
        "response_ids": [q["response_id"] for q in questionnaires],
        "questionnaire_ids": [q["questionnaire_id"] for q in questionnaires],
        "survey_points": [q["survey_point"] for q in questionnaires],
        "collected_at": [_moment_json(q["collected_at"]) for q in questionnaires],
        "channels": [q.get("channel") for q in questionnaires],
        "groups": [q.get("group") for q in questionnaires],
    }


def extras_of(questionnaires: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`BatchExtra` as JSON for every questionnaire with an optional field set."""
    extras: list[dict[str, Any]] = []
    for index, q in enumerate(questionnaires):
        # Most questionnaires hold none of the fields at all: one set operation says so.
        if q.keys().isdisjoint(_EXTRA_FIELD_SET) or not any(q.get(n) for n in EXTRA_FIELDS):
            continue
        extras.append(
            {
                "index": index,
                "dimension_ratings": q.get("dimension_ratings") or {},
                "opinions": [
                    {"unit_id": o.get("unit_id"), "text": o["text"]}
                    for o in q.get("opinions") or ()
                ],
                "recommended_key_targets": list(q.get("recommended_key_targets") or ()),
                "district_id": q.get("district_id"),
                "device": q.get("device"),
                "respondent_id": q.get("respondent_id"),
                "flags": [{"code": f["code"], "detail": f["detail"]} for f in q.get("flags") or ()],
            }
        )
    return extras


def constructed(cls: type[ResponseRecorded], values: dict[str, Any]) -> ResponseRecorded:
    """What `model_construct` makes when every field is given, for a model without extras
    or private attributes."""
    made = cls.__new__(cls)
    object.__setattr__(made, "__dict__", values)
    object.__setattr__(made, "__pydantic_fields_set__", set(values))
    object.__setattr__(made, "__pydantic_extra__", None)
    object.__setattr__(made, "__pydantic_private__", None)
    return made
