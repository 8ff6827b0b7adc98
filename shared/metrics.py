"""Prometheus metrics per service, read from the runtime at scrape time.

Each service has its own registry, so the five services of embedded mode never mix their
numbers even though they share one process.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from shared.runtime import ServiceRuntime


class _RuntimeCollector(Collector):
    def __init__(self, runtime: ServiceRuntime) -> None:
        self._runtime = runtime

    def collect(self) -> Iterator[Metric]:
        labels = ["consumer", "upstream"]
        position = GaugeMetricFamily(
            "pingyi_consumer_position", "Last upstream position applied", labels=labels
        )
        applied = CounterMetricFamily("pingyi_consumer_applied", "Messages applied", labels=labels)
        duplicates = CounterMetricFamily(
            "pingyi_consumer_duplicates", "Redeliveries ignored", labels=labels
        )
        stalled = GaugeMetricFamily(
            "pingyi_consumer_stalled", "1 while the consumer is stalled", labels=labels
        )
        skipped = CounterMetricFamily(
            "pingyi_consumer_skipped", "Messages skipped by a recorded decision", labels=labels
        )
        leading = GaugeMetricFamily(
            "pingyi_consumer_leading",
            "1 while this replica holds the consumer's lease",
            labels=labels,
        )
        behind = GaugeMetricFamily(
            "pingyi_consumer_seconds_since_caught_up",
            "Seconds since the consumer last found nothing more to read upstream",
            labels=labels,
        )
        for consumer in self._runtime.consumers:
            status = consumer.status
            key = [status.consumer, status.upstream]
            position.add_metric(key, status.last_position or 0)
            applied.add_metric(key, status.applied)
            duplicates.add_metric(key, status.duplicates)
            stalled.add_metric(key, 1 if status.stalled else 0)
            skipped.add_metric(key, status.skipped)
            leading.add_metric(key, 1 if status.leading else 0)
            seconds = status.as_dict()["seconds_since_caught_up"]
            behind.add_metric(key, -1 if seconds is None else seconds)
        yield from (position, applied, duplicates, stalled, skipped, leading, behind)
        relay = self._runtime.relay
        if relay is not None:
            published = CounterMetricFamily(
                "pingyi_relay_published", "Messages published to JetStream"
            )
            published.add_metric([], relay.published)
            head = GaugeMetricFamily(
                "pingyi_relay_position", "Last log position the relay has published"
            )
            head.add_metric([], relay.published_to or 0)
            yield from (published, head)
        watchdog = self._runtime.write_watchdog
        if watchdog is not None:
            yield from watchdog.metrics()


class ServiceMetrics:
    def __init__(self, runtime: ServiceRuntime) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.registry.register(_RuntimeCollector(runtime))
        self.requests = Counter(
            "pingyi_http_requests",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "pingyi_http_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
