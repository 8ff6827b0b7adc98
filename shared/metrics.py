"""Prometheus metrics per service, read from the runtime at scrape time.

Each service has its own registry, so the five services of embedded mode never mix their
numbers even though they share one process.

A scrape pings the database first (`pingyi_database_reachable`). While it does not answer,
the scrape leaves out what only the database knows (the views process's consumers, the
relay's and the views process's status rows) instead of waiting out the pool's timeout for
each and timing out: those series go absent, which Prometheus shows as stale, rather than
holding values that are no longer true. This process's own numbers are still there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from shared.service.health import UNREAD

if TYPE_CHECKING:
    from shared.runtime import ServiceRuntime


class _RuntimeCollector(Collector):
    def __init__(self, runtime: ServiceRuntime) -> None:
        self._runtime = runtime

    def describe(self) -> Iterator[Metric]:
        """Nothing: without it, registering the collector (when the app is built, before the
        service starts) collects once, pinging a database not yet connected to, which then
        counted as down (`shared.service.reachability`) and said so in the log."""
        return iter(())

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
        problem = self._runtime.database_problem()
        yield _database_reachable(problem is None)
        unread = None if problem is None else UNREAD
        # Those running in this process and in its views process alike; the latter only
        # from its status row, so not while the database is away.
        reports, views = self._runtime.consumers_and_views_process(unread=unread)
        if unread is not None:
            reports = [status for status in reports if status["runs"] == "in_process"]
        for status in reports:
            key = [status["consumer"], status["upstream"]]
            position.add_metric(key, status["last_position"] or 0)
            applied.add_metric(key, status["applied"])
            duplicates.add_metric(key, status["duplicates"])
            stalled.add_metric(key, 1 if status["stalled"] else 0)
            skipped.add_metric(key, status["skipped"])
            leading.add_metric(key, 1 if status["leading"] else 0)
            seconds = status["seconds_since_caught_up"]
            behind.add_metric(key, -1 if seconds is None else seconds)
        yield from (position, applied, duplicates, stalled, skipped, leading, behind)
        yield _consumer_lag(reports)
        yield from _ingest_metrics(self._runtime)
        relay = self._runtime.relay_status(unread=unread)
        if relay is not None:
            yield from _relay_metrics(relay)
        if views is not None:
            yield from _views_process_metrics(views)
        watchdog = self._runtime.write_watchdog
        if watchdog is not None:
            yield from watchdog.metrics()


def _database_reachable(reachable: bool) -> Metric:
    gauge = GaugeMetricFamily(
        "pingyi_database_reachable",
        "1 when the database answered this scrape's ping (at 0 what is read from it is left out)",
    )
    gauge.add_metric([], 1 if reachable else 0)
    return gauge


def _consumer_lag(reports: list[dict[str, Any]]) -> Metric:
    lag = GaugeMetricFamily(
        "pingyi_consumer_lag",
        "Upstream messages not yet applied, as the source last told (-1: not known yet)",
        labels=["consumer", "upstream"],
    )
    for status in reports:
        pending = status.get("pending")
        lag.add_metric([status["consumer"], status["upstream"]], -1 if pending is None else pending)
    return lag


def _ingest_metrics(runtime: ServiceRuntime) -> Iterator[Metric]:
    """What this process stored in the service's own log: rate() of it is the ingest rate."""
    events = CounterMetricFamily(
        "pingyi_events_committed", "Events stored in the service's own log by this process"
    )
    events.add_metric([], runtime.trace_ledger.events)
    commits = CounterMetricFamily(
        "pingyi_commits", "Event-store transactions committed by this process"
    )
    commits.add_metric([], runtime.trace_ledger.commits)
    yield from (events, commits)


def _relay_metrics(relay: dict[str, Any]) -> Iterator[Metric]:
    """The relay in this process, or the one publishing for the service from its own process
    (on whichever replica): its status row, and this replica's relay process."""
    if relay.get("status_error") != UNREAD:
        yield from _relay_progress(relay)
    process = relay.get("process")
    if process is not None:
        yield from _child_process_metrics("relay", process)


def _relay_progress(relay: dict[str, Any]) -> Iterator[Metric]:
    published = CounterMetricFamily(
        "pingyi_relay_published", "Messages the publishing relay has published since it started"
    )
    published.add_metric([], relay.get("published") or 0)
    position = GaugeMetricFamily(
        "pingyi_relay_position", "Last log position the stream has confirmed"
    )
    position.add_metric([], relay.get("published_to") or 0)
    lag = GaugeMetricFamily("pingyi_relay_lag", "Notifications in the log not yet relayed")
    lag.add_metric([], relay.get("lag") or 0)
    yield from (published, position, lag)
    if relay["runs"] == "own_process":
        current = GaugeMetricFamily(
            "pingyi_relay_current",
            "1 while a relay process reported in the last 5 s that its publishes succeed",
        )
        current.add_metric([], 1 if relay.get("current") else 0)
        age = GaugeMetricFamily(
            "pingyi_relay_status_age_seconds", "Age of the publishing relay's status row"
        )
        age.add_metric([], relay.get("age_seconds", -1))
        yield from (current, age)


def _views_process_metrics(views: dict[str, Any]) -> Iterator[Metric]:
    """The process running this replica's leased views (`shared.service.views_process`)."""
    if views.get("status_error") != UNREAD:
        current = GaugeMetricFamily(
            "pingyi_views_process_current", "1 while the views process reported in the last 5 s"
        )
        current.add_metric([], 1 if views.get("current") else 0)
        yield current
    process = views.get("process")
    if process is not None:
        yield from _child_process_metrics("views", process)


def _child_process_metrics(child: str, process: dict[str, Any]) -> Iterator[Metric]:
    """This replica's child process `child` ("relay", "views"; `ChildProcess.status`):
    whether it runs and how often it was restarted, known here whatever the database does."""
    running = GaugeMetricFamily(
        f"pingyi_{child}_process_running", f"1 while this replica's {child} process runs"
    )
    running.add_metric([], 1 if process["running"] else 0)
    restarts = CounterMetricFamily(
        f"pingyi_{child}_process_restarts", f"Times this replica's {child} process was restarted"
    )
    restarts.add_metric([], process["restarts"])
    yield from (running, restarts)


HTTP_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)
"""The methods counted under their own name. Anyone may send any token as a method, and
each label value is a series kept for the life of the process: `FOO /healthz` by the
thousand would grow every scrape and Prometheus's memory without bound."""


def method_label(method: str) -> str:
    return method if method in HTTP_METHODS else "other"


class ServiceMetrics:
    def __init__(self, runtime: ServiceRuntime) -> None:
        # Each counter and histogram series otherwise has a `_created` twin (its start time)
        # that no query or alert here reads: twice the series for Prometheus to store. The
        # switch is the library's, process-wide; set when an app is built, not on import.
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry(auto_describe=True)
        self.registry.register(_RuntimeCollector(runtime))
        self.requests = Counter(
            "pingyi_http_requests",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.errors = Counter(
            "pingyi_http_server_errors",
            "HTTP answers with a 5xx status (4xx are in pingyi_http_requests by status)",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "pingyi_http_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=self.registry,
        )

    def request_answered(self, method: str, route: str, status: int, elapsed: float) -> None:
        method = method_label(method)
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(elapsed)
        if status >= 500:
            self.errors.labels(method, route, str(status)).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
