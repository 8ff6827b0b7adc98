"""What the complaint routes share: where a complaint lies (its scope resolver), the
unit's jurisdiction from the registry copy, and the application they call."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends

from services.inspection.complaints.application import Commands
from services.inspection.complaints.domain import ComplaintNotFound
from services.inspection.complaints.views import DISPATCHED_STATUSES
from services.inspection.errors import InspectionNotFound
from shared.http import application_of
from shared.policy import ScopeResolver, ScopeTarget, body, path, target_id
from shared.runtime import ServiceRuntime

COMPLAINT = path("complaint_id", "complaint", hidden=True)
"""The complaint a route names: one outside the caller's scope answers exactly as no
complaint."""
UNIT_IN_BODY = body("unit_id", "unit")

ComplaintsApp = Annotated[Commands, Depends(application_of(Commands))]


class JurisdictionNotFound(InspectionNotFound):
    code = "jurisdiction_not_found"
    thing = "jurisdiction"
    thing_zh = "辖区"


def resolve_complaint(runtime: ServiceRuntime, complaint_id: str, field: str) -> ScopeTarget:
    """A complaint is in the scope of the jurisdiction it was taken in and, once dispatched,
    of the jurisdiction of the unit it was sent to, and it is then that unit's (so the unit's
    keys reach it). Before dispatch it is no unit's yet: no unit key is a party to it, so
    every route answers unit keys as for no complaint (404), a reply as a read."""
    application = runtime.application
    assert isinstance(application, Commands)
    complaint = application.complaint(target_id(complaint_id, field), field)
    others = (
        () if complaint.unit_jurisdiction_id is None else (str(complaint.unit_jurisdiction_id),)
    )
    sent = complaint.status in DISPATCHED_STATUSES and complaint.unit_id is not None
    unit = str(complaint.unit_id) if sent else None
    return ScopeTarget(
        str(complaint.jurisdiction_id),
        parties={} if sent else {"unit": frozenset()},
        others=others,
        unit_id=unit,
        not_found=ComplaintNotFound(field=field),
    )


RESOLVERS: dict[str, ScopeResolver] = {"complaint": resolve_complaint}


def unit_jurisdiction(runtime: ServiceRuntime, unit_id: UUID) -> UUID:
    unit = runtime.registry.unit(str(unit_id))
    assert unit is not None  # the policy resolved it
    return UUID(unit["jurisdiction_id"])
