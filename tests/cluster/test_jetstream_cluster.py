"""The NATS side of a cluster deployment, for real on one machine: three nats-server
processes in one JetStream cluster, the services as separate processes in production mode
with every stream replicated three ways, and the stream's leader SIGKILLed while an agency
pushes questionnaires. Nothing accepted may be lost or stored twice: the survey stream holds
exactly the survey log, in order, each questionnaire once, and scoring applies all of it.

nats-server 2.9 (the machine's) has no `sync_interval`; on 2.10+ the nodes run with
`sync_interval: always`, as deploy/k8s/nats/values.yaml asks (docs/scaling.md says why). A
SIGKILL of the process leaves the page cache intact either way: this proves replication and
fail-over, not durability against power loss."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest

from pingyi.composition import open_outbox
from shared.contracts import IntegrationMessage
from shared.integrity.stream import seals_stream
from shared.messaging.jetstream import stream_name
from shared.settings import CommonSettings
from tests.cluster.nats_cluster import NatsCluster
from tests.e2e import thin_path
from tests.e2e.processes import Api, ProductionSystem, production_env
from tests.shared.relay_support import assert_exactly_the_log, stream_messages

pytestmark = [pytest.mark.e2e, pytest.mark.infra]

SERVICES = ("registry", "survey", "scoring")
"""Enough for the path under test (keys from registry, ingest in survey, scoring downstream)
while sparing PostgreSQL connections: each service holds about a dozen."""
QUESTIONNAIRES = 2400
BATCH = 50


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[NatsCluster]:
    running = NatsCluster(tmp_path / "nats")
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture
def system(database_url: str, cluster: NatsCluster, tmp_path: Path) -> Iterator[ProductionSystem]:
    namespace = f"c{uuid.uuid4().hex[:10]}"
    env = production_env(database_url, namespace, cluster.url) | {
        "PINGYI_NATS_STREAM_REPLICAS": "3",
        "PINGYI_SEAL_KEY": "11" * 32,
        "PINGYI_SEAL_EVERY_SECONDS": "0.5",
    }
    running = ProductionSystem(env, tmp_path)
    try:
        for service in SERVICES:
            running.start(service)
        yield running
    finally:
        running.stop_all()


async def _stream_info(cluster: NatsCluster, stream: str) -> Any:
    nc = await nats.connect([n.url for n in cluster.nodes if n.running], connect_timeout=5)
    try:
        return await nc.jetstream(timeout=5).stream_info(stream)
    finally:
        await nc.close()


def stream_info(cluster: NatsCluster, stream: str) -> Any:
    return asyncio.run(_stream_info(cluster, stream))


def stored(cluster: NatsCluster, stream: str) -> int:
    try:
        return int(stream_info(cluster, stream).state.messages)
    except Exception:  # no leader for a moment while a new one is elected
        return -1


def peers(cluster: NatsCluster, stream: str) -> set[str]:
    """The nodes keeping `stream` once it has a leader: the leader and its replicas."""
    try:
        info = stream_info(cluster, stream).cluster
    except Exception:  # not created yet, or no leader for a moment
        return set()
    if info is None or info.leader is None:
        return set()
    return {info.leader, *(r.name for r in info.replicas or [])}


class Pusher(threading.Thread):
    """An agency pushing its questionnaires in batches, retrying a batch with the same
    idempotency key when the service answers 503 or the connection fails, as a client must."""

    def __init__(self, api: Api, ctx: dict[str, Any], wave_id: str, items: list[Any]) -> None:
        super().__init__(name="pusher")
        self.http = httpx.Client(timeout=60)
        self.url = f"{api.urls['survey']}/waves/{wave_id}/questionnaires:batch"
        self.key = ctx["agency"]["api_key"]
        self.items = items
        self.pushed = 0
        self.retries = 0
        self.refused: list[str] = []

    def run(self) -> None:
        for first in range(0, len(self.items), BATCH):
            headers = {"X-API-Key": self.key, "Idempotency-Key": f"cluster-{first}"}
            body = {"questionnaires": self.items[first : first + BATCH]}
            while True:
                try:
                    answer = self.http.post(self.url, headers=headers, json=body)
                except httpx.HTTPError:
                    answer = None
                if answer is not None and answer.status_code < 400:
                    self.pushed += len(body["questionnaires"])
                    break
                if answer is not None and answer.status_code != 503:
                    self.refused.append(f"{answer.status_code} {answer.text[:300]}")
                    return
                self.retries += 1
                time.sleep(0.2)


def test_a_nats_node_killed_during_ingest_loses_nothing(
    system: ProductionSystem, cluster: NatsCluster
) -> None:
    api = Api(system.urls())
    namespace = system.env["PINGYI_NAMESPACE"]
    survey_stream = stream_name(namespace, "survey")

    ctx = thin_path.register(api)
    wave = thin_path.open_wave(api, ctx)
    items = thin_path.questionnaires(ctx["units"], QUESTIONNAIRES, seed=5)

    for stream in (*(stream_name(namespace, s) for s in SERVICES), seals_stream(namespace)):
        thin_path.wait_until(lambda s=stream: len(peers(cluster, s)) == 3, f"{stream} placed", 60)
        assert stream_info(cluster, stream).config.num_replicas == 3, stream

    pusher = Pusher(api, ctx, wave["wave_id"], items)
    pusher.start()
    try:
        # Kill the survey stream's leader while questionnaires come in and the relay
        # publishes them.
        thin_path.wait_until(
            lambda: pusher.pushed >= QUESTIONNAIRES // 4 and stored(cluster, survey_stream) > 0,
            "part of the ingest accepted and published",
            60,
        )
        leader = cluster.node(stream_info(cluster, survey_stream).cluster.leader)
        killed_at = (pusher.pushed, stored(cluster, survey_stream))
        leader.kill()
        assert pusher.is_alive(), "the ingest ended before the kill"
        thin_path.wait_until(
            lambda: pusher.pushed >= QUESTIONNAIRES * 3 // 4 or not pusher.is_alive(),
            "ingest goes on with two nodes",
            60,
        )
        leader.start()
    finally:
        pusher.join(timeout=120)
    assert not pusher.refused, pusher.refused
    assert pusher.pushed == QUESTIONNAIRES
    print(f"killed {leader.name} at {killed_at} (accepted, published); {pusher.retries} retries")

    common = CommonSettings(
        mode="production",
        database_url=system.env["PINGYI_DATABASE_URL"],
        nats_url=cluster.url,
        namespace=namespace,
    )
    outbox = open_outbox("survey", common)
    try:
        log = list(outbox.iterate())
    finally:
        outbox.close()
    head = log[-1].position
    thin_path.wait_until(
        lambda: stored(cluster, survey_stream) == len(log), "the relay published the whole log"
    )

    async def published() -> list[IntegrationMessage]:
        nc = await nats.connect(cluster.url.split(","), connect_timeout=5)
        try:
            return await stream_messages(nc.jetstream(timeout=10), survey_stream)
        finally:
            await nc.close()

    stream = asyncio.run(published())
    assert_exactly_the_log(stream, log, "(after a node was killed)")
    recorded = Counter(
        questionnaire_id
        for m in stream
        if m.event_type == "survey.batch.recorded"
        for questionnaire_id in m.payload["questionnaire_ids"]
    )
    assert recorded == Counter(item["questionnaire_id"] for item in items)

    # Every replica has it again, the restarted node included.
    def all_current() -> bool:
        info = stream_info(cluster, survey_stream).cluster
        replicas = info.replicas or []
        return info.leader is not None and len(replicas) == 2 and all(r.current for r in replicas)

    thin_path.wait_until(all_current, "the restarted node caught up", 60)

    # Downstream: scoring has applied the survey log to its head, each message once (its
    # inbox refuses repeats and gaps; a gap would stall it below the head).
    api.wait_caught_up("scoring", "survey", timeout=60)
    assert api.call("scoring", "GET", "/positions")["consumers"]["survey"] == head

    # Ready again: its NATS connection answers (a cluster that has just re-formed may take a
    # few seconds to answer JetStream's account request, which answers 503 meanwhile).
    def transport_ok() -> bool:
        response = api.http.get(api.urls["survey"] + "/readyz", headers={"X-API-Key": api.key})
        return bool(response.json()["checks"]["transport"] == "ok")

    thin_path.wait_until(transport_ok, "survey's transport ready again", 60)
