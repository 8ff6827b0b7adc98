"""Settings read from the environment with pydantic-settings.

`CommonSettings` (prefix `PINGYI_`) is what all services share: the mode, where data lives,
NATS, the bootstrap key, the HTTP edge's limits (`shared.web.settings`). Each service adds its
own class with prefix `PINGYI_<SERVICE>_` (port, PostgreSQL schema, consumer batch size).
`persistence_env` maps both onto the environment keys the eventsourcing library reads.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from psycopg import ProgrammingError
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from shared.persistence import config as pg
from shared.web.settings import HttpLimits

Mode = Literal["embedded", "production", "memory"]

NATS_START_WAIT_SECONDS = 60.0
"""`PINGYI_NATS_START_WAIT_SECONDS`'s default (and `PINGYI_DATABASE_START_WAIT_SECONDS`'s):
how long a start waits for a server before the process exits non-zero."""

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

EVENT_STORE_CONNECTION = ("dbname", "host", "port", "user", "password")
"""What the eventsourcing library's PostgreSQL datastore takes from its POSTGRES_* keys;
every other parameter of the database URL reaches it as `pg.CONNECTION_PARAMS_KEY`."""


class CommonSettings(HttpLimits):
    """Also the HTTP edge's body and rate limits (`HttpLimits`: PINGYI_BODY_LIMIT, ...)."""

    # hide_input_in_errors: an error names the variable and the reason, never a value (the
    # whole environment is the input, secrets included); every service's class inherits it.
    model_config = SettingsConfigDict(
        env_prefix="PINGYI_", extra="ignore", hide_input_in_errors=True
    )

    mode: Mode = "embedded"
    """embedded: SQLite files, one process (`pingyi up`); production: PostgreSQL and NATS
    JetStream (`pingyi serve`); memory: for tests only, everything in this process's memory
    and gone when the service stops (event store, views, and consumers reading the upstream
    services running in this process); the commands refuse it."""
    data_dir: Path = Path("pingyi-data")
    database_url: str = "postgresql://postgres@127.0.0.1:5432/pingyi"
    """A libpq URL or conninfo string; every connection the services make (event stores,
    views, leases, LISTEN) uses all its parameters: `?sslmode=verify-full&sslrootcert=...`,
    `options`, `target_session_attrs`, several hosts."""
    nats_url: str = "nats://127.0.0.1:4222"
    """One server, or several separated by commas (`nats://a:4222,nats://b:4222`): the
    client connects to any of them and moves to another when its server goes."""
    nats_stream_replicas: int = Field(default=1, ge=1, le=5)
    """How many JetStream servers keep each stream this deployment creates (every service's
    stream and the seals stream): 3 on a three-node cluster (docs/scaling.md). Every service
    of a deployment must use the same number: whoever starts first creates a stream, and the
    others update it to their own setting."""
    nats_start_wait_seconds: float = Field(default=NATS_START_WAIT_SECONDS, gt=0, le=3600)
    """How long a start waits for NATS (retrying with a growing pause, one line per attempt)
    before it gives up and the process exits non-zero, for its orchestrator to start it
    again. Keep it inside the orchestrator's allowance for a start (the k8s startup probe's
    90 s, docs/scaling.md)."""
    namespace: str = Field(default="pingyi", pattern=r"^[a-z][a-z0-9_]*$")
    bootstrap_admin_key: SecretStr | None = None
    log_level: str = "INFO"
    """A name of the logging module's levels, in any case (`info`, `WARNING`)."""
    log_json: bool = True
    otlp_endpoint: str | None = Field(default=None, pattern=r"^https?://\S+$")
    """Where spans are exported over OTLP/HTTP (`http://collector:4318/v1/traces`); none are
    exported when unset (the default). See docs/observability.md."""
    otlp_headers: SecretStr | None = None
    """Headers sent with every export, `name=value,name=value` (a collector's token)."""
    trace_sql: bool = False
    """A span for every SQL statement (psycopg's instrumentation): useful while exporting,
    mere overhead otherwise."""
    auth_max_staleness_seconds: float = Field(default=30.0, gt=0, le=3600)
    """How long a service trusts its copy of API keys without having caught up with the
    registry's log; past it, keys are refused with 503 (fail closed)."""
    registry_wait_seconds: float = Field(default=2.0, ge=0, le=60)
    """How long a write on a service other than the registry, or a request with a key that
    service has not seen yet, waits for its copy of the registry to apply what the registry
    had published (`shared.service.registry_wait`); 0 never waits (a key issued a moment ago
    may then be refused 401 on the other services until their copies have it)."""
    # How long a request waits for a pooled database connection before it is answered 503.
    database_wait_timeout: int = Field(default=10, ge=1, le=300)
    database_start_wait_seconds: float = Field(default=NATS_START_WAIT_SECONDS, gt=0, le=3600)
    """How long a start (production) waits for PostgreSQL, as `nats_start_wait_seconds`
    for NATS: retrying with a growing pause, one line per attempt, then a non-zero exit."""
    views_start_grace_seconds: float = Field(default=30.0, gt=0, le=3600)
    """How long after the API process has set up its views a views process that has never
    reported is "not reported yet" rather than stalled (`shared.service.views_status`)."""
    # The server cancels an event-store write transaction's statement after this long.
    write_statement_timeout: float = Field(default=30.0, gt=0)
    # /readyz is not ready while a write has been in flight longer than this.
    write_stall_after: float = Field(default=15.0, gt=0)
    # The watchdog ends the session of a write in flight this long (the server-side timeout
    # does not fire while a backend waits for the rest of a client message).
    write_terminate_after: float = Field(default=60.0, gt=0)

    seal_key: SecretStr | None = None
    """The ed25519 key that signs the event logs' checkpoints (32 bytes, hex or base64;
    docs/tamper-evidence.md). Embedded mode makes one in the data directory when unset."""
    seal_public_key: str | None = None
    """The public half, for `pingyi audit verify-log` run where the private key is not."""
    seal_every_rows: int = Field(default=1000, ge=1, le=10000)
    seal_every_seconds: float = Field(default=10.0, gt=0, le=3600)
    """A checkpoint after this many new rows, or this long after the first unsealed one."""
    score_check_seconds: float = Field(default=60.0, gt=0, le=86400)
    """How often stored score records are checked against their digests (/readyz)."""

    @field_validator("database_url")
    @classmethod
    def _a_connection_string(cls, url: str) -> str:
        try:
            params = conninfo_to_dict(url)
        except ProgrammingError:
            # psycopg's message quotes the string, password and all.
            raise ValueError(
                "not a PostgreSQL URL or conninfo string "
                "(postgresql://user:password@host:5432/dbname?sslmode=verify-full)"
            ) from None
        # A port that is no number would be retried for the whole start wait
        # ("Servname not supported") before the start gives up.
        for port in str(params.get("port") or "").split(","):
            if port and not (port.isdigit() and 1 <= int(port) <= 65535):
                raise ValueError(f"the port {port!r} is not a TCP port (1 to 65535)")
        return url

    @field_validator("nats_url")
    @classmethod
    def _nats_servers(cls, url: str) -> str:
        # nats-py reads "http://a:4222" as host "http" and retries it for the whole start
        # wait; a port that is no number fails the same way. Said here, in one line.
        servers = [part.strip() for part in url.split(",") if part.strip()]
        if not servers:
            raise ValueError("no NATS server given (nats://host:4222, several separated by ,)")
        schemes = {_nats_server_scheme(server) for server in servers}
        if len(schemes & {"ws", "wss"}) and len(schemes & {"nats", "tls"}):
            raise ValueError("websocket (ws://, wss://) and nats:// servers cannot be mixed")
        return url

    @field_validator("log_level")
    @classmethod
    def _a_log_level(cls, level: str) -> str:
        # Checked here rather than by logging at configure(), which raised a traceback
        # after uvicorn had started.
        name = level.strip().upper()
        if name not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return name

    @field_validator("seal_key")
    @classmethod
    def _a_seal_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None and key.get_secret_value().strip():
            try:  # checked at start, not at the first seal
                seal_key_bytes(key.get_secret_value())
            except ValueError:
                raise ValueError("must be 32 bytes as 64 hex digits or base64") from None
        return key

    @model_validator(mode="after")
    def _write_bounds_in_order(self) -> CommonSettings:
        if self.write_terminate_after <= self.write_statement_timeout:
            raise ValueError(
                "PINGYI_WRITE_TERMINATE_AFTER must exceed PINGYI_WRITE_STATEMENT_TIMEOUT "
                f"({self.write_terminate_after} <= {self.write_statement_timeout})"
            )
        return self


def seal_key_bytes(text: str, name: str = "PINGYI_SEAL_KEY") -> bytes:
    """An ed25519 key's 32 raw bytes from 64 hex digits or base64; the message never shows
    the key."""
    text = text.strip()
    try:
        raw = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        raw = b""
    if len(raw) != 32:
        raise ValueError(f"{name} must be 32 bytes as 64 hex digits or base64")
    return raw


class ServiceSettings(BaseSettings):
    """Per-service settings; subclasses set `env_prefix` and `service_name`."""

    model_config = SettingsConfigDict(extra="ignore", hide_input_in_errors=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    postgres_schema: str | None = None
    consumer_batch_size: int = Field(default=200, ge=1, le=5000)
    relay_batch_size: int = Field(default=500, ge=1, le=5000)
    relay_in_process: bool = True
    """False when the relay runs in a process of its own (`pingyi serve` starts one)."""
    views_in_process: bool = True
    """False when the leased view consumers run in a process of their own (`pingyi serve`
    starts one: `shared.service.views_process`); the security view and the event-sourced
    processors always run in the API process."""

    @field_validator("port")
    @classmethod
    def _a_port(cls, port: int) -> int:
        # Each service redeclares `port` with its own default, which drops the Field's
        # bounds above; a validator is inherited by name, so this holds for all of them.
        if not 1 <= port <= 65535:
            raise ValueError("must be a TCP port, 1 to 65535")
        return port


def eventsourcing_env(common: CommonSettings, service: str, schema: str | None) -> dict[str, str]:
    """The eventsourcing library's environment for one service's own event store."""
    if common.mode == "memory":
        # Each application instance keeps its own log; only the running service has it.
        return {"PERSISTENCE_MODULE": pg.MEMORY_PERSISTENCE_MODULE}
    if common.mode == "embedded":
        common.data_dir.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(common.data_dir / f"{service}.sqlite"),
            "SQLITE_LOCK_TIMEOUT": "30",
            # Our recorders store each event's message body with it (persistence.messages).
            "APPLICATION_RECORDER_TOPIC": pg.SQLITE_APPLICATION_RECORDER_TOPIC,
            "PROCESS_RECORDER_TOPIC": pg.SQLITE_PROCESS_RECORDER_TOPIC,
        }
    params = conninfo_to_dict(common.database_url)
    # The library's datastore takes only these five; our factory adds the rest (sslmode,
    # sslrootcert, options, target_session_attrs, ...) to every connection it makes.
    rest = {k: v for k, v in params.items() if k not in EVENT_STORE_CONNECTION}
    return {
        "PERSISTENCE_MODULE": pg.POSTGRES_PERSISTENCE_MODULE,
        pg.CONNECTION_PARAMS_KEY: make_conninfo("", **rest),
        "POSTGRES_DBNAME": str(params.get("dbname", "pingyi")),
        "POSTGRES_HOST": str(params.get("host", "127.0.0.1")),
        "POSTGRES_PORT": str(params.get("port", "5432")),
        "POSTGRES_USER": str(params.get("user", "postgres")),
        "POSTGRES_PASSWORD": str(params.get("password", "")),
        "POSTGRES_SCHEMA": schema or service,
        "POSTGRES_POOL_SIZE": "4",
        "POSTGRES_MAX_OVERFLOW": "4",
        "POSTGRES_LOCK_TIMEOUT": "10",
        # The library's pipelined insert can hang for good (docs/upstream/psycopg-pipeline-hang).
        "APPLICATION_RECORDER_TOPIC": pg.APPLICATION_RECORDER_TOPIC,
        "PROCESS_RECORDER_TOPIC": pg.PROCESS_RECORDER_TOPIC,
        # A pooled connection is checked before use, so one left over from before a database
        # restart is replaced instead of failing the request.
        "POSTGRES_PRE_PING": "y",
        "POSTGRES_CONNECT_TIMEOUT": str(common.database_wait_timeout),
        pg.STATEMENT_TIMEOUT_KEY: str(common.write_statement_timeout),
        pg.STALL_AFTER_KEY: str(common.write_stall_after),
        pg.TERMINATE_AFTER_KEY: str(common.write_terminate_after),
    }


class SettingsRefused(Exception):
    """Settings from the environment that a process cannot start with: one line per problem,
    each naming its variable, none showing a value."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


NATS_SCHEMES = ("nats", "tls", "ws", "wss")


def _nats_server_scheme(server: str) -> str:
    """The scheme of one server of `PINGYI_NATS_URL` (a bare host:port is nats://)."""
    scheme, sep, _ = server.partition("://")
    if not sep:
        scheme, server = "nats", f"nats://{server}"
    if scheme not in NATS_SCHEMES:
        raise ValueError(
            f"the scheme {scheme!r} is not one NATS speaks (nats://, tls://, ws://, wss://)"
        )
    try:
        parsed = urlsplit(server)
        port = parsed.port
    except ValueError:
        port_text = server.rpartition(":")[2]
        shown = repr(port_text) if "@" not in port_text else "given"  # never a password
        raise ValueError(f"the port {shown} is not a TCP port (1 to 65535)") from None
    if not parsed.hostname:
        raise ValueError("a NATS server without a host name")
    if port == 0:
        raise ValueError("the port 0 is not a TCP port (1 to 65535)")
    return scheme


def _settings_classes() -> list[type[BaseSettings]]:
    found: list[type[BaseSettings]] = []
    pending: list[type[BaseSettings]] = [BaseSettings]
    while pending:
        for sub in pending.pop().__subclasses__():
            found.append(sub)
            pending.append(sub)
    return found


def _variable(cls: type[BaseSettings], loc: tuple[int | str, ...]) -> str:
    prefix = str(cls.model_config.get("env_prefix") or "")
    field, *inner = [str(part) for part in loc] or [""]
    name = f"{prefix}{field}".upper()
    return f"{name} ({'.'.join(inner)})" if inner else name


def settings_problems(error: BaseException) -> list[str] | None:
    """One line per problem of a settings class's error, naming the environment variable
    (`PINGYI_REGISTRY_PORT: Input should be a valid integer`); None for an error that is not
    about settings. Values never appear: every settings class hides its input."""
    if isinstance(error, SettingsRefused):
        return error.problems
    if isinstance(error, SettingsError):
        # pydantic-settings could not parse a value (JSON of a complex field); it names the
        # field, which names the variable.
        found = re.search(r'field "([^"]+)"', str(error))
        field = found.group(1) if found else None
        for candidate in _settings_classes():
            if field is not None and field in candidate.model_fields:
                return [f"{_variable(candidate, (field,))}: cannot be parsed"]
        return [f"settings: {error}"]
    if not isinstance(error, ValidationError):
        return None
    by_name = {candidate.__name__: candidate for candidate in _settings_classes()}
    cls = by_name.get(error.title)
    if cls is None:
        return None
    problems = []
    for detail in error.errors(include_url=False, include_input=False):
        message = str(detail["msg"]).removeprefix("Value error, ")
        loc = tuple(detail["loc"])
        problems.append(f"{_variable(cls, loc)}: {message}" if loc else message)
    return problems


def load_settings(cls: type[Any]) -> Any:
    """`cls()` from the environment, its errors as `SettingsRefused`."""
    try:
        return cls()
    except (ValidationError, SettingsError) as error:
        problems = settings_problems(error)
        if problems is None:
            raise
        raise SettingsRefused(problems) from None
