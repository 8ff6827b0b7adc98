"""The survey service (测评): templates, waves, the questionnaires agencies collect in them,
their integrity checks and corrections, and online public voting."""

from __future__ import annotations

from services.survey.application import SurveyApplication
from services.survey.application.voters import VOTER_KEY_ENV
from services.survey.integration import to_payload
from services.survey.settings import SurveySettings
from services.survey.verification import (
    GATEWAY_TIMEOUT_ENV,
    GATEWAY_TOKEN_ENV,
    GATEWAY_URL_ENV,
    WAVE_HOURLY_ENV,
)
from services.survey.views.waves import WAVES_VIEW
from shared.registry_view import REGISTRY_COPY, SECURITY_VIEW
from shared.service.definition import ServiceApi, ServiceDefinition
from shared.settings import ServiceSettings


def voter_key_env(settings: ServiceSettings) -> dict[str, str]:
    """The voter key and the SMS gateway's settings, as the application reads them."""
    env: dict[str, str] = {}
    key = getattr(settings, "voter_key", None)
    if key is not None:
        env[VOTER_KEY_ENV] = key.get_secret_value()
    if isinstance(settings, SurveySettings):
        if settings.sms_gateway_url:
            env[GATEWAY_URL_ENV] = settings.sms_gateway_url
        if settings.sms_gateway_token is not None:
            env[GATEWAY_TOKEN_ENV] = settings.sms_gateway_token.get_secret_value()
        env[GATEWAY_TIMEOUT_ENV] = str(settings.sms_gateway_timeout_seconds)
        env[WAVE_HOURLY_ENV] = str(settings.sms_codes_per_wave_hour)
    return env


def api() -> ServiceApi:
    # Imported here, not at the top: only the API process needs the HTTP side.
    from services.survey.api import RESOLVERS, ROUTERS

    return ServiceApi(routers=ROUTERS, resolvers=RESOLVERS)


SERVICE = ServiceDefinition(
    name="survey",
    title="Pingyi survey 测评",
    description="Questionnaire templates, survey waves (测评批次) of campaign rounds, the "
    "questionnaires agencies collect in them, integrity checks with quarantine, corrections "
    "and online public voting.",
    application=SurveyApplication,
    settings=SurveySettings,
    payload_mapper=to_payload,
    api=api,
    views=(SECURITY_VIEW, REGISTRY_COPY, WAVES_VIEW),
    scope_nouns={
        "template": "questionnaire template",
        "template_users": "questionnaire template",
        "wave": "survey wave",
        "wave_points": "survey wave",
    },
    extra_env=voter_key_env,
)
