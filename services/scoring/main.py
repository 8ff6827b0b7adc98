"""Scoring service entry point: `create_app()` builds the app; nothing connects until start."""

from __future__ import annotations

from fastapi import FastAPI

from services.scoring.api import router
from services.scoring.runtime import ScoringRuntime
from services.scoring.settings import ScoringSettings
from services.wiring import default_transport
from shared.http import build_app
from shared.settings import CommonSettings
from shared.transport import Transport


def create_app(
    common: CommonSettings | None = None,
    settings: ScoringSettings | None = None,
    transport: Transport | None = None,
) -> FastAPI:
    common = common or CommonSettings()
    runtime = ScoringRuntime(
        common, settings or ScoringSettings(), transport or default_transport(common)
    )
    return build_app(
        runtime,
        [router],
        title="Pingyi scoring 计分",
        description=(
            "Scores (满意率, 得分) computed from survey waves under versioned schemes; every run "
            "records the upstream positions and digests needed to reproduce it."
        ),
    )
