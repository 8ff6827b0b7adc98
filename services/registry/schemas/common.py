"""Base for every registry request model."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

# Names end up in files, headers and reports: line breaks and other control characters in
# them are always mistakes (or attempts to forge a header or a CSV row).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Free text (reasons, summaries) may span lines; these are one-line labels.
_ONE_LINE_FIELDS = frozenset(
    {"name", "short_name", "vertical_superior", "category", "categories", "credit_code", "topic"}
)


class In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name not in _ONE_LINE_FIELDS:
            return value
        texts = value if isinstance(value, list | tuple) else [value]
        if any(isinstance(text, str) and _CONTROL.search(text) for text in texts):
            raise ValueError("must not contain line breaks or other control characters")
        return value
