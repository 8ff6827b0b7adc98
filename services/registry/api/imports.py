"""Registry API for imports and exports (issue 3)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["import/export 导入导出"])
