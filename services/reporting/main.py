"""Reporting service entry point: `create_app()` builds the app; nothing connects until start."""

from __future__ import annotations

from fastapi import FastAPI

from services.reporting.api import router
from services.reporting.runtime import ReportingRuntime
from services.reporting.settings import ReportingSettings
from services.wiring import default_transport
from shared.http import build_app
from shared.settings import CommonSettings
from shared.transport import Transport


def create_app(
    common: CommonSettings | None = None,
    settings: ReportingSettings | None = None,
    transport: Transport | None = None,
) -> FastAPI:
    common = common or CommonSettings()
    runtime = ReportingRuntime(
        common, settings or ReportingSettings(), transport or default_transport(common)
    )
    return build_app(
        runtime,
        [router],
        title="Pingyi reporting 结果发布",
        description="Rankings (名次) per wave and category, computed by scoring, with what "
        "each was computed from so that anyone can check it.",
    )
