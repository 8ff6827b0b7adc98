"""Complaints HTTP API, split by subject: complaints (intake to callback) and hotline
appearances, over what both share (common.py). Every route declares its policy."""

from __future__ import annotations

from services.inspection.complaints.api import complaints, hotline
from services.inspection.complaints.api.common import RESOLVERS
from shared.policy import PolicyRouter

# No tags of its own: each part tags its routes, and FastAPI would list a tag given
# here a second time on every route (tests/inspection/test_openapi_tags.py).
router = PolicyRouter()
router.include_router(complaints.router)
router.include_router(hotline.router)

__all__ = ["RESOLVERS", "router"]
