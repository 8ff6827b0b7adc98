"""What a running service reports about itself: readiness (/readyz), whether its consumers
keep up (/syncz), how far it has applied each upstream (/positions), whether its copy of API
keys is current, and where its relay is. A mixin of `ServiceRuntime`, which owns the parts
these read.

Its consumers are those running in this process and, when the leased views run in a views
process (`settings.views_in_process` False), those that process reports in its status row
(`shared.service.views_status`): `consumer_reports` is every one of them, and everything
that lists consumers reads it.

Every route reading them (/readyz, /syncz, /metrics, /positions, /operations/consumers)
pings the database first: while it is away each read would wait out the pool's timeout
(PINGYI_DATABASE_WAIT_TIMEOUT) for the same answer, one after another, and a probe or a
Prometheus scrape would time out instead of saying why. After a failed ping the probes
answer with what this process knows, saying the status rows `UNREAD`; the operators' reads
answer 503 (`DatabaseUnreachable`)."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from shared.errors import UnavailableError
from shared.messaging.relay_status import relay_report
from shared.persistence.errors import RETRY_AFTER_SECONDS
from shared.service.view_consumers import apart
from shared.service.views_status import child_reports

UNREAD = "not read: the database did not answer the ping before it"
"""What /readyz and /syncz say of a status row (the views process's, the relay's) they did
not read."""


class DatabaseUnreachable(UnavailableError):
    """503 as any request the database cannot serve (`shared.persistence.errors`), saying
    that nothing was read."""

    code = "database_unavailable"
    retry_after = RETRY_AFTER_SECONDS


if TYPE_CHECKING:
    from shared.integrity.sealer import SealerTask
    from shared.messaging.consumer import Consumer
    from shared.messaging.inbox import Inbox
    from shared.persistence.watchdog import WriteWatchdog
    from shared.service.definition import ServiceDefinition
    from shared.service.leased_relay import LeasedRelay
    from shared.service.reachability import DatabaseReachability
    from shared.service.supervisor import ChildProcess
    from shared.settings import CommonSettings, ServiceSettings
    from shared.transport import Transport
    from shared.views import ViewStore
    from shared.views.model import View


class RuntimeHealth:
    """Reads the parts `ServiceRuntime` assembles, declared here."""

    name: str
    definition: ServiceDefinition
    common: CommonSettings
    settings: ServiceSettings
    transport: Transport
    views: ViewStore
    consumers: list[Consumer]
    started: bool
    relay_process: ChildProcess | None
    views_process: ChildProcess | None
    started_at: float
    reachability: DatabaseReachability
    superseded_views: frozenset[str]
    _relay: LeasedRelay | None
    _processors: dict[str, Inbox]
    _sealer: SealerTask | None

    @property
    def write_watchdog(self) -> WriteWatchdog | None:
        raise NotImplementedError

    def consumer_name(self, view: View) -> str:
        raise NotImplementedError

    def relay_status(self, *, unread: str | None = None) -> dict[str, Any] | None:
        """The service's relay, wherever it runs (see `relay_status.relay_report`); `unread`:
        why its status row is not to be read (the database did not answer)."""
        return relay_report(
            self.name,
            self.views,
            in_process=self._relay,
            child=self.relay_process,
            own_process=self.common.mode == "production" and not self.settings.relay_in_process,
            unread=unread,
        )

    def database_problem(self) -> str | None:
        """None when the view store answers a ping (PostgreSQL's within 3 s), else why not,
        as the probes say it (`unreachable: ...`). Recorded for keyed requests
        (`shared.service.reachability`)."""
        return self.reachability.ping()

    def require_database(self) -> None:
        """For an operator's read: raise `DatabaseUnreachable` unless the database answers a
        ping. Call it from a worker thread."""
        if self.database_problem() is not None:
            raise DatabaseUnreachable(
                "数据库未响应, 未读取任何内容, 请稍后重试 (the database did not answer a ping, "
                "so nothing was read; retry later)"
            )

    def consumer_reports(self) -> list[dict[str, Any]]:
        """Every consumer of this service this replica runs, here or in its views process, as
        `ConsumerStatus.as_dict` reports it, plus where it `runs`. Reads the database when
        the views run apart: call it from a worker thread."""
        return self.consumers_and_views_process()[0]

    def consumers_and_views_process(
        self, *, unread: str | None = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """`consumer_reports`, and what /readyz says about the views process (None when the
        leased views run in this process), from one read of its status row (none when
        `unread` says why not)."""
        reports = [c.status.as_dict() | {"runs": "in_process"} for c in self.consumers]
        if self.settings.views_in_process:
            return reports, None
        apart_reports, process = child_reports(
            self.views,
            apart(self.name, self.definition.views, self.superseded_views),
            child=self.views_process,
            running_for=time.monotonic() - self.started_at,
            grace=self.common.views_start_grace_seconds,
            unread=unread,
        )
        return reports + apart_reports, process

    def security_fresh(self) -> bool:
        """Whether every security view has caught up with its upstream within the allowed
        staleness (and is not stalled)."""
        limit = self.common.auth_max_staleness_seconds
        security = [c for c in self.consumers if self._is_security(c)]
        if not self.started or not security:
            return False
        now = time.monotonic()
        return all(
            c.status.caught_up_at is not None
            and not c.status.stalled
            and now - c.status.caught_up_at <= limit
            for c in security
        )

    def _is_security(self, consumer: Consumer) -> bool:
        names = {self.consumer_name(v) for v in self.definition.views if v.security}
        return consumer.name in names

    async def readiness(self) -> tuple[bool, dict[str, Any]]:
        """Can this process serve requests? Consumers that are behind or stalled do not make
        it unready (see `sync_status`), except the security copy, without which no key can be
        trusted."""
        checks: dict[str, Any] = {}
        ready = self.started
        unread = None
        try:
            await asyncio.wait_for(asyncio.to_thread(self.views.ping), timeout=3)
            checks["database"] = "ok"
            self.reachability.note(None)
        except Exception as exc:
            ready, checks["database"] = False, f"unreachable: {exc}"
            self.reachability.note(checks["database"])
            # The status rows below would each wait out the pool's timeout for the same
            # answer: a probe must answer within its own timeout, and say why.
            unread = UNREAD
        try:
            await self.transport.ping()
            checks["transport"] = "ok"
        except Exception as exc:
            ready, checks["transport"] = False, f"unreachable: {exc}"
        if self.definition.principal_authority is None:
            fresh = self.security_fresh()
            checks["keys"] = "current" if fresh else "behind: API keys are refused (503)"
            ready = ready and fresh
        checks["consumers"], process = await asyncio.to_thread(
            lambda: self.consumers_and_views_process(unread=unread)
        )
        if process is not None:
            checks["views"] = process
        watchdog = self.write_watchdog
        if watchdog is not None:
            checks["writes"] = watchdog.status()
            ready = ready and watchdog.ready
        relay = await asyncio.to_thread(lambda: self.relay_status(unread=unread))
        if relay is not None:
            checks["relay"] = relay
        checks.update(self.integrity_status())
        return ready, checks

    def integrity_status(self) -> dict[str, Any]:
        """The sealer's progress and the stored score records that no longer match their
        digests. Reported, never a reason to be unready: an edited store is an auditor's
        finding, and taking the service down would hide it."""
        if self._sealer is None:
            return {"seal": "off"}
        sealer = self._sealer.sealer
        out: dict[str, Any] = {"seal": sealer.status()}
        if sealer.scores is not None:
            out["scores"] = sealer.scores.status()
        return out

    def sync_status(self) -> tuple[bool, dict[str, Any]]:
        """Is every consumer applying its upstream (none stalled, and the views process, if
        any, reporting)? Not while the database does not answer: none can apply anything,
        and `database` says why."""
        problem = self.database_problem()
        if problem is not None:
            statuses = self.consumers_and_views_process(unread=UNREAD)[0]
            return False, {"database": problem, "consumers": statuses}
        statuses = self.consumer_reports()
        in_sync = self.started and not any(s["stalled"] for s in statuses)
        return in_sync, {"consumers": statuses}

    def positions(self) -> dict[str, int | None]:
        """How far this service has applied each upstream: the lowest position over the
        views (and processors) that follow it, so a caller waiting for its write knows every
        read model has it. Read from the position tables: cheap, whoever leads."""
        stored = self.views.positions()
        lowest: dict[str, int | None] = {}
        for view in self.definition.views:
            for upstream in view.upstreams:
                position = stored.get(view.name, {}).get(upstream)
                lowest[upstream] = (
                    position if upstream not in lowest else _min(lowest[upstream], position)
                )
        for upstream, inbox in self._processors.items():
            position = inbox.last_position(upstream)
            lowest[upstream] = (
                position if upstream not in lowest else _min(lowest[upstream], position)
            )
        return lowest


def _min(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else min(a, b)
