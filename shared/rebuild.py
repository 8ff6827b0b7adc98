"""Rebuild read models offline: drop a view and re-apply every upstream message to it.

`pingyi rebuild <service> [<view> ...]` runs this with the service stopped. Each view is
reset (its collections and positions dropped, its version recorded) and then fed, upstream by
upstream, the same contract messages the running service would have received — read from the
upstream services' own logs, which is what their relays publish — with the same handlers and
the same all-or-nothing transactions. Handlers depend only on messages and the view's own
rows, so the rebuilt view is byte-identical to one built incrementally (a test checks it).

"Stopped" is enforced, not assumed. In embedded mode the rebuild holds the data directory's
lock (`pingyi.data_dir`). In production every process of a service — API, relay and views
process, on every replica — holds a shared advisory lock on `<namespace>|<service>|running`
while it runs (`shared.service.leases`), and the rebuild takes it exclusively for as long as
it runs (`service_stopped`): refused, naming the sessions that hold it, while any process of
the service runs; and a process of the service that starts meanwhile waits for the rebuild
to finish before it touches its views. A lock lives exactly as long as its session, so a
process that died never leaves one behind, and there is nothing to force.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from psycopg.conninfo import make_conninfo

from shared.messaging.outbox import Outbox
from shared.service.leases import presence_name
from shared.views import ViewStore
from shared.views.model import View

OutboxOpener = Callable[[str], Outbox]


@dataclass(frozen=True)
class RebuiltView:
    view: str
    positions: dict[str, int | None]
    applied: int

    def row(self) -> tuple[str, str, str]:
        reached = ", ".join(f"{u} @ {p}" for u, p in self.positions.items()) or "-"
        return self.view, reached, str(self.applied)


class UnknownViewError(LookupError):
    pass


def select_views(declared: Iterable[View], names: Iterable[str]) -> list[View]:
    views = list(declared)
    wanted = list(names)
    if not wanted:
        return views
    by_name = {view.name: view for view in views}
    unknown = [name for name in wanted if name not in by_name]
    if unknown:
        raise UnknownViewError(
            f"no view {', '.join(unknown)}; this service has {', '.join(by_name)}"
        )
    return [by_name[name] for name in wanted]


def rebuild_view(
    store: ViewStore, view: View, open_outbox: OutboxOpener, batch: int = 500
) -> RebuiltView:
    store.reset(view.name, view.collection_names, view.version)
    positions: dict[str, int | None] = {}
    applied = 0
    for upstream in view.upstreams:
        inbox = view.inbox(store, upstream)
        outbox = open_outbox(upstream)
        try:
            pending = []
            for message in outbox.iterate():
                pending.append(message)
                if len(pending) >= batch:
                    inbox.apply(upstream, pending)
                    applied += len(pending)
                    pending = []
            if pending:
                inbox.apply(upstream, pending)
                applied += len(pending)
        finally:
            outbox.close()
        positions[upstream] = store.last_position(view.name, upstream)
    return RebuiltView(view.name, positions, applied)


def rebuild(
    store: ViewStore,
    declared: Iterable[View],
    names: Iterable[str],
    open_outbox: OutboxOpener,
) -> list[RebuiltView]:
    views = select_views(declared, names)
    for view in views:
        store.declare(view.collections)
    store.setup()
    return [rebuild_view(store, view, open_outbox) for view in views]


class RebuildRefused(Exception):
    """The service's processes run (or another rebuild of it does); the message says which."""


HOLDERS_SQL = """
SELECT l.mode, a.pid, a.application_name, host(a.client_addr), a.backend_start
FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND l.classid = ((hashtextextended(%(key)s, 0) >> 32) & 4294967295)::oid
  AND l.objid = (hashtextextended(%(key)s, 0) & 4294967295)::oid
  AND l.pid <> pg_backend_pid()
ORDER BY a.backend_start, a.pid
"""
"""The sessions holding a lease key, as `shared.service.leases.PROVE_SQL` finds a key."""


@contextmanager
def service_stopped(database_url: str, namespace: str, service: str) -> Iterator[None]:
    """Hold `service`'s presence lock exclusively while the block runs (production's
    `pingyi rebuild`): `RebuildRefused` while any process of the service holds its share,
    or another rebuild of it runs."""
    key = f"{namespace}|{presence_name(service)}"
    conn = psycopg.connect(
        make_conninfo(
            database_url,
            application_name=f"pingyi rebuild {service}",
            connect_timeout=10,
            keepalives=1,
            keepalives_idle=5,
            keepalives_interval=2,
            keepalives_count=3,
        ),
        autocommit=True,
    )
    try:
        if conn.info.server_version >= 140000:  # idle_session_timeout is new in 14
            # Idle for the whole rebuild: a server-wide idle timeout must not end the
            # session, and with it the lock, half way through.
            conn.execute("SET idle_session_timeout = 0")
        for _attempt in range(2):  # twice: a holder may end between the try and the look
            row = conn.execute(
                "SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", (key,)
            ).fetchone()
            if row and row[0]:
                break
            holders = conn.execute(HOLDERS_SQL, {"key": key}).fetchall()
            if holders:
                raise RebuildRefused(_refusal(service, holders))
        else:
            raise RebuildRefused(f"{service}'s lock is held by a session this user cannot see")
        yield
    finally:
        conn.close()  # ends the session, and the lock with it


def _refusal(service: str, rows: list[tuple[object, ...]]) -> str:
    rebuilds = [row for row in rows if row[0] == "ExclusiveLock"]
    if rebuilds:
        return (
            f"{service} 的另一次重建正在进行, 请等它结束 (another pingyi rebuild of {service} "
            f"is running ({_sessions(rebuilds)}); wait for it to finish)"
        )
    count = f"{len(rows)} process{'es' if len(rows) != 1 else ''}"
    chinese = (
        f"{service} 正在运行, {len(rows)} 个进程持有它的锁; 请先停止"
        f"所有副本上 {service} 的每个进程 (pingyi serve, 以及单独运行的 "
        "pingyi relay 或 pingyi views), 再重建"
    )
    english = (
        f"{service} is running: its lock is held by {count} ({_sessions(rows)}); stop every "
        f"process of {service} on every replica (pingyi serve, and any pingyi relay or "
        "pingyi views run apart), then rebuild"
    )
    return f"{chinese} ({english})"


def _sessions(rows: list[tuple[object, ...]]) -> str:
    named = []
    for _mode, pid, name, host, _since in rows:
        where = f"from {host}, " if host else ""
        named.append(f"{name or 'a session'} ({where}session {pid})")
    return "; ".join(named)
