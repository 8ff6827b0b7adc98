"""Inspection area: complaints (投诉举报: 政风行风热线, 12345, boxes, web, media exposure) and
units' hotline appearances. Exports what the service is assembled from (see main.py):
`Commands` (a mixin of the application), `router`, `VIEWS`, `RESOLVERS`, `MAPPERS`
(stored event class -> function building its published contract)."""

from __future__ import annotations

from services.inspection.complaints.api import RESOLVERS, router
from services.inspection.complaints.application import Commands
from services.inspection.complaints.integration import MAPPERS
from services.inspection.complaints.views import VIEWS

__all__ = ["MAPPERS", "RESOLVERS", "VIEWS", "Commands", "router"]
