"""A unit named by something that is not its id, said as a unit id, not as a pattern.

A key of `ratings` or `dimension_ratings` that is no unit id (an agency typing the unit's
name, `{"区人力资源局": "满意"}`) was refused by the key's pattern: `格式不符 (String should
match pattern '^[0-9a-fA-F]{8}-…$')` at `ratings.区人力资源局.[key]`, a regular expression
an agency or a voter cannot read. The dict is still checked at C speed; only a dict that
fails is looked at again, in Python, to say so at the unit's own place."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError, ValidatorFunctionWrapHandler, WrapValidator
from pydantic_core import InitErrorDetails, PydanticCustomError

_KEY = "[key]"


def _said_as_unit_ids(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError as error:
        raise ValidationError.from_exception_data(
            error.title, [_reworded(detail) for detail in error.errors(include_url=False)]
        ) from None


def _reworded(detail: Any) -> InitErrorDetails:
    loc = tuple(detail["loc"])
    if detail["type"] == "string_pattern_mismatch" and loc and loc[-1] == _KEY:
        # uuid_parsing, as every other id that is no id reads (须为 UUID 格式的编号)
        return {
            "type": PydanticCustomError(
                "uuid_parsing",
                "a unit is named by its unit id (a UUID), not by its name: “{key}”",
                {"key": str(detail["input"])[:200]},
            ),
            "loc": loc[:-1],
            "input": detail["input"],
        }
    found: InitErrorDetails = {"type": detail["type"], "loc": loc, "input": detail["input"]}
    if "ctx" in detail:
        found["ctx"] = detail["ctx"]
    return found


UNIT_IDS = WrapValidator(_said_as_unit_ids)
"""On a dict keyed by `UnitKey`: a key that is no unit id is `uuid_parsing` at the unit's
own place (`ratings.<key>`), its reason naming what was typed."""
