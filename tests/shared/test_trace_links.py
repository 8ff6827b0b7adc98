"""One trace in production mode too, where `pingyi serve` runs the relay in a child process:
the API process writes which request committed which positions to PostgreSQL, and the relay
process, sharing no memory with it, parents its publish spans on what it reads there."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import psycopg
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.trace import SpanContext, TraceFlags

from shared import telemetry
from shared.settings import CommonSettings
from shared.telemetry import CommitLedger
from shared.trace_links import (
    DurableLedger,
    LinkReader,
    LinkTable,
    open_reader,
    parse_traceparent,
    traceparent,
)
from tests.conftest import NATS_URL
from tests.e2e import thin_path
from tests.e2e.processes import Api, ProductionSystem, production_env

pytestmark = pytest.mark.infra


@dataclass(frozen=True)
class Exported:
    name: str
    trace_id: str
    span_id: str
    parent: str
    scope: str


class _Collector(BaseHTTPRequestHandler):
    """An OTLP/HTTP endpoint that keeps every span the services' processes export."""

    spans: ClassVar[list[Exported]] = []
    lock: ClassVar[threading.Lock] = threading.Lock()

    def do_POST(self) -> None:
        request = ExportTraceServiceRequest()
        request.ParseFromString(self.rfile.read(int(self.headers["Content-Length"])))
        found = [
            Exported(
                span.name,
                span.trace_id.hex(),
                span.span_id.hex(),
                span.parent_span_id.hex(),
                scope.scope.name,
            )
            for resource in request.resource_spans
            for scope in resource.scope_spans
            for span in scope.spans
        ]
        with self.lock:
            self.spans.extend(found)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def collector() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Collector.spans.clear()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v1/traces"
    finally:
        server.shutdown()


def _ancestry(span: Exported, spans: list[Exported]) -> list[str]:
    by_id = {s.span_id: s for s in spans}
    names = [span.name]
    while span.parent:
        parent = by_id.get(span.parent)
        if parent is None:
            names.append(f"(not yet exported: {span.parent})")
            break
        span = parent
        names.append(span.name)
    return names


def test_a_request_is_one_trace_through_a_relay_process(
    database_url: str, nats_namespace: str, tmp_path: Path, collector: str
) -> None:
    env = production_env(database_url, nats_namespace, NATS_URL)
    # Every process exports within a tenth of a second of a span's end.
    env |= {"PINGYI_OTLP_ENDPOINT": collector, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    system = ProductionSystem(env, tmp_path)
    try:
        system.start("registry")
        system.start("scoring")
        api = Api(system.urls())
        relay = api.call("registry", "GET", "/readyz")["checks"]["relay"]
        assert relay["process"]["pid"], relay  # the relay runs in a process of its own
        city = api.call(
            "registry", "POST", "/jurisdictions", json={"name": "漯河市", "level": "city"}
        )
        # Its own batch for scoring's consumers (a batch continues its first message's trace).
        api.wait_caught_up("scoring", "registry")
        api.call(
            "registry",
            "POST",
            "/units",
            json={
                "jurisdiction_id": city["jurisdiction_id"],
                "name": "公安",
                "kind": "government_department",
                "category": "政府部门及其它机构",
            },
        )
        api.wait_caught_up("scoring", "registry")

        def request() -> Exported | None:
            with _Collector.lock:
                return next((s for s in _Collector.spans if s.name == "POST /units"), None)

        def chain() -> list[str] | None:
            posted = request()
            with _Collector.lock:
                spans = list(_Collector.spans)
            for span in spans:
                if (
                    posted is not None
                    and span.name == "commit scoring"
                    and span.trace_id == posted.trace_id
                ):
                    names = _ancestry(span, spans)
                    if names[-1] == "POST /units":
                        return names
            return None

        try:
            thin_path.wait_until(lambda: chain() is not None, "the trace", timeout=30)
        except TimeoutError:
            with _Collector.lock:
                seen = [
                    (s.name, s.trace_id[:8], s.span_id[:8], s.parent[:8]) for s in _Collector.spans
                ]
            with psycopg.connect(database_url) as conn:
                links = conn.execute(
                    "SELECT to_regclass('registry.registry_trace_links')"
                ).fetchall()
                if links[0][0] is not None:
                    links = conn.execute("SELECT * FROM registry.registry_trace_links").fetchall()
            raise AssertionError(f"no whole trace among {seen}; links {links}") from None
        names = chain()
        assert names is not None
        assert names[:2] == ["commit scoring", "consume registry"]
        assert names[2].startswith("publish registry ")
        assert names[3:] == ["commit registry", "fastapi.endpoint", "POST /units"]
        with _Collector.lock:
            publish = next(s for s in _Collector.spans if s.name == names[2])
        assert publish.scope == "pingyi.relay"
    finally:
        system.stop_all()


def _context(span_id: int) -> SpanContext:
    return SpanContext(0xABC, span_id, is_remote=False, trace_flags=TraceFlags(1))


def _ids(context: SpanContext | None) -> tuple[int, int] | None:
    return None if context is None else (context.trace_id, context.span_id)


def _written(ledger: DurableLedger, count: int) -> bool:
    return ledger.written >= count


def test_links_are_read_through_the_database_only(database_url: str) -> None:
    writer = DurableLedger(database_url, "registry")
    reader = LinkReader(database_url, "registry")  # a ledger of its own: no shared memory
    try:
        unknown = reader.origins([1, 2])  # no table yet: no parents, no error
        assert unknown is not None and unknown(1) is None
        writer.record([1, 2, 3], _context(1))
        writer.record([5], _context(2))
        writer.record([], _context(3))  # an empty transaction has nothing to link
        thin_path.wait_until(lambda: _written(writer, 2), "the links written")
        origins = reader.origins([2, 3, 4, 5])
        assert origins is not None
        assert [_ids(origins(p)) for p in (2, 3, 4, 5)] == [
            (0xABC, 1),
            (0xABC, 1),
            None,
            (0xABC, 2),
        ]
        assert parse_traceparent(traceparent(_context(7))) == SpanContext(
            0xABC, 7, is_remote=True, trace_flags=TraceFlags(1)
        )
        assert parse_traceparent("00-zz-11-01") is None
        table = LinkTable(database_url, "registry")
        table.prune(keep=1)  # links more than 1 position behind the newest go
        table.close()
        pruned = reader.origins([1, 5])
        assert pruned is not None and (pruned(1), _ids(pruned(5))) == (None, (0xABC, 2))
    finally:
        reader.close()


def test_links_are_kept_only_while_traces_are_exported(
    production_settings: CommonSettings, embedded_settings: CommonSettings
) -> None:
    # Export off (the default): no table, no query per commit, nothing read by the relay.
    assert type(telemetry.ledger(production_settings, "registry")) is CommitLedger
    assert open_reader(production_settings, "registry") is None
    exported = production_settings.model_copy(
        update={"otlp_endpoint": "http://127.0.0.1:4318/v1/traces"}
    )
    assert isinstance(telemetry.ledger(exported, "registry"), DurableLedger)
    reader = open_reader(exported, "registry")
    assert reader is not None
    reader.close()
    # Embedded mode runs its relay in the API process: the ledger in memory is enough.
    embedded = embedded_settings.model_copy(update={"otlp_endpoint": exported.otlp_endpoint})
    assert type(telemetry.ledger(embedded, "registry")) is CommitLedger
