"""The registry's own read models, fed from its own published log (like every other
service's copy), merged into one inbox so rows and position commit together."""

from __future__ import annotations

from typing import Any

from services.registry.projections import campaigns, people, units
from shared.messaging.inbox import ViewHandler, combine_handlers

REGISTRY_HANDLERS: dict[Any, ViewHandler] = combine_handlers(
    units.HANDLERS, campaigns.HANDLERS, people.HANDLERS
)
