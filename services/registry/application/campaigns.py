"""Registry commands for campaigns (issue 3)."""

from __future__ import annotations

from services.registry.application.units import UnitCommands


class CampaignCommands(UnitCommands):
    pass
