"""Build ScoreComputed messages as scoring would publish them, and feed them to reporting."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from pingyi.composition import default_transport, open_outbox
from shared.canonical import digest
from shared.contracts import IntegrationMessage
from shared.contracts.scoring import SchemeRef, ScoreComputed, UnitScore
from shared.messaging.jetstream import JetStreamPublisher, connect, ensure_stream
from shared.messaging.outbox import Outbox
from shared.messaging.relay import Publisher
from shared.messaging.sources import Delivery
from shared.service.application import PublishingApplication
from shared.settings import CommonSettings
from shared.transport import LocalTransport, Transport

GOV = "政府部门及其它机构"
PUBLIC = "公共服务行业"
SCHEME = SchemeRef(scheme_id="satisfaction", version=1, scheme_hash="sha256:" + "ab" * 32)


def unit(
    name: str,
    score: str | None,
    *,
    rate: str | None = "0.9000",
    valid: int = 100,
    category: str = GOV,
    unit_id: UUID | None = None,
) -> UnitScore:
    counts = {"满意": valid, "基本满意": 0, "不满意": 0, "不了解": 3}
    if score is None:
        counts, rate, valid = {"满意": 0, "基本满意": 0, "不满意": 0, "不了解": 5}, None, 0
    body = {"name": name, "score": score, "rate": rate, "valid": valid, "counts": counts}
    return UnitScore(
        unit_id=unit_id or uuid4(),
        unit_name=name,
        category=category,
        counts=counts,
        valid_count=valid,
        satisfaction_rate=rate,
        score=score,
        result_digest=digest(body),
    )


def computed(
    wave_id: UUID,
    results: list[UnitScore],
    *,
    final: bool = False,
    jurisdiction_id: UUID | None = None,
    wave_name: str = "2026年度民主评议问卷测评",
    run_id: UUID | None = None,
) -> ScoreComputed:
    dumped = [r.model_dump(mode="json") for r in results]
    return ScoreComputed(
        run_id=run_id or uuid4(),
        wave_id=wave_id,
        jurisdiction_id=jurisdiction_id or uuid4(),
        wave_name=wave_name,
        final=final,
        scheme=SCHEME,
        upstream_positions={"survey": 42, "registry": 17},
        inputs_digest=digest({"inputs": dumped}),
        results=tuple(results),
        results_digest=digest(dumped),
    )


class ScoringLog:
    """Positions as scoring's log would assign them: increasing, with gaps where scoring
    stored internal events, each message naming the previous published one."""

    def __init__(self, step: int = 3) -> None:
        self._step = step
        self.last: int | None = None

    def message(self, payload: ScoreComputed) -> IntegrationMessage:
        position = (self.last or 0) + self._step
        message = IntegrationMessage(
            event_id=IntegrationMessage.event_id_for("scoring", position),
            event_type=payload.event_type,
            schema_version=payload.schema_version,
            origin="scoring",
            position=position,
            previous_position=self.last,
            occurred_at=datetime.now(UTC),
            payload=payload.model_dump(mode="json"),
        )
        self.last = position
        return message


class FeedSource:
    """A scoring feed for tests while reporting runs without the scoring service: the test
    appends messages, and each consumer of scoring's log reads them in order through a
    reader of its own (as each would through its own JetStream consumer)."""

    def __init__(self) -> None:
        self._messages: list[IntegrationMessage] = []
        self._lock = threading.Lock()

    def append(self, *messages: IntegrationMessage) -> None:
        with self._lock:
            self._messages.extend(messages)

    def pending(self, after: int | None, batch: int) -> list[IntegrationMessage]:
        with self._lock:
            return [m for m in self._messages if m.position > (after or 0)][:batch]

    def reader(self) -> FeedReader:
        return FeedReader(self)


class FeedReader:
    def __init__(self, feed: FeedSource) -> None:
        self._feed = feed
        self._after: int | None = None

    async def start(self, last_position: int | None) -> None:
        self._after = last_position

    async def fetch(self, batch: int, timeout: float) -> list[Delivery]:
        deadline = asyncio.get_running_loop().time() + timeout
        while not (pending := self._feed.pending(self._after, batch)):
            if asyncio.get_running_loop().time() >= deadline:
                return []
            await asyncio.sleep(0.02)
        self._after = pending[-1].position
        return [Delivery(m) for m in pending]

    async def rewind(self, last_position: int | None) -> None:
        self._after = last_position

    async def close(self) -> None:
        return None


class FeedTransport:
    """The mode's transport (embedded or memory), except that scoring's messages come from a
    `FeedSource`."""

    def __init__(self, common: CommonSettings, feed: FeedSource) -> None:
        self._inner: Transport = (
            LocalTransport(lambda upstream: open_outbox(upstream, common), poll_interval=0.02)
            if common.mode == "embedded"
            else default_transport(common)
        )
        self.feed = feed

    async def connect(self, service: str) -> None:
        await self._inner.connect(service)

    def publisher(self, service: str) -> Publisher | None:
        return self._inner.publisher(service)

    def offer_log(self, service: str, outbox: Outbox, application: PublishingApplication) -> None:
        self._inner.offer_log(service, outbox, application)

    def source(self, consumer: str, upstream: str) -> Any:
        if upstream == "scoring":
            return self.feed.reader()
        return self._inner.source(consumer, upstream)

    async def ping(self) -> None:
        await self._inner.ping()

    async def close(self) -> None:
        await self._inner.close()


async def _publish(common: CommonSettings, messages: list[IntegrationMessage]) -> None:
    nc, js = await connect(common.nats_url, "reporting-test-scoring")
    try:
        await ensure_stream(js, common.namespace, "scoring")
        publisher = JetStreamPublisher(js, common.namespace, "scoring")
        for message in messages:
            await publisher.publish(message)
    finally:
        await nc.close()


def publish_to_jetstream(common: CommonSettings, *messages: IntegrationMessage) -> None:
    """Put messages on scoring's stream as scoring's relay would."""
    asyncio.run(_publish(common, list(messages)))
