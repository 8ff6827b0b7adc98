"""How view consumers running in a process of their own (`pingyi views <service>`, started by
`pingyi serve`) show up in their API process's /syncz, /readyz, /positions, metrics and
`/operations/consumers`.

The views process writes one status row to the service's view store twice a second: every
consumer it runs (as `ConsumerStatus.as_dict` says, leading or not), its pid and when it
wrote. The row's key is the API process that started it (`owner_key`), so each replica
reports its own child's consumers, leading or waiting, as it reported its in-process ones.
A replica whose views process runs apart (`serve --no-views`) reports, per consumer, the
current row of whichever process leads it. A row older than `STALE_AFTER` seconds means the
process stopped writing (dead, stuck, or the database away): its consumers are then
reported stalled, so /syncz pages someone instead of showing the last good numbers.

Only the consumers the running service declares are reported, and a row that reports none
of them (a process of an older release, whose views were since renamed or removed) is
ignored. Rows are never deleted (the view store has no row deletion): one is left behind per
API process that started a views process, under its host, pid and instance id
(`shared.instance`: two replicas on one host with host networking have the same host and
pid, and each must read its own child's row), and those of the current release that stopped
writing read as "has not reported for N s" to a `--no-views` replica. Rows of a release
before the instance id, keyed `host:pid`, are never any API process's own row now; to a
`--no-views` replica they are rows like any other, current while their process still writes
during a rolling upgrade, then stale like those of any process that stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shared.instance import INSTANCE_ID, identity
from shared.messaging.consumer import Consumer
from shared.service.supervisor import PARENT_FD_KEY, ChildProcess
from shared.views import ViewStore

log = logging.getLogger(__name__)

STATUS_COLLECTION = "views_process_status"
STATUS_SCOPE = "views_process"
"""The view-store transaction the row is written in (no view: it tracks no positions)."""
EVERY_SECONDS = 0.5
STALE_AFTER = 5.0


def owner_key(instance: str = INSTANCE_ID) -> str:
    """The API process the rows of a views process belong to: its parent when `pingyi serve`
    started it (whose instance id it inherited), else the views process itself."""
    pid = os.getppid() if PARENT_FD_KEY in os.environ else os.getpid()
    return identity(pid, instance)


def api_key() -> str:
    """This (API) process's key, as its views child computes it with `owner_key`."""
    return identity()


class ConsumerStatusWriter:
    def __init__(self, views: ViewStore, consumers: Sequence[Consumer]) -> None:
        self._views = views
        self._consumers = consumers
        self._key = owner_key()

    async def run(self, stop: asyncio.Event) -> None:
        """Write the row twice a second until `stop`, and once more after it."""
        while True:
            stopping = stop.is_set()
            row = {
                "consumers": [c.status.as_dict() for c in self._consumers],
                "state": "stopped" if stopping else "running",
                "pid": os.getpid(),
                "updated_at": time.time(),
            }
            try:
                await asyncio.to_thread(self._write, row)
            except Exception as exc:  # the database is away: the row ages, readers see that
                log.warning("views status not written: %s", exc)
            if stopping:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), EVERY_SECONDS)

    def _write(self, row: dict[str, Any]) -> None:
        with self._views.transaction(STATUS_SCOPE) as tx:
            tx.put(STATUS_COLLECTION, self._key, row)


@dataclass(frozen=True)
class Expected:
    """A consumer the views process should run: its name, upstream and view."""

    consumer: str
    upstream: str
    view: str


def child_reports(
    views: ViewStore,
    expected: Sequence[Expected],
    *,
    child: ChildProcess | None,
    running_for: float,
    grace: float,
    unread: str | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The `expected` consumers, as the API process reports its own (plus `runs`), and what
    /readyz says about the views process. Until `running_for` (seconds since the API process
    set up its views) exceeds `grace`, a consumer no row has ever reported is "not reported
    yet", not stalled: the views process may still be starting. `unread`: why the rows are
    not read (the database did not answer a ping); said as `status_error`."""
    report: dict[str, Any] = {"runs": "own_process", "current": False}
    if child is not None:
        report["process"] = child.status()
    rows: list[dict[str, Any]] = []
    found: dict[tuple[str, str], dict[str, Any]] = {}
    positions: dict[str, dict[str, int]] = {}
    if unread is not None:
        report["status_error"] = unread
    else:
        try:
            rows = _rows(views, expected, own=child is not None)
            found = _by_consumer(rows)
            missing = [one for one in expected if (one.consumer, one.upstream) not in found]
            # Read only when some consumer is not reported (/positions is polled often).
            positions = views.positions() if missing else {}
        except Exception as exc:  # the database is away; /readyz says so under "database"
            report["status_error"] = f"{type(exc).__name__}: {exc}"
            rows, found, positions = [], {}, {}
    if rows:
        report |= {k: v for k, v in rows[0].items() if k in ("pid", "state", "age_seconds")}
        report["current"] = any(r["current"] for r in rows)
    stalled = bool(rows) or running_for > grace
    reports = []
    for one in expected:
        status = found.get((one.consumer, one.upstream))
        if status is None:
            last = positions.get(one.view, {}).get(one.upstream)
            status = _unreported(one, last, rows, stalled, report.get("status_error"))
        reports.append({**status, "runs": "own_process"})
    return reports, report


def _rows(views: ViewStore, expected: Sequence[Expected], *, own: bool) -> list[dict[str, Any]]:
    """The rows to report from, each with its age and whether it is current: this process's
    child's, or (no child of its own) every views process's; not those that report only
    consumers the service no longer declares."""
    if own:
        row = views.get(STATUS_COLLECTION, api_key())
        found = [] if row is None else [row]
    else:
        found = [row for _, row in views.scan(STATUS_COLLECTION)]
    declared = {(one.consumer, one.upstream) for one in expected}
    found = [row for row in found if _reports_any(row, declared)]
    now = time.time()
    aged = []
    for row in found:
        age = max(0.0, now - float(row.get("updated_at") or 0))
        current = age <= STALE_AFTER and row.get("state") == "running"
        aged.append({**row, "age_seconds": round(age, 1), "current": current})
    return sorted(aged, key=lambda r: r["age_seconds"])


def _reports_any(row: dict[str, Any], declared: set[tuple[str, str]]) -> bool:
    """Whether the row speaks for this service as it now is. A row listing no consumer at all
    is kept: nothing in it is someone else's."""
    reported = {(s["consumer"], s["upstream"]) for s in row.get("consumers") or []}
    return not reported or bool(reported & declared)


def _by_consumer(rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Each consumer's status from the current rows, the leading one first."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        if not row["current"]:
            continue
        for status in row.get("consumers") or []:
            key = (status["consumer"], status["upstream"])
            if key not in found or (status.get("leading") and not found[key].get("leading")):
                found[key] = _aged(status, row["age_seconds"])
    return found


def _aged(status: dict[str, Any], age: float) -> dict[str, Any]:
    """Seconds since caught up were counted when the row was written: add the row's age."""
    behind = status.get("seconds_since_caught_up")
    # To the millisecond, as the API process's own consumers report it (no float noise).
    return status | {"seconds_since_caught_up": None if behind is None else round(behind + age, 3)}


def _unreported(
    one: Expected,
    last: int | None,
    rows: list[dict[str, Any]],
    stalled: bool,
    error: str | None,
) -> dict[str, Any]:
    """A consumer no current row reports: `stalled` unless the process may still be starting."""
    if error is not None:
        reason = f"the views process's status is unknown ({error})"
    elif rows:
        age = rows[0]["age_seconds"]
        reason = f"the views process has not reported for {age:.0f} s"
    else:
        reason = "the views process has not reported yet"
    return {
        "consumer": one.consumer,
        "upstream": one.upstream,
        "last_position": last,
        "applied": 0,
        "duplicates": 0,
        "skipped": 0,
        "stalled": stalled,
        "stalled_reason": reason if stalled else None,
        "stalled_at": None,
        "leading": False,
        "seconds_since_caught_up": None,
        "pending": None,
    }
