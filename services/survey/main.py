"""Survey service entry point: `create_app()` builds the app; nothing connects until start."""

from __future__ import annotations

from fastapi import FastAPI

from services.survey.api import router
from services.survey.runtime import SurveyRuntime
from services.survey.settings import SurveySettings
from services.wiring import default_transport
from shared.http import build_app
from shared.settings import CommonSettings
from shared.transport import Transport


def create_app(
    common: CommonSettings | None = None,
    settings: SurveySettings | None = None,
    transport: Transport | None = None,
) -> FastAPI:
    common = common or CommonSettings()
    runtime = SurveyRuntime(
        common, settings or SurveySettings(), transport or default_transport(common)
    )
    return build_app(
        runtime,
        [router],
        title="Pingyi survey 测评",
        description="Survey waves (测评批次) and the questionnaires agencies collect in them.",
    )
