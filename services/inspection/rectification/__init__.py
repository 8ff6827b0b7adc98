"""Inspection area: rectification (问题清单, 整改). Exports what the service is assembled
from (see main.py): `Commands` (a mixin of the application), `router`, `VIEWS`,
`RESOLVERS`, `MAPPERS` (stored event class -> function building its published contract)."""

from __future__ import annotations

from services.inspection.rectification.api import resolve_rectification, router
from services.inspection.rectification.application import Commands
from services.inspection.rectification.integration import MAPPERS
from services.inspection.rectification.views import RECTIFICATIONS_VIEW
from shared.policy import ScopeResolver
from shared.views.model import View

VIEWS: tuple[View, ...] = (RECTIFICATIONS_VIEW,)
RESOLVERS: dict[str, ScopeResolver] = {"rectification": resolve_rectification}

__all__ = ["MAPPERS", "RESOLVERS", "VIEWS", "Commands", "router"]
