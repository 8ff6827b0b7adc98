"""Inspection area: assessments (评议组评分) and the decisions that override scores (一票否决,
取消评议成绩, 评议代表违纪). Exports what the service is assembled from (see main.py):
`Commands` (a mixin of the application), `router`, `VIEWS`, `RESOLVERS`, `MAPPERS`
(stored event class -> function building its published contract)."""

from __future__ import annotations

from services.inspection.assessments.api import RESOLVERS, router
from services.inspection.assessments.application import Commands
from services.inspection.assessments.integration import MAPPERS
from services.inspection.assessments.views import VIEWS

__all__ = ["MAPPERS", "RESOLVERS", "VIEWS", "Commands", "router"]
