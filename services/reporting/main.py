"""The reporting service (结果发布): round results computed by scoring (ranks, grades, lists),
with their provenance, embargoed until an office publishes them."""

from __future__ import annotations

from services.reporting.application import ReportingApplication
from services.reporting.bulletins.views import TASK_BULLETINS_VIEW
from services.reporting.integration import to_payload
from services.reporting.progress.views import WAVE_PROGRESS_VIEW
from services.reporting.rounds.views import PUBLICATIONS_VIEW, ROUND_RESULTS_VIEW
from services.reporting.settings import ReportingSettings
from services.reporting.summaries.views import CASEWORK_VIEW
from shared.registry_view import REGISTRY_COPY, SECURITY_VIEW
from shared.service.definition import ServiceApi, ServiceDefinition


def api() -> ServiceApi:
    # Imported here, not at the top: only the API process needs the HTTP side.
    from services.reporting.bulletins.api import router as bulletins_router
    from services.reporting.bulletins.documents_api import router as bulletin_documents_router
    from services.reporting.error_pages import ErrorPages
    from services.reporting.progress.api import resolve_progress_wave
    from services.reporting.progress.api import router as progress_router
    from services.reporting.rounds.api import resolve_campaign
    from services.reporting.rounds.api import router as rounds_router
    from services.reporting.rounds.documents_api import router as documents_router
    from services.reporting.rounds.page_api import router as page_router
    from services.reporting.rounds.public_api import router as public_router
    from services.reporting.rounds.publication_api import router as publication_router
    from services.reporting.signin import router as signin_router
    from services.reporting.summaries.api import router as summaries_router
    from services.reporting.trends.api import router as trends_router
    from shared.web.signin import BrowserSessions

    routers = (
        rounds_router,
        publication_router,
        public_router,
        documents_router,
        page_router,
        bulletins_router,
        bulletin_documents_router,
        progress_router,
        summaries_router,
        trends_router,
        signin_router,
    )
    return ServiceApi(
        routers=routers,
        resolvers={"campaign": resolve_campaign, "progress_wave": resolve_progress_wave},
        # ErrorPages outside: a refusal BrowserSessions answers is a page to a browser too.
        middleware=(ErrorPages.of(routers), BrowserSessions),
    )


SERVICE = ServiceDefinition(
    name="reporting",
    title="Pingyi reporting 结果发布",
    description="Rankings (名次), grades, lists and unit dossiers of every campaign round, "
    "computed by scoring, with what each was computed from so that anyone can check it; "
    "published (发布) by an office as a recorded, versioned decision, and only then public.",
    application=ReportingApplication,
    settings=ReportingSettings,
    payload_mapper=to_payload,
    api=api,
    views=(
        SECURITY_VIEW,
        REGISTRY_COPY,
        ROUND_RESULTS_VIEW,
        PUBLICATIONS_VIEW,
        TASK_BULLETINS_VIEW,
        WAVE_PROGRESS_VIEW,
        CASEWORK_VIEW,
    ),
    scope_nouns={"campaign": "campaign", "progress_wave": "survey wave"},
)
