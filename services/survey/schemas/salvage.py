"""What a pushed row that is no questionnaire still says: its fields that read on their own.

A row refused by the model (a malformed `collected_at`, a unit id that is no id) is still
checked against the wave for everything its other fields let judge (an unknown point, an
answer off the scale for another unit, ...), so that an agency fixes every problem of the
row in one round trip instead of one per kind. Only rows that failed pay for it: a good
row never comes here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import Field, TypeAdapter, ValidationError

from services.survey.domain.answers import Salvaged
from services.survey.schemas.questionnaires import QuestionnaireIn
from services.survey.schemas.repeated_keys import same_key
from shared.types import Line, Moment

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


_ENTRY_DEPTH = {"ratings": 1, "dimension_ratings": 2}
"""How deep a place in these fields names what broke: a unit's rating; a unit's answer on
one dimension (a unit named twice: all its dimension answers)."""


def left_out(
    item: dict[str, Any], places: Iterable[tuple[str | int, ...]]
) -> tuple[dict[str, Any], frozenset[str]]:
    """`item` without what `places` name (a key named twice, a sheet's cell that could not
    be read), keys compared as the models read them (`same_key`), and the top-level fields
    they lie in. An entry of `ratings` or `dimension_ratings` is left out alone, as
    `salvage` leaves one out; any other place leaves its whole field out."""
    kept = dict(item)
    broken: set[str] = set()
    for place in places:
        name = same_key(str(place[0]))
        broken.add(name)
        path = place[1 : 1 + _ENTRY_DEPTH.get(name, 0)]
        if path:
            if name in kept:  # not when the whole field is left out already
                kept[name] = _without(kept[name], path)
        else:
            for key in [key for key in kept if same_key(key) == name]:
                del kept[key]
    return kept, frozenset(broken)


def _without(entries: Any, path: tuple[str | int, ...]) -> Any:
    if not isinstance(entries, dict):
        return entries  # what is not an object is the model's to refuse
    key = same_key(str(path[0]))
    if len(path) == 1:
        return {name: value for name, value in entries.items() if same_key(name) != key}
    return {
        name: _without(value, path[1:]) if same_key(name) == key else value
        for name, value in entries.items()
    }
