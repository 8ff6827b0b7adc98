"""What a pushed row that is no questionnaire still says: its fields that read on their own.

A row refused by the model (a malformed `collected_at`, a unit id that is no id) is still
checked against the wave for everything its other fields let judge (an unknown point, an
answer off the scale for another unit, ...), so that an agency fixes every problem of the
row in one round trip instead of one per kind. Only rows that failed pay for it: a good
row never comes here.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, TypeAdapter, ValidationError

from services.survey.schemas.questionnaires import QuestionnaireIn
from shared.types import Line, Moment

Salvaged = tuple[int, dict[str, Any], frozenset[str]]
"""(row, the questionnaire's fields that read, as `QuestionnaireIn.command` gives them,
the top-level fields that did not: left out, or read without their broken entries)."""

_BY_ENTRY = frozenset({"ratings", "dimension_ratings"})
"""Fields whose entries are named by unit id, not by position: a broken entry is left out
and the others still judged under their own names. A broken opinion or recommendation
leaves its whole list out, since dropping one would renumber those after it."""


class PartialQuestionnaireIn(QuestionnaireIn):
    """The fields a row must have, optional: a row whose id or time is broken still has
    its other fields judged."""

    questionnaire_id: Line | None = Field(default=None, min_length=1, max_length=100)  # type: ignore[assignment]
    collected_at: Moment | None = None  # type: ignore[assignment]


_PARTIAL = TypeAdapter(PartialQuestionnaireIn)


def salvage(row: int, item: Any, error: ValidationError) -> Salvaged | None:
    """The fields of `item` that `error` does not name, read; None where nothing can be
    (the row is no object, or what is left still fails: then its format problems come
    alone)."""
    if not isinstance(item, dict):
        return None
    kept = dict(item)
    broken: set[str] = set()
    for detail in error.errors(include_url=False):
        loc = detail["loc"]
        if not loc or not isinstance(loc[0], str):
            return None
        name = loc[0]
        broken.add(name)
        entries = kept.get(name)
        if name in _BY_ENTRY and len(loc) > 1 and isinstance(entries, dict):
            kept[name] = {key: value for key, value in entries.items() if key != loc[1]}
        else:
            kept.pop(name, None)
    try:
        partial = _PARTIAL.validate_python(kept)
    except ValidationError:
        return None
    return row, partial.command(), frozenset(broken)
