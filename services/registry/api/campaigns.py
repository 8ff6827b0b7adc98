"""Registry API for campaigns (issue 3)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["campaigns 评议活动"])
