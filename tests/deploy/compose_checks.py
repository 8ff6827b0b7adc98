"""Static checks of deploy/compose.yaml against the code it deploys.

No Docker engine runs where the tests do, so the compose file is read as data and compared
with what the services really read: the settings classes, the console script in
pyproject.toml, the default ports. Each check takes parsed input and returns a list of
problems (empty when consistent), so a test can feed it a deliberately broken copy and see
it complain.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import tomllib
import typing
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import yaml
from pydantic import SecretStr
from pydantic_settings import BaseSettings

from shared.settings import CommonSettings, ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
APP_PORTS = {
    "registry": 8701,
    "survey": 8702,
    "inspection": 8703,
    "scoring": 8704,
    "reporting": 8705,
}
INFRA = ("nats", "postgres")
PROBE = "pingyi-probe"
# What the operator is expected to supply when interpolating the compose file.
SAMPLE_ENV = {
    "PINGYI_BOOTSTRAP_ADMIN_KEY": "pyk_sample-admin-key",
    "PINGYI_REGISTRY_CONTACT_KEY": "sample-contact-key",
    "PINGYI_SEAL_KEY": "11" * 32,
    "PINGYI_SURVEY_VOTER_KEY": "sample-voter-key",
}
OPTIONAL_SECRETS = {
    "PINGYI_OTLP_HEADERS": "sent only with traces (PINGYI_OTLP_ENDPOINT), which no deployment "
    "file configures; whoever adds an endpoint adds its headers beside it",
    "PINGYI_SURVEY_SMS_GATEWAY_TOKEN": "sent only to the SMS gateway "
    "(PINGYI_SURVEY_SMS_GATEWAY_URL), which is the operator's SMS provider and no deployment "
    "file can name; deploy/README.md says to set both together",
}
"""Secret settings (SecretStr fields) a deployment need not wire, each with the reason.
Every other one is required wherever the service that reads it is deployed."""

Problems = list[str]
SettingsLoader = Callable[[str], type[BaseSettings]]


# --- loading ---------------------------------------------------------------------------------


def load_compose(path: Path = DEPLOY / "compose.yaml") -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def load_pyproject(path: Path = ROOT / "pyproject.toml") -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


@cache
def load_probe() -> ModuleType:
    """deploy/probe.py (`pingyi-probe` in the image), loaded from its file."""
    spec = importlib.util.spec_from_file_location("pingyi_probe", DEPLOY / "probe.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def service_settings_class(service: str) -> type[ServiceSettings]:
    """The service's own settings class, as its definition declares it."""
    from pingyi.catalog import definition

    return definition(service).settings


# --- compose variable interpolation ----------------------------------------------------------

_VARIABLE = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
)


class MissingVariable(LookupError):
    pass


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `$$`."""

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg") or ""
        present = name in env and (env[name] != "" or not (op or "").startswith(":"))
        if present:
            return env[name]
        if op in (":-", "-"):
            return arg
        if op in (":?", "?"):
            raise MissingVariable(f"{name}: {arg}")
        return ""

    return _VARIABLE.sub(substitute, value)


def service_env(service: dict[str, Any], env: Mapping[str, str]) -> dict[str, str]:
    raw = service.get("environment") or {}
    if isinstance(raw, list):  # the `- KEY=value` form
        raw = dict(item.split("=", 1) for item in raw)
    return {key: interpolate(str(value), env) for key, value in raw.items()}


# --- the settings the services read ----------------------------------------------------------


def env_names(cls: type[BaseSettings]) -> set[str]:
    """Every environment variable a pydantic-settings class reads (upper-cased)."""
    prefix = str(cls.model_config.get("env_prefix", ""))
    names = set()
    for field_name, field in cls.model_fields.items():
        names.add(f"{prefix}{field_name}".upper())
        if isinstance(field.validation_alias, str):
            names.add(field.validation_alias.upper())
    return names


def secret_names(cls: type[BaseSettings]) -> set[str]:
    """The environment variables of a settings class's secret fields (SecretStr)."""
    prefix = str(cls.model_config.get("env_prefix", ""))
    names = set()
    for field_name, field in cls.model_fields.items():
        if field.annotation is SecretStr or SecretStr in typing.get_args(field.annotation):
            alias = field.validation_alias
            names.add(alias.upper() if isinstance(alias, str) else f"{prefix}{field_name}".upper())
    return names


def required_secrets(service: str, loader: SettingsLoader = service_settings_class) -> set[str]:
    """Every secret the service reads (common and its own) that a deployment must wire."""
    found = secret_names(CommonSettings) | secret_names(loader(service))
    return {name for name in found if name not in OPTIONAL_SECRETS}


def sample_env(service: str, loader: SettingsLoader = service_settings_class) -> dict[str, str]:
    """What the operator supplies: SAMPLE_ENV, and a sample for any secret it lacks (a new
    secret then shows up as missing from the file, not from this list)."""
    samples = {name: f"sample-{name.lower()}" for name in required_secrets(service, loader)}
    return samples | SAMPLE_ENV


@contextmanager
def environment(env: Mapping[str, str]) -> Iterator[None]:
    """Exactly `env` as the process environment, for instantiating settings."""
    with mock.patch.dict(os.environ, dict(env), clear=True):
        yield


def settings_for(
    service: str, env: Mapping[str, str], loader: SettingsLoader = service_settings_class
) -> tuple[CommonSettings, Any]:
    cls = loader(service)
    with environment(env):
        return CommonSettings(), cls()


# --- compose checks --------------------------------------------------------------------------


def check_service_set(compose: dict[str, Any]) -> Problems:
    present = set(compose.get("services") or {})
    expected = set(APP_PORTS) | set(INFRA)
    problems = [f"service {name!r} is missing" for name in sorted(expected - present)]
    problems += [f"unexpected service {name!r}" for name in sorted(present - expected)]
    return problems


def check_command(compose: dict[str, Any], name: str, pyproject: dict[str, Any]) -> Problems:
    service = compose["services"][name]
    command = service.get("command")
    if isinstance(command, str):
        command = shlex.split(command)
    problems: Problems = []
    if command != ["pingyi", "serve", name]:
        problems.append(f"{name}: command is {command!r}, expected ['pingyi', 'serve', {name!r}]")
    scripts = pyproject.get("project", {}).get("scripts", {})
    if command and command[0] not in scripts:
        problems.append(f"{name}: {command[0]!r} is not a console script in pyproject.toml")
    return problems


def check_environment(
    compose: dict[str, Any], name: str, loader: SettingsLoader = service_settings_class
) -> Problems:
    """Every PINGYI_* variable is one the service reads, and together they configure it
    for production on its published port."""
    try:
        env = service_env(compose["services"][name], sample_env(name, loader))
    except MissingVariable as exc:
        return [f"{name}: environment needs a variable the operator does not set: {exc}"]
    except Exception as exc:  # a missing module must fail the check, not skip it
        return [f"{name}: settings class cannot be loaded: {type(exc).__name__}: {exc}"]
    try:
        own = loader(name)
    except Exception as exc:  # a missing module must fail the check, not skip it
        return [f"{name}: settings class cannot be loaded: {type(exc).__name__}: {exc}"]
    readable = env_names(CommonSettings) | env_names(own)
    problems = [
        f"{name}: {key} is not read by CommonSettings or {own.__name__}"
        for key in sorted(env)
        if key.startswith("PINGYI_") and key.upper() not in readable
    ]
    try:
        common, settings = settings_for(name, env, loader)
    except Exception as exc:
        return [*problems, f"{name}: settings reject the environment: {exc}"]
    if common.mode != "production":
        problems.append(f"{name}: mode is {common.mode!r}, not production")
    if settings.host != "0.0.0.0":
        problems.append(f"{name}: listens on {settings.host!r}; a container must bind 0.0.0.0")
    if settings.port != APP_PORTS[name]:
        problems.append(f"{name}: port is {settings.port}, the agreed port is {APP_PORTS[name]}")
    if common.bootstrap_admin_key is None:
        problems.append(f"{name}: no bootstrap admin key reaches the service")
    problems += _check_connections(compose, name, common)
    return problems


def _check_connections(compose: dict[str, Any], name: str, common: CommonSettings) -> Problems:
    problems: Problems = []
    db = urlsplit(common.database_url)
    pg_env = service_env(compose["services"].get("postgres", {}), SAMPLE_ENV)
    expected_db = (
        pg_env.get("POSTGRES_USER"),
        pg_env.get("POSTGRES_PASSWORD"),
        pg_env.get("POSTGRES_DB"),
    )
    if db.hostname != "postgres" or (db.username, db.password, db.path.lstrip("/")) != expected_db:
        problems.append(f"{name}: database URL does not match the postgres service")
    if urlsplit(common.nats_url).hostname != "nats" or urlsplit(common.nats_url).port != 4222:
        problems.append(f"{name}: NATS URL {common.nats_url!r} is not nats:4222")
    return problems


def check_admin_key_required(compose: dict[str, Any], name: str) -> Problems:
    """Starting without the bootstrap key must fail at `compose up`, not at first request."""
    return check_required(compose, name, "PINGYI_BOOTSTRAP_ADMIN_KEY")


def check_seal_key_required(compose: dict[str, Any], name: str) -> Problems:
    """Without the sealing key a production service logs a warning and seals nothing
    (docs/tamper-evidence.md): compose refuses to start instead. It must also be a key
    the service accepts."""
    problems = check_required(compose, name, "PINGYI_SEAL_KEY")
    try:
        values = service_env(compose["services"][name], SAMPLE_ENV)
    except MissingVariable as exc:
        return [*problems, f"{name}: {exc}"]
    if values.get("PINGYI_SEAL_KEY") != SAMPLE_ENV["PINGYI_SEAL_KEY"]:
        problems.append(f"{name}: PINGYI_SEAL_KEY does not pass the operator's key on")
    return problems


def check_required(
    compose: dict[str, Any], name: str, variable: str, env: Mapping[str, str] = SAMPLE_ENV
) -> Problems:
    others = {k: v for k, v in env.items() if k != variable}
    try:
        service_env(compose["services"][name], others)
    except MissingVariable:
        return []
    return [f"{name}: starts without {variable}; use ${{VAR:?...}}"]


def check_secrets_wired(
    compose: dict[str, Any], name: str, loader: SettingsLoader = service_settings_class
) -> Problems:
    """Every secret the service reads (a SecretStr field of CommonSettings or its own class,
    but OPTIONAL_SECRETS) is passed on from the operator's environment, and compose refuses
    to start without it: an unset secret would only show once a request needs it (public
    voting answering 503 voting_unavailable, for the voter key)."""
    try:
        env = sample_env(name, loader)
        secrets = required_secrets(name, loader)
    except Exception as exc:
        return [f"{name}: settings class cannot be loaded: {type(exc).__name__}: {exc}"]
    try:
        values = service_env(compose["services"][name], env)
    except MissingVariable as exc:
        return [f"{name}: {exc}"]
    problems: Problems = []
    for variable in sorted(secrets):
        if values.get(variable) != env[variable]:
            problems.append(f"{name}: the secret {variable} is not passed on to it")
        else:
            problems += check_required(compose, name, variable, env)
    return problems


def published_ports(service: dict[str, Any]) -> list[tuple[int | None, int]]:
    """(host, container) pairs from the short or the long port syntax."""
    pairs: list[tuple[int | None, int]] = []
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):
            published = entry.get("published")
            pairs.append((int(published) if published else None, int(entry["target"])))
            continue
        parts = str(entry).split("/")[0].split(":")
        host = int(parts[-2]) if len(parts) >= 2 and parts[-2] else None
        pairs.append((host, int(parts[-1])))
    return pairs


def check_ports(compose: dict[str, Any], name: str) -> Problems:
    service = compose["services"][name]
    try:
        env = service_env(service, SAMPLE_ENV)
    except MissingVariable as exc:
        return [f"{name}: {exc}"]
    port_var = f"PINGYI_{name.upper()}_PORT"
    if port_var not in env:
        return [f"{name}: {port_var} is not set, so the published port is a guess"]
    port = int(env[port_var])
    pairs = published_ports(service)
    if pairs != [(port, port)]:
        return [f"{name}: ports {pairs} do not publish {port_var}={port} as {port}:{port}"]
    return []


def probe_url(test: Any, env: Mapping[str, str], name: str) -> str | None:
    """The URL a `["CMD", "pingyi-probe", <target>]` health check calls in the container of
    `pingyi serve <name>` with environment `env` (None when it is no such check)."""
    if not isinstance(test, list) or len(test) != 3 or test[:2] != ["CMD", PROBE]:
        return None
    target = interpolate(str(test[2]), env)
    return str(load_probe().resolve_url(target, env, ["pingyi", "serve", name]))


def check_healthcheck(compose: dict[str, Any], name: str) -> Problems:
    """The readiness check calls /readyz where the service listens (0.0.0.0: the loopback)."""
    service = compose["services"][name]
    test = (service.get("healthcheck") or {}).get("test")
    if not test or test == ["NONE"]:
        return [f"{name}: no healthcheck"]
    env = service_env(service, sample_env(name))
    port = env.get(f"PINGYI_{name.upper()}_PORT")
    expected = f"http://127.0.0.1:{port}/readyz"
    called = probe_url(test, env, name)
    if called != expected:
        return [f"{name}: healthcheck {test!r} calls {called}, expected {expected}"]
    return []


def check_dependencies(compose: dict[str, Any], name: str) -> Problems:
    depends = compose["services"][name].get("depends_on") or {}
    problems: Problems = []
    for infra in INFRA:
        condition = depends.get(infra, {}).get("condition") if isinstance(depends, dict) else None
        if condition != "service_healthy":
            problems.append(f"{name}: does not wait for {infra} to be healthy")
        if not (compose["services"].get(infra, {}).get("healthcheck") or {}).get("test"):
            problems.append(f"{name}: waits on {infra}, which has no healthcheck")
    return problems


def check_lifecycle(compose: dict[str, Any], name: str) -> Problems:
    service = compose["services"][name]
    problems: Problems = []
    if service.get("restart") != "unless-stopped":
        problems.append(f"{name}: restart is {service.get('restart')!r}")
    if service.get("stop_grace_period") != "30s":
        problems.append(f"{name}: stop_grace_period is {service.get('stop_grace_period')!r}")
    return problems


def check_app_service(
    compose: dict[str, Any],
    name: str,
    pyproject: dict[str, Any],
    loader: SettingsLoader = service_settings_class,
) -> Problems:
    if name not in (compose.get("services") or {}):
        return [f"service {name!r} is missing"]
    return [
        *check_command(compose, name, pyproject),
        *check_environment(compose, name, loader),
        *check_admin_key_required(compose, name),
        *check_seal_key_required(compose, name),
        *check_secrets_wired(compose, name, loader),
        *check_ports(compose, name),
        *check_healthcheck(compose, name),
        *check_dependencies(compose, name),
        *check_lifecycle(compose, name),
    ]


def check_infrastructure(compose: dict[str, Any]) -> Problems:
    services = compose.get("services") or {}
    problems: Problems = []
    nats = services.get("nats", {})
    command = nats.get("command") or []
    if not str(nats.get("image", "")).startswith("nats:2.10"):
        problems.append(f"nats: image {nats.get('image')!r} is not nats:2.10")
    if "-js" not in command or "-sd" not in command:
        problems.append("nats: JetStream (-js) with a store directory (-sd) is not enabled")
    else:
        store = command[command.index("-sd") + 1]
        if not any(str(v).endswith(f":{store}") for v in nats.get("volumes") or []):
            problems.append(f"nats: the store {store} is not on a volume")
    if "8222/healthz" not in " ".join(map(str, (nats.get("healthcheck") or {}).get("test", []))):
        problems.append("nats: the healthcheck does not use the monitoring port's /healthz")
    postgres = services.get("postgres", {})
    if not str(postgres.get("image", "")).startswith("postgres:16"):
        problems.append(f"postgres: image {postgres.get('image')!r} is not postgres:16")
    if (postgres.get("environment") or {}).get("POSTGRES_DB") != "pingyi":
        problems.append("postgres: POSTGRES_DB is not pingyi")
    if not any(str(v).endswith(":/var/lib/postgresql/data") for v in postgres.get("volumes") or []):
        problems.append("postgres: the data directory is not on a volume")
    if "pg_isready" not in " ".join(map(str, (postgres.get("healthcheck") or {}).get("test", []))):
        problems.append("postgres: the healthcheck does not use pg_isready")
    return problems
