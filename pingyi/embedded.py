"""Embedded mode: all five services in one process on one machine, data in SQLite files.

Each service keeps its own port and its own database file, exactly as in production; the
only differences are the adapters (SQLite instead of PostgreSQL, reading upstream log files
instead of JetStream).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import signal
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from pingyi.catalog import NAMES
from pingyi.composition import create_app, service_settings
from shared.settings import CommonSettings


@dataclass(frozen=True)
class Endpoint:
    service: str
    url: str


def admin_key(data_dir: Path) -> str:
    """The bootstrap admin key: from the environment, else created once and kept with the data."""
    configured = os.environ.get("PINGYI_BOOTSTRAP_ADMIN_KEY")
    if configured:
        return configured
    path = data_dir / "admin-key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = "pyk_" + secrets.token_urlsafe(32)
    path.write_text(key + "\n", encoding="utf-8")
    path.chmod(0o600)
    return key


class _Server(uvicorn.Server):
    """uvicorn.Server without its own signal capture: one handler stops all five (`run`).

    A stop that comes while the application starts (the lifespan in `shared.http` then
    stops what had started) ends the server before it listens, as `pingyi serve` ends: uvicorn
    would otherwise bind the port, say it runs, and only then shut down."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    start_failed = False
    """The application's start failed (uvicorn logged why): `run` stops the others."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        lifespan = self.lifespan
        lifespan.logger = _StartLog(lifespan.logger, self)
        await lifespan.startup()
        if lifespan.should_exit:
            # uvicorn would raise SystemExit here, inside one of five tasks: the others
            # cancelled with a traceback each. Said by `run` instead.
            self.start_failed = self.should_exit = True
            return
        if self.should_exit:
            # Stopped during the start: the lifespan's end, and nothing listens. `started`
            # stays False, so uvicorn neither serves nor shuts a listener down.
            await lifespan.shutdown()
            return
        self.lifespan = _Started(lifespan)
        await super().startup(sockets)


STARTUP_COMPLETE = "Application startup complete."
"""What uvicorn's lifespan logs once the application's start returns (`LifespanOn.startup`)."""


class _StartLog(logging.LoggerAdapter[logging.Logger]):
    """uvicorn's lifespan log, without its word that the start completed when a stop came
    during it: the application's start then returns having stopped what it started
    (`shared.http`), and the system is stopping, not started."""

    def __init__(self, logger: logging.Logger, server: uvicorn.Server) -> None:
        super().__init__(logger)
        self._server = server

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        return msg, kwargs  # the caller's own `extra`, not the adapter's

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        if msg == STARTUP_COMPLETE and self._server.should_exit:
            return
        # The record names uvicorn's line that logged it, not this one.
        kwargs.setdefault("stacklevel", 2)
        super().log(level, msg, *args, **kwargs)


class _Started:
    """A lifespan whose start has run: uvicorn's `startup` goes on to listen."""

    def __init__(self, lifespan: Any) -> None:
        self._lifespan = lifespan

    async def startup(self) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lifespan, name)


def service_ports(base_port: int | None) -> list[tuple[str, int]]:
    """Each service's port: consecutive from `base_port`, else each service's own."""
    return [
        (service, base_port + offset if base_port is not None else service_settings(service).port)
        for offset, service in enumerate(NAMES)
    ]


class PortTaken(Exception):
    """A port the system needs is in use; the message names it and the service."""


class StartFailed(Exception):
    """A service did not start (its log says why); the others were stopped."""


def check_ports(host: str, base_port: int | None) -> None:
    """Refused in one line, before any service starts, when a port is taken: otherwise the
    four that did start are stopped again with a page of tracebacks."""
    for service, port in service_ports(base_port):
        why = bind_refusal(host, port)
        if why is not None:
            raise PortTaken(
                f"port {port} on {host} ({service}) cannot be used: {why}; stop what uses "
                "it or choose other ports with --base-port"
            )


def bind_refusal(host: str, port: int) -> str | None:
    """Why a server could not listen on `host`:`port` (in use, a host that does not resolve
    or is not this machine's), or None."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return error.strerror or type(error).__name__
    return None


def build_servers(
    common: CommonSettings, host: str, base_port: int | None
) -> list[tuple[Endpoint, _Server]]:
    servers = []
    for service, port in service_ports(base_port):
        settings = service_settings(service)
        app = create_app(service, common, settings)
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_config=None,
            lifespan="on",
            **common.server_options(),
        )
        servers.append((Endpoint(service, f"http://{host}:{port}"), _Server(config)))
    return servers


async def run(
    common: CommonSettings,
    host: str = "127.0.0.1",
    base_port: int | None = None,
    on_ready: Callable[[list[Endpoint]], Any] | None = None,
) -> None:
    servers = build_servers(common, host, base_port)
    loop = asyncio.get_running_loop()

    def stop_all() -> None:
        for _, server in servers:
            server.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop_all)
    tasks = [asyncio.create_task(server.serve()) for _, server in servers]
    while not all(server.started for _, server in servers):
        if any(task.done() for task in tasks):
            stop_all()
            break
        await asyncio.sleep(0.05)
    else:
        if on_ready is not None:
            try:
                result = on_ready([endpoint for endpoint, _ in servers])
                if asyncio.iscoroutine(result):
                    await result
            except BaseException:
                stop_all()
                await asyncio.gather(*tasks, return_exceptions=True)
                raise
    results = await asyncio.gather(*tasks, return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        raise errors[0]
    failed = [endpoint.service for endpoint, server in servers if server.start_failed]
    if failed:
        raise StartFailed(
            f"{', '.join(failed)} did not start (the log above says why); every service was stopped"
        )
