"""Rectification HTTP API (问题清单 and 整改): thin; every route declares its policy.

Offices and inspectors issue orders to units in their jurisdiction; the unit's keys see an
order and report on it, and no other unit's key does (a legacy unit key, naming no unit,
only if it is named on the order: `unit_principal_id`); inspectors and offices verify;
offices escalate and record re-ratings; offices and inspectors withdraw an order issued in
error (as they withdraw a finding); auditors read everything.

Split by subject: orders (issue, list, read) and handling (report, verification,
escalation, re-rating, withdrawal), over what both share (common.py)."""

from __future__ import annotations

from services.inspection.rectification.api import handling, orders
from services.inspection.rectification.api.common import resolve_rectification
from shared.policy import PolicyRouter

# No tags of its own: each part tags its routes, and FastAPI would list a tag given
# here a second time on every route.
router = PolicyRouter()
router.include_router(orders.router)
router.include_router(handling.router)

__all__ = ["resolve_rectification", "router"]
