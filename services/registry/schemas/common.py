"""Base for every registry request model.

Every string field is `shared.types.Line` (names, labels, codes) or `Prose` (reasons), so
control characters are refused by type, whatever the field is called.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
