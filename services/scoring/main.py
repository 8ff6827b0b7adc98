"""The scoring service (计分): campaign rounds scored by one engine from the registry, survey
and inspection logs."""

from __future__ import annotations

from collections.abc import Mapping

from services.scoring.application import ScoringApplication
from services.scoring.inboxes import ScoringInbox
from services.scoring.integration import to_payload
from services.scoring.settings import ScoringSettings
from shared.messaging.inbox import Inbox
from shared.registry_view import REGISTRY_COPY, SECURITY_VIEW
from shared.runtime import ServiceRuntime
from shared.service.definition import ServiceApi, ServiceDefinition


def processors(runtime: ServiceRuntime) -> Mapping[str, Inbox]:
    application = runtime.application
    assert isinstance(application, ScoringApplication)
    inbox = ScoringInbox(application)
    return {"registry": inbox, "survey": inbox, "inspection": inbox}


def api() -> ServiceApi:
    # Imported here, not at the top: only the API process needs the HTTP side.
    from services.scoring.rounds.api import resolve_campaign, resolve_round_run, router
    from services.scoring.rounds.scheme_api import scheme_router

    return ServiceApi(
        routers=(scheme_router, router),  # in the order the routes were declared
        resolvers={"campaign": resolve_campaign, "round_run": resolve_round_run},
    )


SERVICE = ServiceDefinition(
    name="scoring",
    title="Pingyi scoring 计分",
    description=(
        "Campaign rounds (满意率, 得分, 名次, 等次) computed by one engine under versioned "
        "schemes; every run records the upstream positions and digests needed to reproduce it."
    ),
    application=ScoringApplication,
    settings=ScoringSettings,
    payload_mapper=to_payload,
    api=api,
    views=(SECURITY_VIEW, REGISTRY_COPY),
    processors=processors,
    scope_nouns={"campaign": "campaign", "round_run": "scoring run"},
)
