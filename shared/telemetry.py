"""Traces from a request to what it caused in other services.

A request's span (`shared.http`) is the parent of the commit that stores its events
(`committing`). The commit is remembered by position in a `CommitLedger`, so that whatever
later reads those positions of the log in this process continues the same trace: the relay
publishes them under a span whose parent is the commit, and its context travels in the NATS
message headers (never in the payload, whose bytes are fixed when the event is saved); in
embedded and memory mode, where no broker carries headers, `TracedSource` gives a
consumer's deliveries the headers the relay would have sent. The consumer's span continues
the trace from those headers, and the commit of what it applies (scoring's own events) is a
child of it, so one trace runs from an office's request to the score it led to.

A relay in a process of its own (`pingyi serve`'s default) has no share in the API's ledger:
while traces are exported, the API process writes its commits' links to PostgreSQL and the
relay process reads them there (`shared.trace_links`).

`configure` adds what settings ask for: OTLP export of spans (off unless
`PINGYI_OTLP_ENDPOINT` is set) and psycopg's spans for every statement (`PINGYI_TRACE_SQL`).
"""

from __future__ import annotations

import bisect
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import NonRecordingSpan, Span, SpanContext

from shared.messaging.sources import Delivery, MessageSource, WrappedSource
from shared.settings import CommonSettings

log = logging.getLogger(__name__)
tracer = trace.get_tracer("pingyi.store")

LEDGER_COMMITS = 4096
"""Commits remembered per log: a relay or source reads a commit's positions within moments;
one that falls further behind publishes the older ones under spans of their own."""


@dataclass(frozen=True)
class _Commit:
    first: int
    last: int
    context: SpanContext


class CommitLedger:
    """Which span committed which positions of one service's log, and how much was stored."""

    def __init__(self, capacity: int = LEDGER_COMMITS) -> None:
        self._capacity = capacity
        self._lock = threading.Lock()
        self._firsts: list[int] = []
        self._commits: list[_Commit] = []
        self.commits = 0
        self.events = 0

    def record(self, positions: Sequence[int], context: SpanContext) -> None:
        """One transaction's notification ids (contiguous: the recorder locks the table while
        it inserts), committed under `context`."""
        with self._lock:
            self.commits += 1
            self.events += len(positions)
            if not positions or not context.is_valid:
                return
            commit = _Commit(min(positions), max(positions), context)
            # Commits notify in about log order; insort keeps lookups right when two swap.
            index = bisect.bisect(self._firsts, commit.first)
            self._firsts.insert(index, commit.first)
            self._commits.insert(index, commit)
            if len(self._commits) > self._capacity:
                del self._firsts[0], self._commits[0]

    def clear(self) -> None:
        """Forget the commits (the log is starting afresh: in memory mode, positions restart)."""
        with self._lock:
            self._firsts.clear()
            self._commits.clear()

    def context_of(self, position: int) -> SpanContext | None:
        with self._lock:
            index = bisect.bisect(self._firsts, position) - 1
            if index < 0:
                return None
            commit = self._commits[index]
            return commit.context if commit.first <= position <= commit.last else None


_ledgers: dict[str, CommitLedger] = {}
_ledgers_lock = threading.Lock()


def ledger(common: CommonSettings, service: str) -> CommitLedger:
    """The ledger of `service`'s log as this process sees it. Keyed by namespace and data
    directory too, since tests run many clusters with the same service names in one process.
    In production while traces are exported, it also writes its commits to PostgreSQL for a
    relay in another process (`shared.trace_links`)."""
    durable = common.mode == "production" and common.otlp_endpoint is not None
    key = f"{common.mode}|{common.namespace}|{common.data_dir}|{service}|{durable}"
    if durable:
        key += f"|{common.database_url}"
    with _ledgers_lock:
        found = _ledgers.get(key)
        if found is None:
            found = _ledgers[key] = _durable(common, service) if durable else CommitLedger()
        return found


def _durable(common: CommonSettings, service: str) -> CommitLedger:
    # Imported here: trace_links imports this module.
    from shared.trace_links import DurableLedger

    return DurableLedger(common.database_url, service)


@contextmanager
def committing(service: str, events: int) -> Iterator[Span]:
    """The span of one event-store transaction, a child of whatever caused it."""
    with tracer.start_as_current_span(
        f"commit {service}",
        attributes={"pingyi.service": service, "pingyi.events": events},
    ) as span:
        yield span


def committed(span: Span, ledger: CommitLedger | None, positions: Sequence[int]) -> None:
    """Note what the transaction stored, on its span and in its log's ledger."""
    if positions:
        span.set_attribute("pingyi.positions", f"{min(positions)}..{max(positions)}")
    if ledger is not None:
        ledger.record(positions, span.get_span_context())


def context_for(parent: SpanContext | None) -> Context | None:
    """A context whose current span is `parent` (None: leave the current one)."""
    return None if parent is None else trace.set_span_in_context(NonRecordingSpan(parent))


def headers_for(parent: SpanContext) -> dict[str, str]:
    headers: dict[str, str] = {}
    propagate.inject(headers, context=context_for(parent))
    return headers


class TracedSource(WrappedSource):
    """A log source whose deliveries carry the trace headers of the commits they came from,
    as JetStream deliveries carry the relay's (embedded and memory mode have no broker)."""

    def __init__(self, source: MessageSource, ledger: CommitLedger) -> None:
        super().__init__(source)
        self._ledger = ledger

    async def fetch(self, batch: int, timeout: float) -> list[Delivery]:
        deliveries = await self._source.fetch(batch, timeout)
        made: dict[int, dict[str, str]] = {}  # by span id (a SpanContext is not hashable)
        for delivery in deliveries:
            if delivery.headers or delivery.message is None:
                continue
            origin = self._ledger.context_of(delivery.message.position)
            if origin is not None:
                if origin.span_id not in made:
                    made[origin.span_id] = headers_for(origin)
                delivery.headers = made[origin.span_id]
        return deliveries


class _Export(SpanProcessor):
    """Batches spans to one OTLP endpoint until stopped (a provider never lets go of a
    processor, so stopping is a switch)."""

    def __init__(self, batch: BatchSpanProcessor) -> None:
        self._batch = batch
        self.stopped = False

    def on_end(self, span: ReadableSpan) -> None:
        if not self.stopped:
            self._batch.on_end(span)

    def shutdown(self) -> None:
        self._batch.shutdown()  # type: ignore[no-untyped-call]

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._batch.force_flush(timeout_millis)


_exporting: dict[str, _Export] = {}
_sql_traced = False
_configure_lock = threading.Lock()


def configure(common: CommonSettings) -> None:
    """Export spans over OTLP and trace SQL statements, when settings ask (once a process)."""
    global _sql_traced
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        return
    with _configure_lock:
        endpoint = common.otlp_endpoint
        if endpoint is not None and endpoint not in _exporting:
            export = _Export(BatchSpanProcessor(_otlp_exporter(endpoint, common)))
            provider.add_span_processor(export)
            _exporting[endpoint] = export
            log.info("exporting traces over OTLP", extra={"endpoint": endpoint})
        if common.trace_sql and not _sql_traced:
            _trace_sql()
            _sql_traced = True


def stop_exporting(endpoint: str) -> None:
    """Flush and stop the export to `endpoint` (tests; a service exports until it exits)."""
    with _configure_lock:
        export = _exporting.pop(endpoint, None)
    if export is not None:
        export.force_flush()
        export.stopped = True
        export.shutdown()


def untrace_sql() -> None:
    """Stop making spans for SQL statements (connections opened since keep theirs)."""
    global _sql_traced
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor

    with _configure_lock:
        if _sql_traced:
            PsycopgInstrumentor().uninstrument()
            _sql_traced = False


def _otlp_exporter(endpoint: str, common: CommonSettings) -> Any:
    # Imported here: a process that exports nothing never loads protobuf.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    raw = common.otlp_headers.get_secret_value() if common.otlp_headers else ""
    headers = dict(part.split("=", 1) for part in raw.split(",") if "=" in part)
    return OTLPSpanExporter(endpoint=endpoint, headers=headers or None, timeout=10)


def _trace_sql() -> None:
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor

    # The comment would change every statement's text and defeat the server's plan cache.
    PsycopgInstrumentor().instrument(enable_commenter=False, skip_dep_check=True)
