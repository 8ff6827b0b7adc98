"""The inspection service (明察暗访): findings of open and unannounced inspections."""

from __future__ import annotations

from services.inspection.api import resolve_finding, router
from services.inspection.application import InspectionApplication
from services.inspection.finding_view import FINDINGS_VIEW
from services.inspection.integration import to_payload
from services.inspection.settings import InspectionSettings
from shared.registry_view import REGISTRY_COPY, SECURITY_VIEW
from shared.service.definition import ServiceDefinition

SERVICE = ServiceDefinition(
    name="inspection",
    title="Pingyi inspection 明察暗访",
    description="Findings of open and unannounced inspections and random checks, "
    "with every correction kept.",
    application=InspectionApplication,
    settings=InspectionSettings,
    payload_mapper=to_payload,
    routers=(router,),
    views=(SECURITY_VIEW, REGISTRY_COPY, FINDINGS_VIEW),
    resolvers={"finding": resolve_finding},
)
