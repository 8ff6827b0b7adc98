"""Inspection area: assessments (评议组评分) and the decisions that override scores (一票否决,
取消评议成绩, 评议代表违纪). Exports what the service is assembled from (see main.py):
`Commands` (a mixin of the application), `load_api` (its routes and scope resolvers, loaded
by the API process only), `VIEWS`, `MAPPERS`
(stored event class -> function building its published contract)."""

from __future__ import annotations

from services.inspection.assessments.application import Commands
from services.inspection.assessments.integration import MAPPERS
from services.inspection.assessments.views import VIEWS
from shared.service.definition import ServiceApi


def load_api() -> ServiceApi:
    from services.inspection.assessments.api import RESOLVERS, router

    return ServiceApi(routers=(router,), resolvers=RESOLVERS)


__all__ = ["MAPPERS", "VIEWS", "Commands", "load_api"]
