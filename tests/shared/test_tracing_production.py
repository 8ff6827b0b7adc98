"""The same trace over PostgreSQL and real NATS JetStream: the request, the commit, the relay's
publish (its context in the message headers, not the payload), the downstream consumer and
its commit; with SQL tracing on, psycopg's statement spans under the commit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import trace

from shared import telemetry
from shared.messaging.jetstream import connect, stream_name
from shared.settings import CommonSettings
from tests.conftest import NATS_URL
from tests.harness import Cluster
from tests.registry.helpers import unit
from tests.shared.test_tracing import Captured, _ancestry, _city, _request, spans

pytestmark = pytest.mark.infra
__all__ = ["spans"]  # the fixture, used by name


def _until_traced(spans: Captured, request: str, commit: str, within: float = 30.0) -> None:
    """Until `commit` has ended in the trace of `request` (or `within` has passed)."""

    def traced() -> bool:
        ended = list(spans.spans)
        traces = {s.context.trace_id for s in ended if s.name == request and s.context}
        return any(s.name == commit and s.context and s.context.trace_id in traces for s in ended)

    deadline = time.monotonic() + within
    while not traced() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_a_request_is_traced_through_nats(
    production_settings: CommonSettings, spans: Captured
) -> None:
    with Cluster(production_settings, ["registry", "scoring"]) as cluster:
        city = _city(cluster)
        cluster.wait_caught_up("scoring", "registry")
        spans.spans.clear()
        unit(cluster, city["jurisdiction_id"], "公安")
        cluster.wait_caught_up("scoring", "registry")
        # The position is seen once scoring's transaction commits; its span ends a moment
        # after, in the consumer's thread: wait for that span, not for time.
        _until_traced(spans, "POST /units", "commit scoring")
        published = asyncio.run(_stream_tail(production_settings))
    request = _request(spans.spans, "POST /units")
    assert request.context is not None
    chains = [
        _ancestry(s, spans.spans)
        for s in spans.spans
        if s.name == "commit scoring"
        and s.context
        and s.context.trace_id == request.context.trace_id
    ]
    assert [
        "commit scoring",
        "consume registry",
        f"publish registry {published['position']}..{published['position']}",
        "commit registry",
        "fastapi.endpoint",
        "POST /units",
    ] in chains, chains
    publish = next(s for s in spans.spans if s.name.startswith("publish registry"))
    assert publish.kind is trace.SpanKind.PRODUCER
    assert publish.context is not None
    # The message names the publish span in its headers; its bytes know nothing of traces.
    assert published["traceparent"].split("-")[2] == f"{publish.context.span_id:016x}"
    assert b"traceparent" not in published["data"]


async def _stream_tail(common: CommonSettings) -> dict[str, Any]:
    nc, js = await connect(NATS_URL, "test")
    try:
        stream = stream_name(common.namespace, "registry")
        info = await js.stream_info(stream)
        raw = await js.get_msg(stream, info.state.last_seq)
        headers = dict(raw.headers or {})
        position = int(headers["Nats-Msg-Id"].split(":")[1])
        return {"traceparent": headers["traceparent"], "data": raw.data, "position": position}
    finally:
        await nc.close()


@pytest.fixture
def sql_traced(production_settings: CommonSettings) -> Iterator[CommonSettings]:
    traced = production_settings.model_copy(update={"trace_sql": True})
    yield traced
    telemetry.untrace_sql()


def test_sql_statements_are_spans_of_the_commit(
    sql_traced: CommonSettings, spans: Captured
) -> None:
    with Cluster(sql_traced, ["registry"]) as cluster:
        spans.spans.clear()
        _city(cluster)
    commit = next(s for s in spans.spans if s.name == "commit registry")
    assert commit.context is not None
    statements = [
        s
        for s in spans.spans
        if s.parent is not None
        and s.parent.span_id == commit.context.span_id
        and s.attributes
        and s.attributes.get("db.system") == "postgresql"
    ]
    assert statements, sorted({s.name for s in spans.spans})
