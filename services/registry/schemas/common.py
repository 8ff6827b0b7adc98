"""Base for every registry request model, and the appointment cycle as a request reads it.

Every string field is `shared.types.Line` (names, labels, codes) or `Prose` (reasons), so
control characters are refused by type, whatever the field is called.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints

from services.registry.domain.person_values import CYCLE_WORDS
from shared.types import Line

CYCLE = r"^\d{4}(-\d{4})?$"


class In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _cycle(value: object) -> object:
    # The pattern's own refusal quotes a regular expression, which no office reads; text
    # that is no cycle ("2026年") is said in words first, as inspection's month is (other
    # input is left to the types below).
    if isinstance(value, str) and not re.match(CYCLE, value.strip()):
        raise ValueError(CYCLE_WORDS)
    return value


CycleText = Annotated[
    Line, StringConstraints(min_length=4, max_length=9, pattern=CYCLE), BeforeValidator(_cycle)
]
"""An appointment or draw cycle (届期) as written: `2026` or `2026-2027`; whether it is one
or two consecutive years is the domain's `Cycle.parse`."""
