"""The registry application: one eventsourcing Application assembled from command mixins,
one per part of the registry, so each part stays a small module (campaigns: `CampaignCommands`
opens and amends them, `EnrolmentCommands` on top of it enrols their units)."""

from __future__ import annotations

from services.registry.application.draws import DrawCommands
from services.registry.application.enrolments import EnrolmentCommands
from services.registry.application.jurisdictions import jurisdiction_out
from services.registry.application.people import PeopleCommands
from services.registry.application.principals import PrincipalCommands, principal_out
from services.registry.application.units import UnitCommands, unit_out


class RegistryApplication(
    DrawCommands, PeopleCommands, EnrolmentCommands, PrincipalCommands, UnitCommands
):
    name = "registry"


__all__ = ["RegistryApplication", "jurisdiction_out", "principal_out", "unit_out"]
