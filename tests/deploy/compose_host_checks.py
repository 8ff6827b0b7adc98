"""Static checks of deploy/compose.host.yaml, the host-network variant, in the style of
compose_checks: parsed input in, a list of problems out.

The variant has no PostgreSQL or NATS of its own and no networks: each service shares the
host's network stack, so its port is the host's port, the same variable must set both what
the service binds and what its health check calls, and the infrastructure is reached on
addresses the operator gives (the host's loopback by default).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from shared.settings import CommonSettings
from tests.deploy.compose_checks import (
    APP_PORTS,
    DEPLOY,
    MissingVariable,
    Problems,
    SettingsLoader,
    check_admin_key_required,
    check_command,
    check_lifecycle,
    check_seal_key_required,
    check_secrets_wired,
    env_names,
    probe_url,
    sample_env,
    service_env,
    service_settings_class,
    settings_for,
)

HOST_COMPOSE = DEPLOY / "compose.host.yaml"


def check_host_service_set(compose: dict[str, Any]) -> Problems:
    present = set(compose.get("services") or {})
    problems = [f"service {name!r} is missing" for name in sorted(set(APP_PORTS) - present)]
    problems += [f"unexpected service {name!r}" for name in sorted(present - set(APP_PORTS))]
    if compose.get("networks"):
        problems.append("networks are declared; the host variant uses the host's network only")
    return problems


def check_host_network(compose: dict[str, Any], name: str) -> Problems:
    service = compose["services"][name]
    problems: Problems = []
    if service.get("network_mode") != "host":
        problems.append(f"{name}: network_mode is {service.get('network_mode')!r}, not host")
    if service.get("ports") or service.get("networks"):
        problems.append(f"{name}: ports or networks given; with host networking there are none")
    if (service.get("build") or {}).get("network") != "host":
        problems.append(f"{name}: the build does not use the host's network")
    return problems


def check_host_environment(
    compose: dict[str, Any],
    name: str,
    env: Mapping[str, str] | None = None,
    loader: SettingsLoader = service_settings_class,
) -> Problems:
    """Every PINGYI_* variable is read by the service; with only the required variables set,
    it is a production service on its agreed port, bound to every address, reaching
    PostgreSQL and NATS on the host's loopback."""
    try:
        values = service_env(compose["services"][name], env or sample_env(name, loader))
        own = loader(name)
        common, settings = settings_for(name, values, loader)
    except MissingVariable as exc:
        return [f"{name}: environment needs a variable the operator does not set: {exc}"]
    except Exception as exc:  # a missing module or a rejected value fails, never skips
        return [f"{name}: settings cannot be made: {type(exc).__name__}: {exc}"]
    readable = env_names(CommonSettings) | env_names(own)
    problems = [
        f"{name}: {key} is not read by CommonSettings or {own.__name__}"
        for key in sorted(values)
        if key.startswith("PINGYI_") and key.upper() not in readable
    ]
    if common.mode != "production":
        problems.append(f"{name}: mode is {common.mode!r}, not production")
    if settings.host != "0.0.0.0" or settings.port != APP_PORTS[name]:
        problems.append(f"{name}: binds {settings.host}:{settings.port} by default")
    if common.bootstrap_admin_key is None:
        problems.append(f"{name}: no bootstrap admin key reaches the service")
    if urlsplit(common.database_url).hostname != "127.0.0.1":
        problems.append(f"{name}: the default database is not on the host's loopback")
    if common.nats_url != "nats://127.0.0.1:4222":
        problems.append(f"{name}: the default NATS URL {common.nats_url!r} is not the host's")
    return problems


def check_host_port_follows(
    compose: dict[str, Any], name: str, port: int = 18999, address: str = "127.0.0.2"
) -> Problems:
    """One variable moves the service and its health check together, and the health check
    calls the address the service binds: with host networking a check on a port or an
    address the service does not listen on fails forever (PINGYI_LISTEN_ADDRESS set to one
    of the host's addresses, and 127.0.0.1 is not it)."""
    variable = f"PINGYI_{name.upper()}_PORT"
    env = {**sample_env(name), variable: str(port), "PINGYI_LISTEN_ADDRESS": address}
    service = compose["services"][name]
    try:
        values = service_env(service, env)
        _, settings = settings_for(name, values)
        called = probe_url(service["healthcheck"]["test"], values, name)
    except (MissingVariable, KeyError, TypeError, ValueError) as exc:
        return [f"{name}: {type(exc).__name__}: {exc}"]
    problems: Problems = []
    if (settings.host, settings.port) != (address, port):
        problems.append(f"{name}: {variable} or PINGYI_LISTEN_ADDRESS does not reach it")
    expected = f"http://{address}:{port}/readyz"
    if called != expected:
        problems.append(
            f"{name}: with {variable}={port} and PINGYI_LISTEN_ADDRESS={address} the "
            f"healthcheck calls {called}, expected {expected}"
        )
    return problems


def check_host_service(compose: dict[str, Any], name: str, pyproject: dict[str, Any]) -> Problems:
    if name not in (compose.get("services") or {}):
        return [f"service {name!r} is missing"]
    return [
        *check_command(compose, name, pyproject),
        *check_host_network(compose, name),
        *check_host_environment(compose, name),
        *check_admin_key_required(compose, name),
        *check_seal_key_required(compose, name),
        *check_secrets_wired(compose, name),
        *check_host_port_follows(compose, name),
        *check_lifecycle(compose, name),
    ]
