"""Assessment HTTP API: thin; every rule is in the domain, every route's authorization in its
declared policy. Offices (and admins) write; auditors read; a unit reads what concerns it.
Split by subject: scores (scores.py) and the decisions that override them (decisions.py)."""

from __future__ import annotations

from services.inspection.assessments.api import decisions, scores
from services.inspection.assessments.api.common import RESOLVERS
from shared.policy import PolicyRouter

# No tags of its own: each part tags its routes, and FastAPI would list a tag given
# here a second time on every route (tests/inspection/test_openapi_tags.py).
router = PolicyRouter()
router.include_router(scores.router)
router.include_router(decisions.router)

__all__ = ["RESOLVERS", "router"]
