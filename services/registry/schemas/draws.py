"""Registry API models for draws (issue 3)."""

from __future__ import annotations
