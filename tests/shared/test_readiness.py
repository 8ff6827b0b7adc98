"""/readyz tells operators the truth: a consumer stuck on a poison message is not ready."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from shared.messaging.jetstream import connect, stream_name
from shared.settings import CommonSettings
from tests.conftest import NATS_URL
from tests.harness import Cluster

pytestmark = pytest.mark.infra


async def publish_garbage(namespace: str) -> None:
    nc, js = await connect(NATS_URL, "poison")
    try:
        await js.publish(
            f"{namespace}.registry.unit.registered",
            "不是JSON".encode(),
            stream=stream_name(namespace, "registry"),
            headers={"Nats-Msg-Id": "poison-1"},
        )
    finally:
        await nc.close()


def _registry_consumers(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in body["consumers"] if c["upstream"] == "registry"]


def test_a_poison_message_stalls_the_consumer_visibly_and_is_not_dropped(
    production_settings: CommonSettings,
) -> None:
    with Cluster(production_settings, ["registry", "survey"]) as cluster:
        assert cluster["survey"].get("/readyz").status_code == 200
        asyncio.run(publish_garbage(production_settings.namespace))
        deadline = time.monotonic() + 30
        while not all(
            c["stalled"]
            for c in _registry_consumers(cluster["survey"].get("/syncz").json()["checks"])
        ):
            assert time.monotonic() < deadline, "survey never reported the stall"
            time.sleep(0.05)
        ready = cluster["survey"].get("/readyz")
        body = ready.json()
        assert ready.status_code == 503 and body["status"] == "not_ready"
        assert body["checks"]["keys"].startswith("behind")  # the security copy stalled on it
        for consumer in _registry_consumers(body["checks"]):  # every view of it, on that message
            assert consumer["stalled"], consumer
            assert "undecodable message at stream sequence 1" in consumer["stalled_reason"]
            assert consumer["last_position"] is None  # nothing applied past it
        assert cluster["survey"].get("/syncz").status_code == 503
        assert cluster["survey"].get("/healthz").status_code == 200  # alive, just not ready
