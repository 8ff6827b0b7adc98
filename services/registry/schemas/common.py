"""Base for every registry request model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
