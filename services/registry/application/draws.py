"""Registry commands for draws (issue 3)."""

from __future__ import annotations

from services.registry.application.units import UnitCommands


class DrawCommands(UnitCommands):
    pass
