"""Registry API models for campaigns (issue 3)."""

from __future__ import annotations
