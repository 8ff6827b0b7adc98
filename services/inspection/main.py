"""Inspection service entry point: `create_app()` builds the app; nothing connects until start."""

from __future__ import annotations

from fastapi import FastAPI

from services.inspection.api import router
from services.inspection.runtime import InspectionRuntime
from services.inspection.settings import InspectionSettings
from services.wiring import default_transport
from shared.http import build_app
from shared.settings import CommonSettings
from shared.transport import Transport


def create_app(
    common: CommonSettings | None = None,
    settings: InspectionSettings | None = None,
    transport: Transport | None = None,
) -> FastAPI:
    common = common or CommonSettings()
    runtime = InspectionRuntime(
        common, settings or InspectionSettings(), transport or default_transport(common)
    )
    return build_app(
        runtime,
        [router],
        title="Pingyi inspection 明察暗访",
        description="Findings of open and unannounced inspections and random checks, "
        "with every correction kept.",
    )
