"""Inspection area: complaints (投诉举报: 政风行风热线, 12345, boxes, web, media exposure) and
units' hotline appearances. Exports what the service is assembled from (see main.py):
`Commands` (a mixin of the application), `load_api` (its routes and scope resolvers, loaded
by the API process only), `VIEWS`, `MAPPERS`
(stored event class -> function building its published contract)."""

from __future__ import annotations

from services.inspection.complaints.application import Commands
from services.inspection.complaints.integration import MAPPERS
from services.inspection.complaints.views import VIEWS
from shared.service.definition import ServiceApi


def load_api() -> ServiceApi:
    from services.inspection.complaints.api import RESOLVERS, router

    return ServiceApi(routers=(router,), resolvers=RESOLVERS)


__all__ = ["MAPPERS", "VIEWS", "Commands", "load_api"]
