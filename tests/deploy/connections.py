"""How many PostgreSQL connections each process of a deployed service holds at most, worked
out from the code (the pools it opens with the settings' defaults), to hold
deploy/k8s/generate.py's budget, compose's max_connections and the docs' figures to it.

A service container or pod is three processes (deploy/README.md, "Scaling and topology"):
`pingyi serve <service>` (the API), its relay child and its views child. What each opens is
built here the way the process builds it — without connecting: a psycopg pool made with
`open=False` connects nobody, and the child processes' view stores are caught on their way
to being built. Single sessions (a lease connection, LISTEN) are one each by construction.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any
from unittest import mock

from pydantic import SecretStr

from pingyi.catalog import definition
from shared.integrity.rows import Reconnecting
from shared.settings import CommonSettings, eventsourcing_env
from tests.deploy.compose_checks import (
    APP_PORTS,
    DEPLOY,
    ROOT,
    Problems,
    environment,
    service_settings_class,
)
from tests.deploy.k8s_checks import generator

DATABASE_URL = "postgresql://pingyi:pw@127.0.0.1:9/pingyi"
"""Never connected to: nothing below opens a connection."""


def production() -> CommonSettings:
    return CommonSettings(
        mode="production", database_url=DATABASE_URL, seal_key=SecretStr("11" * 32)
    )


def event_store_pool(env: dict[str, str]) -> int:
    """The eventsourcing library's pool: POSTGRES_POOL_SIZE, plus POSTGRES_MAX_OVERFLOW more
    under load (its defaults, 5 and 10, where a key is missing)."""
    return int(env.get("POSTGRES_POOL_SIZE", "5")) + int(env.get("POSTGRES_MAX_OVERFLOW", "10"))


def api_event_store(service: str) -> int:
    settings = service_settings_class(service)()
    env = eventsourcing_env(production(), service, settings.postgres_schema)
    extra = definition(service).extra_env
    if extra is not None:
        env |= extra(settings)
    return event_store_pool(env)


def api_view_store(service: str) -> int:
    from pingyi.composition import build_runtime

    runtime = build_runtime(service, production())
    return int(runtime.views._pool.max_size)  # type: ignore[attr-defined]


def sealer_sessions(service: str) -> int:
    from shared.integrity.service import build_sealer

    sealer = build_sealer(production(), service, mock.MagicMock())
    assert sealer is not None
    return sum(isinstance(part, Reconnecting) for part in vars(sealer).values())


def child_outbox(service: str) -> int:
    """The event-log pool of the relay and views children: `pingyi relay|views` open it with
    `open_outbox(..., connections=N)` (pingyi/cli.py)."""
    from pingyi import cli
    from pingyi.composition import open_outbox
    from shared.service.definition import ServiceDefinition

    env = {"PINGYI_MODE": "production", "PINGYI_DATABASE_URL": DATABASE_URL}
    with environment(env), mock.patch("shared.observability.configure"):
        _, _, opener = cli._child_process_parts(service, "counting")
    assert isinstance(opener, partial) and opener.func is open_outbox, opener
    seen: list[dict[str, str]] = []

    def capture(self: ServiceDefinition, env: dict[str, str]) -> Any:
        seen.append(env)
        return mock.MagicMock()

    with (
        mock.patch.object(ServiceDefinition, "open_application", capture),
        mock.patch("pingyi.composition.Outbox"),
    ):
        opener.func(opener.args[0], production(), *opener.args[2:], **opener.keywords)
    assert len(seen) == 1, seen
    return event_store_pool(seen[0])


@contextmanager
def view_stores_built(module: str) -> Iterator[list[int]]:
    """The pool sizes of the view stores `module` builds meanwhile (built for real, never
    opened; the caller gets a stand-in to set up)."""
    from shared.runtime import build_view_store

    sizes: list[int] = []

    def spy(*args: Any, **kwargs: Any) -> Any:
        store = build_view_store(*args, **kwargs)
        sizes.append(int(store._pool.max_size))  # type: ignore[attr-defined]
        return mock.MagicMock()

    with mock.patch(f"{module}.build_view_store", spy):
        yield sizes


def relay_view_store(service: str) -> int:
    from shared.messaging import relay_process

    with view_stores_built("shared.messaging.relay_process") as sizes:
        relay_process._view_store(production(), service, service_settings_class(service)())
    return sizes[0]


def views_view_store(service: str) -> int:
    from shared.service import views_process

    process = views_process.ViewsProcess(
        definition(service), production(), service_settings_class(service)(), mock.MagicMock()
    )
    with (
        view_stores_built("shared.service.views_process") as sizes,
        mock.patch("shared.service.views_process.setup_views"),
    ):
        process._view_store()
    return sizes[0]


def from_code(service: str) -> dict[str, dict[str, int]]:
    """generate.CONNECTIONS for one service, worked out from the code."""
    sealer = sealer_sessions(service)
    outbox = child_outbox(service)
    return {
        "api": {
            "event store pool": api_event_store(service),
            "view store pool": api_view_store(service),
            "lease session": 1,  # shared.service.leases: one session per process
            "sealer's log reader": sealer - 1,  # shared.integrity.rows.PostgresLog
            "sealer's checkpoints": 1,  # shared.integrity.checkpoints.PostgresCheckpoints
            # shared.persistence.postgres: a connection of its own to end a hung write
            "write watchdog's terminator": 1,
        },
        "relay": {
            "event log pool": outbox,
            "status view store": relay_view_store(service),
            "lease session": 1,
            "LISTEN": 1,  # shared.messaging.outbox_watch
        },
        "views": {
            "view store pool": views_view_store(service),
            "event log pool": outbox,
            "lease session": 1,
            "LISTEN": 1,
        },
    }


def per_process(table: dict[str, dict[str, int]]) -> dict[str, int]:
    return {process: sum(held.values()) for process, held in table.items()}


# --- compose ---------------------------------------------------------------------------------


def max_connections_of(postgres: dict[str, Any]) -> int:
    """The server's max_connections as the compose service starts it (100: the default)."""
    command = postgres.get("command") or []
    words = command.split() if isinstance(command, str) else [str(w) for w in command]
    found = 100
    for index, word in enumerate(words):
        setting = words[index + 1] if word == "-c" and index + 1 < len(words) else word
        match = re.fullmatch(r"(?:--)?max_connections=(\d+)", setting)
        if match:
            found = int(match.group(1))
    return found


def check_compose_connections(compose: dict[str, Any]) -> Problems:
    """compose.yaml's PostgreSQL admits its five services at their most, with room for an
    auditor's `pingyi replay --verify`, psql and the like."""
    gen = generator()
    services = compose.get("services") or {}
    containers = [name for name in services if name in APP_PORTS]
    tracing = any(
        "PINGYI_OTLP_ENDPOINT" in (services[name].get("environment") or {}) for name in containers
    )
    needed = len(containers) * gen.connections_per_pod(tracing=tracing) + gen.AUDIT_HEADROOM
    limit = max_connections_of(services.get("postgres") or {})
    if limit < needed:
        return [
            f"postgres: max_connections {limit} < {needed}: {len(containers)} services of "
            f"{gen.connections_per_pod(tracing=tracing)} connections each, and "
            f"{gen.AUDIT_HEADROOM} for auditors' tools and operators"
        ]
    return []


# --- the docs --------------------------------------------------------------------------------

SCALING = ROOT / "docs" / "scaling.md"
README = DEPLOY / "README.md"


def figures(text: str) -> dict[str, int]:
    """The connection figures the docs state, by the phrases they state them in."""
    found: dict[str, int] = {}
    patterns = {
        "per pod": r"holds at most (\d+) PostgreSQL connections",
        "api": r"the API process (\d+)",
        "relay": r"its relay child (\d+)",
        "views": r"its views child (\d+)",
        "pods": r"autoscalers allow (\d+) pods",
        "at most": r"(\d+) connections at most",
        "five services": r"five services hold up to (\d+) PostgreSQL connections",
        "max_connections": r"`max_connections` (?:to|of) (\d+)",
        "headroom": r"at least (\d+) more for auditors",
    }
    flat = " ".join(text.split())
    for name, pattern in patterns.items():
        match = re.search(pattern, flat)
        if match:
            found[name] = int(match.group(1))
    return found


def expected_figures(where: str) -> dict[str, int]:
    gen = generator()
    totals = per_process(gen.CONNECTIONS)
    common = {
        "per pod": gen.CONNECTIONS_PER_POD,
        "api": totals["api"],
        "relay": totals["relay"],
        "views": totals["views"],
        "headroom": gen.AUDIT_HEADROOM,
    }
    if where == "scaling":
        return common | {
            "pods": gen.max_pods(),
            "at most": gen.max_pods() * gen.CONNECTIONS_PER_POD,
        }
    return common | {"five services": len(APP_PORTS) * gen.CONNECTIONS_PER_POD}


def check_doc_figures(text: str, where: str, max_connections: int) -> Problems:
    stated = figures(text)
    wanted = expected_figures(where) | {"max_connections": max_connections}
    return [
        f"{where}: states {name} {stated.get(name)}, the code makes it {value}"
        for name, value in wanted.items()
        if stated.get(name) != value
    ]
