"""/metrics exposes consumer positions and HTTP traffic for Prometheus, per service."""

from __future__ import annotations

import re

from pingyi.composition import create_app
from shared.registry_view import SECURITY_VIEW
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster


def sample(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} {labels} not in metrics")


def test_metrics_follow_consumers_and_requests(memory_settings: CommonSettings) -> None:
    with Cluster(memory_settings, ["registry"]) as cluster:
        registry = cluster["registry"]
        registry.post("/jurisdictions", json={"name": "漯河市", "level": "city"}, headers=ADMIN)
        cluster.wait_caught_up("registry", "registry")
        text = registry.get("/metrics").text
        assert (
            sample(
                text,
                "pingyi_consumer_position",
                consumer=f"registry-security-v{SECURITY_VIEW.version}",
                upstream="registry",
            )
            >= 1
        )
        assert sample(text, "pingyi_consumer_stalled", upstream="registry") == 0
        assert sample(text, "pingyi_http_requests_total", route="/jurisdictions", status="201") == 1
        assert not re.search(r"漯河", text)  # operational numbers only, no business data


def test_a_made_up_method_adds_no_series(memory_settings: CommonSettings) -> None:
    """Anyone may send any token as a method without a key; each was a series of its own
    for the life of the process."""
    with Cluster(memory_settings, ["registry"]) as cluster:
        registry = cluster["registry"]
        for method in ("FOO", "BAR", "PROPFIND"):
            registry.request(method, "/healthz")
        text = registry.get("/metrics").text
        methods = set(re.findall(r'^pingyi_http_\w+\{.*?method="([^"]*)"', text, re.M))
        assert methods == {"other"}, methods
        assert sample(text, "pingyi_http_requests_total", method="other", status="405") == 3


def test_building_an_app_reads_nothing_for_its_metrics(memory_settings: CommonSettings) -> None:
    """The collector is registered when the app is built, before the service starts and
    connects to anything; registering it used to collect once, pinging a database not yet
    connected to (in production: said down, and logged as such, until the next ping)."""
    app = create_app("registry", memory_settings)
    assert app.state.runtime.reachability.checked_at is None


def test_counters_and_histograms_have_no_created_series(memory_settings: CommonSettings) -> None:
    """prometheus_client gives each counter and histogram series a `_created` twin by
    default, which nothing reads and which doubled the series Prometheus stores."""
    with Cluster(memory_settings, ["registry"]) as cluster:
        registry = cluster["registry"]
        registry.post("/jurisdictions", json={"name": "漯河市", "level": "city"}, headers=ADMIN)
        registry.get("/healthz")
        text = registry.get("/metrics").text
        assert sample(text, "pingyi_http_requests_total", route="/jurisdictions") == 1
        assert sample(text, "pingyi_http_request_seconds_count", route="/jurisdictions") == 1
        created = [line for line in text.splitlines() if "_created" in line]
        assert created == [], created
