"""Request bodies are limited per route and refused before they are read; so is a request
without a valid key. Streaming cases run against a real uvicorn, counting the bytes the
client managed to send and the bytes the app pulled."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Scope

from shared.errors import UnauthenticatedError
from shared.settings import CommonSettings
from shared.web.body_limit import BodyLimitMiddleware
from shared.web.routes import BodyLimits, RouteTable
from shared.web.settings import MiB
from tests.harness import ADMIN, Cluster, create_app
from tests.shared.served import Answer, Served, generated, stream

JSON = {"content-type": "application/json"}
CHUNK = 64 * 1024


@pytest.fixture
def served(memory_settings: CommonSettings) -> Iterator[Served]:
    with Served(create_app("registry", memory_settings)) as running:
        yield running


def error_of(answer: Answer) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(answer.body)
    return body


def test_a_declared_200_mb_body_with_a_valid_key_is_refused_unread(served: Served) -> None:
    total = 200 * MiB
    answer = stream(served.port, "/units", ADMIN | JSON, generated(total), length=total)
    assert answer.status == 413, answer
    body = error_of(answer)
    assert body["error"] == "payload_too_large"
    assert body["detail"][0]["field"] == "body" and "limit" in body["detail"][0]["reason"]
    assert answer.headers["connection"] == "close"
    assert served.metered.read == 0
    assert answer.pulled < 20 * MiB, f"{answer.pulled} bytes left the client"  # socket buffers


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_100_mb_body_without_a_key_gets_401_unread(served: Served, declared: bool) -> None:
    total = 100 * MiB
    length = total if declared else None
    answer = stream(served.port, "/units", JSON, generated(total), length=length)
    assert answer.status == 401, answer
    assert error_of(answer)["error"] == "unauthenticated"
    assert answer.headers["connection"] == "close"
    assert served.metered.read == 0
    assert answer.pulled < 20 * MiB, f"{answer.pulled} bytes left the client"


def test_a_client_that_asks_first_sends_nothing_without_a_key(served: Served) -> None:
    total = 100 * MiB
    answer = stream(
        served.port, "/units", JSON, generated(total), length=total, expect_continue=True
    )
    assert answer.status == 401 and answer.pulled == 0 and served.metered.read == 0


def test_a_chunked_body_is_cut_off_once_it_passes_the_limit(served: Served) -> None:
    total = 200 * MiB
    answer = stream(served.port, "/units", ADMIN | JSON, generated(total, CHUNK))
    assert answer.status == 413, answer
    assert error_of(answer)["error"] == "payload_too_large"
    # uvicorn hands over what it has buffered (up to a few hundred KiB) in one message
    assert MiB < served.metered.read < 2 * MiB
    assert answer.pulled < 20 * MiB, f"{answer.pulled} bytes left the client"


def test_a_chunked_body_within_the_limit_reaches_the_route(served: Served) -> None:
    unit = json.dumps({"name": "漯河市发展和改革委员会"}).encode()
    answer = stream(served.port, "/units", ADMIN | JSON, iter([unit[:10], unit[10:]]))
    assert answer.status == 422, answer  # validation of the body, which was read in full
    assert served.metered.read == len(unit)


@pytest.fixture
def cluster(memory_settings: CommonSettings) -> Iterator[Cluster]:
    with Cluster(memory_settings, ["registry"]) as running:
        yield running


def test_batch_and_upload_routes_take_larger_bodies(cluster: Cluster) -> None:
    client = cluster["registry"]
    near = json.dumps({"name": "x" * (MiB - 100)})
    assert client.post("/units", content=near, headers=ADMIN | JSON).status_code == 422
    over = json.dumps({"name": "x" * (MiB + 1)})
    refused = client.post("/units", content=over, headers=ADMIN | JSON)
    assert refused.status_code == 413 and refused.json()["error"] == "payload_too_large"
    batch = json.dumps({"units": [{"name": "x" * (2 * MiB)}]})
    assert client.post("/units:batch", content=batch, headers=ADMIN | JSON).status_code == 422
    huge = b"x" * (64 * MiB + 1)
    assert client.post("/units:batch", content=huge, headers=ADMIN | JSON).status_code == 413


def test_the_key_is_looked_up_once_per_request(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = cluster["registry"].app.state.runtime  # type: ignore[attr-defined]
    lookups: list[str | None] = []
    real = runtime.authenticator.authenticate

    def counted(key: str | None) -> Any:
        lookups.append(key)
        return real(key)

    # The edge authenticates before the body is read; the policy dependency then reuses
    # what the edge found instead of looking the key up again.
    monkeypatch.setattr(runtime.authenticator, "authenticate", counted)
    response = cluster["registry"].get("/jurisdictions", headers=ADMIN)
    assert response.status_code == 200, response.text
    assert lookups == [ADMIN["X-API-Key"]]


@pytest.mark.parametrize(
    ("service", "path", "large"),
    [
        ("survey", "/waves/3f0e0c1e-0000-4000-8000-000000000000/questionnaires:batch", True),
        ("registry", "/imports/units", True),
        ("registry", "/imports/representatives", True),
        ("registry", "/imports/enrolments", True),
        ("registry", "/people:batch", True),
        ("registry", "/units:batch", True),
        ("registry", "/units", False),
        ("registry", "/no/such/route", False),
    ],
)
def test_batches_and_uploads_declare_the_large_limit(
    memory_settings: CommonSettings, service: str, path: str, large: bool
) -> None:
    app = create_app(service, memory_settings)
    limit_for = BodyLimits(RouteTable(lambda: app.openapi()), MiB, 32 * MiB)
    scope: Scope = {"type": "http", "method": "POST", "path": path}
    assert limit_for(scope) == (32 * MiB if large else MiB)


# The middleware on its own, as the lead's policy framework will use it.


async def echo_length(request: Request) -> JSONResponse:
    return JSONResponse({"length": len(await request.body()), "thread": threading.get_ident()})


def kernel_app(precheck: Any) -> TestClient:
    app = FastAPI(routes=[Route("/echo", echo_length, methods=["POST"])])
    app.add_middleware(BodyLimitMiddleware, limit_for=lambda scope: 1000, precheck=precheck)
    return TestClient(app)


def test_the_middleware_runs_a_blocking_precheck_in_a_thread_before_the_body() -> None:
    threads: list[int] = []

    def precheck(scope: Scope, headers: Headers) -> None:
        threads.append(threading.get_ident())
        if "x-api-key" not in headers:
            raise UnauthenticatedError("an API key is required", field="X-API-Key")

    client = kernel_app(precheck)
    refused = client.post("/echo", content=b"x" * 5000)
    assert refused.status_code == 401
    assert refused.json()["detail"][0] == {
        "field": "X-API-Key",
        "reason": "an API key is required",
        "code": "unauthenticated",
    }
    passed = client.post("/echo", content=b"x" * 1000, headers={"X-API-Key": "k"})
    assert passed.status_code == 200 and passed.json()["length"] == 1000
    assert threads[-1] != passed.json()["thread"]  # the endpoint runs on the event loop
    too_large = client.post("/echo", content=b"x" * 1001, headers={"X-API-Key": "k"})
    assert too_large.status_code == 413
    assert too_large.json()["detail"][0]["context"] == {"limit": 1000}


def test_the_middleware_awaits_an_async_precheck_on_the_event_loop() -> None:
    threads: list[int] = []

    async def precheck(scope: Scope, headers: Headers) -> None:
        threads.append(threading.get_ident())

    passed = kernel_app(precheck).post("/echo", content=b"{}")
    assert passed.status_code == 200 and threads == [passed.json()["thread"]]
