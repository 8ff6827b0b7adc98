"""Inspection area: assessments. Exports what the service is assembled from (see main.py):
`Commands` (a mixin of the application), `router`, `VIEWS`, `RESOLVERS`, `MAPPERS`
(stored event class -> function building its published contract)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.contracts import IntegrationPayload
from shared.policy import PolicyRouter, ScopeResolver
from shared.service.application import PublishingApplication
from shared.views.model import View


class Commands(PublishingApplication):
    """The area's commands and queries (a mixin of InspectionApplication)."""


router = PolicyRouter(tags=["assessments"])
VIEWS: tuple[View, ...] = ()
RESOLVERS: dict[str, ScopeResolver] = {}
MAPPERS: dict[type[Any], Callable[[Any], IntegrationPayload]] = {}
