"""Registry API for people (issue 3)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["representatives 评议代表"])
