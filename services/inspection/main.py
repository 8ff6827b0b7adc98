"""The inspection service (明察暗访): findings of open and unannounced inspections."""

from __future__ import annotations

from services.inspection import assessments, complaints, rectification, tasks
from services.inspection.application import InspectionApplication
from services.inspection.areas import AREAS
from services.inspection.campaigns import resolve_campaign
from services.inspection.finding_view import FINDINGS_VIEW
from services.inspection.integration import to_payload
from services.inspection.settings import InspectionSettings, application_env
from services.inspection.visit_view import VISITS_VIEW
from shared.registry_view import REGISTRY_COPY, SECURITY_VIEW
from shared.runtime import ServiceRuntime
from shared.service.definition import ServiceApi, ServiceDefinition


class InspectionService(
    InspectionApplication,
    rectification.Commands,
    complaints.Commands,
    assessments.Commands,
    tasks.Commands,
):
    """Findings and every area, in one eventsourcing application (its tables: inspection's)."""

    name = "inspection"


def api() -> ServiceApi:
    # Imported here, not at the top: only the API process needs the HTTP side.
    from services.inspection.api import resolve_finding, router
    from services.inspection.calendar_api import router as calendar_router
    from services.inspection.visit_api import resolve_visit

    areas = [area.load_api() for area in AREAS]
    return ServiceApi(
        routers=(router, calendar_router, *(r for area in areas for r in area.routers)),
        resolvers={
            "finding": resolve_finding,
            "visit": resolve_visit,
            "campaign": resolve_campaign,
        }
        | {kind: resolver for area in areas for kind, resolver in area.resolvers.items()},
    )


def warn_at_start(runtime: ServiceRuntime) -> None:
    from services.inspection.calendar_api import warn_at_start as warn

    warn(runtime)


SERVICE = ServiceDefinition(
    name="inspection",
    title="Pingyi inspection 明察暗访",
    description="Findings of open and unannounced inspections and random checks, "
    "with every correction kept.",
    application=InspectionService,
    settings=InspectionSettings,
    payload_mapper=to_payload,
    api=api,
    views=(
        SECURITY_VIEW,
        REGISTRY_COPY,
        FINDINGS_VIEW,
        VISITS_VIEW,
        *(v for area in AREAS for v in area.VIEWS),
    ),
    scope_nouns={
        "finding": "inspection finding",
        "visit": "inspection visit",
        "campaign": "campaign",
        "task": "supervised task",
        "rectification": "rectification order",
        "assessment_score": "assessment score",
        "veto": "veto",
        "complaint": "complaint",
    },
    extra_env=application_env,
    on_start=warn_at_start,
)
