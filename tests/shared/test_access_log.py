"""The outermost middleware (shared/web/access_log.py): every request counted under its
route and status and logged (probes counted, not logged), an exception no handler took
answered as JSON, and one raised after the answer began passed on, never answered twice."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient

from shared.policy import Policy, allow
from shared.settings import CommonSettings
from tests.harness import create_app
from tests.shared.test_metrics import sample


def _requests_logged(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage() == "request"]


@pytest.fixture
def app(memory_settings: CommonSettings) -> FastAPI:
    # Built before the test's log capture starts: building configures logging.
    app = create_app("registry", memory_settings)
    app.add_api_route("/test-items/{item}", lambda item: {"item": item}, **allow(Policy.anyone()))
    return app


def test_a_request_is_counted_by_route_and_logged(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    with TestClient(app) as client, caplog.at_level(logging.INFO):
        assert client.get("/test-items/甲").status_code == 200
        assert client.get("/no-such-route").status_code == 404
        metrics = client.get("/metrics").text
    assert (
        sample(metrics, "pingyi_http_requests_total", route="/test-items/{item}", status="200") == 1
    )
    assert sample(metrics, "pingyi_http_requests_total", route="unmatched", status="404") == 1
    logged = {(r.path, r.status) for r in _requests_logged(caplog)}  # type: ignore[attr-defined]
    assert ("/test-items/甲", 200) in logged
    assert ("/no-such-route", 404) in logged
    assert not any(path == "/metrics" for path, _ in logged)  # a probe: counted, not logged


def test_a_failure_after_the_answer_began_is_not_answered_again(
    memory_settings: CommonSettings,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"first"
        raise RuntimeError("the stream broke")

    app = create_app("registry", memory_settings)
    app.add_api_route("/test-stream", lambda: StreamingResponse(chunks()), **allow(Policy.anyone()))
    with TestClient(app) as client, pytest.raises(RuntimeError, match="the stream broke"):
        client.get("/test-stream")
