"""The survey service (测评): waves and the questionnaires agencies collect in them."""

from __future__ import annotations

from services.survey.api import resolve_wave, router
from services.survey.application import SurveyApplication
from services.survey.integration import to_payload
from services.survey.settings import SurveySettings
from services.survey.wave_view import WAVES_VIEW
from shared.registry_view import REGISTRY_COPY, SECURITY_VIEW
from shared.service.definition import ServiceDefinition

SERVICE = ServiceDefinition(
    name="survey",
    title="Pingyi survey 测评",
    description="Survey waves (测评批次) and the questionnaires agencies collect in them.",
    application=SurveyApplication,
    settings=SurveySettings,
    payload_mapper=to_payload,
    routers=(router,),
    views=(SECURITY_VIEW, REGISTRY_COPY, WAVES_VIEW),
    resolvers={"wave": resolve_wave},
)
