"""Registry API for draws (issue 3)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["draws 随机抽取"])
