"""Registry API models for people (issue 3)."""

from __future__ import annotations
