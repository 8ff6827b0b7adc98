"""Registry aggregates for draws (issue 3)."""

from __future__ import annotations
