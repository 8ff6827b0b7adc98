"""A started service keeps its start-up heap out of the cyclic collector's passes
(`gc.freeze` in the app's lifespan): a push allocates enough to trigger many collections,
and each would otherwise walk every module, schema and route object."""

from __future__ import annotations

import gc
from pathlib import Path

from fastapi.testclient import TestClient

from pingyi.composition import default_transport
from shared.http import build_app
from shared.runtime import ServiceRuntime
from shared.settings import CommonSettings, ServiceSettings
from tests.shared.test_security_copy import _probe


def test_the_heap_built_at_start_is_frozen(tmp_path: Path) -> None:
    # No security copy to wait for: a short staleness bound, so the start does not wait it out.
    common = CommonSettings(
        mode="embedded", data_dir=tmp_path, log_json=False, auth_max_staleness_seconds=0.1
    )
    runtime = ServiceRuntime(_probe(()), common, ServiceSettings(), default_transport(common))
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        with TestClient(build_app(runtime)) as client:
            assert client.get("/healthz").status_code == 200
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
