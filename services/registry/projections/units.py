"""Registry read models for units: handlers over the registry's own published log."""

from __future__ import annotations

from typing import Any

from shared.messaging.inbox import ViewHandler

HANDLERS: dict[Any, ViewHandler] = {}
