"""/readyz tells operators the truth: a consumer stuck on a poison message is not ready."""

from __future__ import annotations

import asyncio
import time

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


def test_a_poison_message_stalls_the_consumer_visibly_and_is_not_dropped(
    production_settings: CommonSettings,
) -> None:
    with Cluster(production_settings, ["registry", "survey"]) as cluster:
        assert cluster["survey"].get("/readyz").status_code == 200
        asyncio.run(publish_garbage(production_settings.namespace))
        deadline = time.monotonic() + 30
        while (ready := cluster["survey"].get("/readyz")).status_code == 200:
            assert time.monotonic() < deadline, "survey never reported the stall"
            time.sleep(0.05)
        body = ready.json()
        assert ready.status_code == 503 and body["status"] == "not_ready"
        assert body["checks"]["keys"].startswith("behind")  # the security copy stalled on it
        for consumer in body["checks"]["consumers"]:
            if consumer["upstream"] == "registry":  # every view of it, on the same message
                assert consumer["stalled"], consumer
                assert "undecodable message at stream sequence 1" in consumer["stalled_reason"]
                assert consumer["last_position"] is None  # nothing applied past it
        assert cluster["survey"].get("/healthz").status_code == 200  # alive, just not ready
        # Read again from its own position after each pause, it stalls on it again.
        deadline = time.monotonic() + 30
        while (syncz := cluster["survey"].get("/syncz")).status_code == 200:
            assert time.monotonic() < deadline, "survey reported itself in sync"
            time.sleep(0.05)
        assert syncz.status_code == 503
