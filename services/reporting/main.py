"""The reporting service (结果发布): rankings computed by scoring, with their provenance."""

from __future__ import annotations

from services.reporting.api import resolve_ranked_wave, router
from services.reporting.application import ReportingApplication
from services.reporting.integration import to_payload
from services.reporting.settings import ReportingSettings
from services.reporting.views import RANKINGS_VIEW
from shared.registry_view import REGISTRY_COPY, SECURITY_VIEW
from shared.service.definition import ServiceDefinition

SERVICE = ServiceDefinition(
    name="reporting",
    title="Pingyi reporting 结果发布",
    description="Rankings (名次) per wave and category, computed by scoring, with what "
    "each was computed from so that anyone can check it.",
    application=ReportingApplication,
    settings=ReportingSettings,
    payload_mapper=to_payload,
    routers=(router,),
    views=(SECURITY_VIEW, REGISTRY_COPY, RANKINGS_VIEW),
    resolvers={"ranked_wave": resolve_ranked_wave},
)
