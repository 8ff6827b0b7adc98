"""One trace from an office's request to the effect it has in another service: the request,
the commit of its events, (in production) the relay's publish to NATS, the downstream
consumer and the commit of what it applied; each span a child of the one before it."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider

from shared import telemetry
from shared.contracts.wire import EncodedMessage
from shared.messaging.relay import MAX_SPANS_PER_PAGE, _by_origin
from shared.observability import _TraceIds
from shared.policy import Policy, allow
from shared.settings import CommonSettings
from shared.telemetry import CommitLedger
from tests.harness import ADMIN, Cluster, create_app
from tests.registry.helpers import post, unit


class Captured(SpanProcessor):
    """Keeps the spans that end while a test records (the process's provider is global and
    can be set only once, so tests add to it rather than replace it)."""

    def __init__(self) -> None:
        self.recording = False
        self.spans: list[ReadableSpan] = []

    def on_end(self, span: ReadableSpan) -> None:
        if self.recording:
            self.spans.append(span)


_captured = Captured()


def _city(cluster: Cluster) -> dict[str, Any]:
    city: dict[str, Any] = post(cluster, "/jurisdictions", {"name": "漯河市", "level": "city"})
    return city


@pytest.fixture
def spans() -> Iterator[Captured]:
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        trace.set_tracer_provider(TracerProvider())
        provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    if not getattr(provider, "_pingyi_captured", False):
        provider.add_span_processor(_captured)
        provider._pingyi_captured = True  # type: ignore[attr-defined]
    _captured.spans.clear()
    _captured.recording = True
    yield _captured
    _captured.recording = False
    _captured.spans.clear()


def _parent(span: ReadableSpan, spans: Sequence[ReadableSpan]) -> ReadableSpan:
    assert span.parent is not None, f"{span.name} has no parent"
    for candidate in spans:
        if candidate.context is not None and candidate.context.span_id == span.parent.span_id:
            return candidate
    raise AssertionError(f"the parent of {span.name} did not end or was not recorded")


def _ancestry(span: ReadableSpan, spans: Sequence[ReadableSpan]) -> list[str]:
    """The span's name and its ancestors' up to the trace's root."""
    names = [span.name]
    while span.parent is not None:
        span = _parent(span, spans)
        names.append(span.name)
    return names


def _scoring_commits_of(spans: Sequence[ReadableSpan], request: ReadableSpan) -> list[list[str]]:
    assert request.context is not None
    return [
        _ancestry(s, spans)
        for s in spans
        if s.name == "commit scoring"
        and s.context is not None
        and s.context.trace_id == request.context.trace_id
    ]


def _request(spans: Sequence[ReadableSpan], name: str) -> ReadableSpan:
    found = [s for s in spans if s.name == name]
    assert len(found) == 1, [s.name for s in spans]
    request = found[0]
    assert request.kind is trace.SpanKind.SERVER
    assert request.attributes is not None
    assert request.attributes["http.route"] == "/units"
    assert request.attributes["http.response.status_code"] == 201
    return request


def test_a_request_is_traced_to_its_effect_in_another_service(
    memory_settings: CommonSettings, spans: Captured
) -> None:
    with Cluster(memory_settings, ["registry", "scoring"]) as cluster:
        city = _city(cluster)
        cluster.wait_caught_up("scoring", "registry")
        spans.spans.clear()
        unit(cluster, city["jurisdiction_id"], "公安")
        cluster.wait_caught_up("scoring", "registry")
    request = _request(spans.spans, "POST /units")
    chains = _scoring_commits_of(spans.spans, request)
    assert chains, "scoring's roster change is not in the request's trace"
    # Memory mode has no broker: the consumer continues the commit's span directly.
    assert [
        "commit scoring",
        "consume registry",
        "commit registry",
        "fastapi.endpoint",
        "POST /units",
    ] in chains
    consume = next(s for s in spans.spans if s.name == "consume registry")
    assert consume.kind is trace.SpanKind.CONSUMER


def test_an_incoming_traceparent_is_continued(
    memory_settings: CommonSettings, spans: Captured
) -> None:
    caller_trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    header = {"traceparent": f"00-{caller_trace}-00f067aa0ba902b7-01"}
    with Cluster(memory_settings, ["registry"]) as cluster:
        response = cluster["registry"].get("/jurisdictions", headers=ADMIN | header)
        assert response.status_code == 200
    request = next(s for s in spans.spans if s.name == "GET /jurisdictions")
    assert request.context is not None and request.parent is not None
    assert f"{request.context.trace_id:032x}" == caller_trace
    assert f"{request.parent.span_id:016x}" == "00f067aa0ba902b7"


def test_a_server_error_marks_the_span_and_is_counted_a_client_error_not(
    memory_settings: CommonSettings, spans: Captured
) -> None:
    from tests.shared.test_metrics import sample

    app = create_app("registry", memory_settings)

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/test-failures/bug", broken, **allow(Policy.anyone()))
    with TestClient(app) as client:
        assert client.get("/test-failures/bug").status_code == 500
        missing = client.get("/units/00000000-0000-0000-0000-000000000000", headers=ADMIN)
        assert missing.status_code == 404
        text = client.get("/metrics").text
    assert sample(text, "pingyi_http_server_errors_total", route="/test-failures/bug") == 1
    counted = [
        line for line in text.splitlines() if line.startswith("pingyi_http_server_errors_total")
    ]
    assert len(counted) == 1, counted  # the 404 is not among them
    failed = next(s for s in spans.spans if s.name == "GET /test-failures/bug")
    assert failed.status.status_code is trace.StatusCode.ERROR
    refused = next(s for s in spans.spans if s.name == "GET /units/{unit_id}")
    assert refused.status.status_code is not trace.StatusCode.ERROR


def test_logs_carry_the_trace_and_span_ids(spans: Captured) -> None:
    record = logging.LogRecord("pingyi", logging.INFO, __file__, 1, "inside", None, None)
    with trace.get_tracer("test").start_as_current_span("work") as span:
        _TraceIds().filter(record)
        context = span.get_span_context()
    assert record.trace_id == f"{context.trace_id:032x}"  # type: ignore[attr-defined]
    assert record.span_id == f"{context.span_id:016x}"  # type: ignore[attr-defined]


def test_metrics_give_ingest_and_consumer_lag(memory_settings: CommonSettings) -> None:
    from tests.shared.test_metrics import sample

    with Cluster(memory_settings, ["registry", "scoring"]) as cluster:
        city = _city(cluster)
        for name in ("公安", "教育", "民政"):
            unit(cluster, city["jurisdiction_id"], name)
        cluster.wait_caught_up("scoring", "registry")
        registry = cluster["registry"].get("/metrics").text
        scoring = cluster["scoring"].get("/metrics").text
    # Four requests, each one transaction, each at least one event.
    assert sample(registry, "pingyi_commits_total") >= 4
    assert sample(registry, "pingyi_events_committed_total") >= 4
    assert sample(scoring, "pingyi_consumer_lag", upstream="registry") == 0
    assert sample(scoring, "pingyi_events_committed_total") >= 3  # the roster's changes
    assert re.search(r'pingyi_http_request_seconds_bucket\{.*route="/units"', registry)


class _Collector(BaseHTTPRequestHandler):
    received: ClassVar[list[ExportTraceServiceRequest]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        type(self).received.append(request)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return None


def test_spans_are_exported_over_otlp_when_configured(memory_settings: CommonSettings) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    endpoint = f"http://127.0.0.1:{server.server_port}/v1/traces"
    try:
        with Cluster(
            memory_settings.model_copy(update={"otlp_endpoint": endpoint}), ["registry"]
        ) as cluster:
            _city(cluster)
        provider = trace.get_tracer_provider()
        assert isinstance(provider, TracerProvider)
        provider.force_flush()
        names = {
            span.name
            for request in _Collector.received
            for resource in request.resource_spans
            for scope in resource.scope_spans
            for span in scope.spans
        }
        assert {"POST /jurisdictions", "commit registry"} <= names
    finally:
        server.shutdown()
        telemetry.stop_exporting(endpoint)


def _context(span_id: int) -> trace.SpanContext:
    return trace.SpanContext(0xABC, span_id, is_remote=False)


def test_the_ledger_names_the_commit_of_each_position() -> None:
    ledger = CommitLedger(capacity=2)
    ledger.record([5, 6, 7], _context(1))
    ledger.record([3, 4], _context(2))  # notified late: a commit that finished second
    assert ledger.context_of(2) is None
    assert [ledger.context_of(p) for p in (3, 4, 5, 7)] == [_context(i) for i in (2, 2, 1, 1)]
    assert ledger.context_of(8) is None
    ledger.record([8], _context(3))  # over capacity: the oldest by position goes
    assert ledger.context_of(3) is None and ledger.context_of(8) == _context(3)
    assert (ledger.commits, ledger.events) == (3, 6)


def test_the_relay_cuts_a_page_by_commit() -> None:
    ledger = CommitLedger()
    ledger.record([1, 2], _context(1))
    ledger.record([4], _context(2))
    page = [EncodedMessage(p, p - 1 or None, data=b"x") for p in (1, 2, 3, 4)]
    runs = _by_origin(page, ledger.context_of)
    assert [(o, [m.position for m in run]) for o, run in runs] == [
        (_context(1), [1, 2]),
        (None, [3]),
        (_context(2), [4]),
    ]
    assert _by_origin(page, None) == [(None, page)]
    for position in range(5, 5 + MAX_SPANS_PER_PAGE):
        ledger.record([position], _context(position))
    many = [EncodedMessage(p, None, data=b"x") for p in range(1, 5 + MAX_SPANS_PER_PAGE)]
    assert _by_origin(many, ledger.context_of) == [(None, many)]


def test_export_is_off_by_default_and_the_endpoint_must_be_a_url() -> None:
    from pydantic import ValidationError

    assert CommonSettings().otlp_endpoint is None
    assert CommonSettings().trace_sql is False
    with pytest.raises(ValidationError) as refused:
        CommonSettings(otlp_endpoint="collector:4318")
    assert refused.value.errors()[0]["loc"] == ("otlp_endpoint",)
