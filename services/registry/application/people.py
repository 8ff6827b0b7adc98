"""Registry commands for people (issue 3)."""

from __future__ import annotations

from services.registry.application.units import UnitCommands


class PeopleCommands(UnitCommands):
    pass
