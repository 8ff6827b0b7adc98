"""Rate limits at the HTTP edge: failed authentication and public routes per client address,
/positions per principal; 429 in the JSON error shape with Retry-After."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from limits.storage import MemoryStorage

from shared.settings import CommonSettings
from shared.web.rate_limit import RateLimit, TooManyRequests
from tests.harness import ADMIN, Cluster
from tests.shared.served import Served

BAD = {"X-API-Key": "pyk_not-a-real-key"}


def running(settings: CommonSettings, **limits: str) -> Cluster:
    return Cluster(settings.model_copy(update=limits), ["registry"])


def assert_limited(response: httpx.Response) -> int:
    assert response.status_code == 429, response.text
    body = response.json()
    assert body["error"] == "rate_limited"
    retry_after = int(response.headers["Retry-After"])
    # Chinese first (…过多 / …过于频繁), the English after it, both saying when to retry.
    reason = body["detail"][0]["reason"]
    assert "过" in reason.split(" (")[0], reason
    assert f"请 {retry_after} 秒后重试 (too many" in reason, reason
    assert reason.endswith(f"; retry after {retry_after} s)"), reason
    assert retry_after >= 1 and body["detail"][0]["context"] == {"retry_after": retry_after}
    return retry_after


def wait_until(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true in time"
        time.sleep(0.05)


def test_failed_keys_lock_the_address_out_until_the_window_passes(
    memory_settings: CommonSettings,
) -> None:
    with running(memory_settings, rate_auth_failures="5 per 2 seconds") as cluster:
        client = cluster["registry"]
        for _ in range(5):
            assert client.get("/jurisdictions", headers=BAD).status_code == 401
        assert_limited(client.get("/jurisdictions", headers=BAD))
        retry_after = assert_limited(client.get("/jurisdictions", headers=ADMIN))  # even so
        assert retry_after <= 2
        other = TestClient(client.app, client=("192.0.2.7", 4711))
        assert other.get("/jurisdictions", headers=ADMIN).status_code == 200
        # The window is the only wait: afterwards the valid key works again.
        wait_until(lambda: client.get("/jurisdictions", headers=ADMIN).status_code == 200, 10)


def test_missing_keys_are_not_counted_as_failures(memory_settings: CommonSettings) -> None:
    with running(memory_settings, rate_auth_failures="3/minute") as cluster:
        client = cluster["registry"]
        for _ in range(10):
            assert client.get("/jurisdictions").status_code == 401
        assert client.get("/jurisdictions", headers=ADMIN).status_code == 200


def test_the_default_stops_a_stream_of_bad_keys(memory_settings: CommonSettings) -> None:
    with Cluster(memory_settings, ["registry"]) as cluster:
        client = cluster["registry"]
        statuses = [client.get("/jurisdictions", headers=BAD).status_code for _ in range(121)]
        assert statuses[:120] == [401] * 120
        assert_limited(client.get("/jurisdictions", headers=BAD))
        assert statuses[120] == 429


def test_public_routes_are_limited_per_address(memory_settings: CommonSettings) -> None:
    with running(memory_settings, rate_public="4 per 10 seconds") as cluster:
        client = cluster["registry"]
        for path in ("/healthz", "/readyz", "/metrics", "/openapi.json"):
            assert client.get(path).status_code == 200
        assert_limited(client.get("/healthz"))
        assert client.get("/jurisdictions", headers=ADMIN).status_code == 200  # keyed: not public
        other = TestClient(client.app, client=("192.0.2.8", 4711))
        assert other.get("/healthz").status_code == 200


def test_positions_are_limited_per_principal(memory_settings: CommonSettings) -> None:
    with running(memory_settings, rate_positions="3 per 10 seconds") as cluster:
        client = cluster["registry"]
        auditor = _key(client, {"name": "审计", "role": "auditor"})
        wait_until(lambda: client.get("/jurisdictions", headers=auditor).status_code == 200, 30)
        for _ in range(3):
            assert client.get("/positions", headers=ADMIN).status_code == 200
        assert_limited(client.get("/positions", headers=ADMIN))
        assert client.get("/positions", headers=auditor).status_code == 200
        assert client.get("/jurisdictions", headers=ADMIN).status_code == 200


def _key(client: TestClient, body: dict[str, Any]) -> dict[str, str]:
    response = client.post("/principals", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    return {"X-API-Key": response.json()["api_key"]}


@pytest.fixture
def storage() -> Iterator[MemoryStorage]:
    yield MemoryStorage()


def test_a_limit_counts_per_key_and_says_when_to_retry(storage: MemoryStorage) -> None:
    limit = RateLimit("test", "2/minute", storage)
    assert limit.hit("a") and limit.hit("a") and not limit.hit("a")
    assert limit.exhausted("a") and not limit.exhausted("b")
    with pytest.raises(TooManyRequests) as refused:
        limit.enforce("a", "尝试过多", "too many tries")
    seconds = refused.value.retry_after
    assert (
        refused.value.reason
        == f"尝试过多, 请 {seconds} 秒后重试 (too many tries; retry after {seconds} s)"
    )
    assert 1 <= refused.value.retry_after <= 60
    assert refused.value.response_headers() == {"Retry-After": str(refused.value.retry_after)}
    limit.enforce("b", "尝试过多", "too many tries")


@pytest.mark.parametrize("trusted", [True, False])
def test_behind_a_trusted_proxy_each_client_has_a_limit_of_its_own(
    memory_settings: CommonSettings, trusted: bool
) -> None:
    """Behind an ingress every caller arrives from the ingress's address. Where the ingress
    is trusted, the limit counts the address it reports; where it is not, its header is
    ignored and everyone shares one address's limit (uvicorn as `pingyi serve` runs it)."""
    proxies = "127.0.0.1" if trusted else "192.0.2.1"
    settings = memory_settings.model_copy(
        update={"rate_public": "3 per 10 seconds", "trusted_proxies": proxies}
    )
    with (
        Cluster(settings, ["registry"]) as cluster,
        Served(cluster["registry"].app, lifespan="off", **settings.server_options()) as served,
        httpx.Client(base_url=f"http://127.0.0.1:{served.port}") as http,
    ):
        first = {"X-Forwarded-For": "203.0.113.5"}
        for _ in range(3):
            assert http.get("/healthz", headers=first).status_code == 200
        assert_limited(http.get("/healthz", headers=first))
        second = http.get("/healthz", headers={"X-Forwarded-For": "203.0.113.6"})
        if trusted:
            assert second.status_code == 200
        else:
            assert_limited(second)
