"""Inspection area: rectification (问题清单, 整改). Exports what the service is assembled
from (see main.py): `Commands` (a mixin of the application), `load_api` (its routes and
scope resolvers, loaded by the API process only), `VIEWS`, `MAPPERS` (stored event class ->
function building its published contract)."""

from __future__ import annotations

from services.inspection.rectification.application import Commands
from services.inspection.rectification.integration import MAPPERS
from services.inspection.rectification.views import RECTIFICATIONS_VIEW
from shared.service.definition import ServiceApi
from shared.views.model import View

VIEWS: tuple[View, ...] = (RECTIFICATIONS_VIEW,)


def load_api() -> ServiceApi:
    from services.inspection.rectification.api import resolve_rectification, router

    return ServiceApi(routers=(router,), resolvers={"rectification": resolve_rectification})


__all__ = ["MAPPERS", "VIEWS", "Commands", "load_api"]
