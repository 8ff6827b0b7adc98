"""The scoring service (计分): score runs computed from the registry and survey logs."""

from __future__ import annotations

from collections.abc import Mapping

from services.scoring.api import resolve_run, resolve_tally, router
from services.scoring.application import ScoringApplication
from services.scoring.inboxes import ScoringInbox
from services.scoring.integration import to_payload
from services.scoring.rounds.api import resolve_campaign, resolve_round_run
from services.scoring.rounds.api import router as rounds_router
from services.scoring.settings import ScoringSettings
from shared.messaging.inbox import Inbox
from shared.registry_view import REGISTRY_COPY, SECURITY_VIEW
from shared.runtime import ServiceRuntime
from shared.service.definition import ServiceDefinition


def processors(runtime: ServiceRuntime) -> Mapping[str, Inbox]:
    application = runtime.application
    assert isinstance(application, ScoringApplication)
    inbox = ScoringInbox(application)
    return {"registry": inbox, "survey": inbox, "inspection": inbox}


SERVICE = ServiceDefinition(
    name="scoring",
    title="Pingyi scoring 计分",
    description=(
        "Scores (满意率, 得分) computed from survey waves under versioned schemes; every run "
        "records the upstream positions and digests needed to reproduce it."
    ),
    application=ScoringApplication,
    settings=ScoringSettings,
    payload_mapper=to_payload,
    routers=(router, rounds_router),
    views=(SECURITY_VIEW, REGISTRY_COPY),
    processors=processors,
    resolvers={
        "tally": resolve_tally,
        "run": resolve_run,
        "campaign": resolve_campaign,
        "round_run": resolve_round_run,
    },
)
