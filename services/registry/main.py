"""Registry service entry point: `create_app()` builds the app; nothing connects until start."""

from __future__ import annotations

from fastapi import FastAPI

from services.registry.api import router
from services.registry.runtime import RegistryRuntime
from services.registry.settings import RegistrySettings
from services.wiring import default_transport
from shared.http import build_app
from shared.settings import CommonSettings
from shared.transport import Transport


def create_app(
    common: CommonSettings | None = None,
    settings: RegistrySettings | None = None,
    transport: Transport | None = None,
) -> FastAPI:
    common = common or CommonSettings()
    runtime = RegistryRuntime(
        common, settings or RegistrySettings(), transport or default_transport(common)
    )
    return build_app(
        runtime,
        [router],
        title="Pingyi registry 登记",
        description="Jurisdictions, units under evaluation (参评单位) and API principals.",
    )
