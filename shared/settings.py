"""Settings read from the environment with pydantic-settings.

`CommonSettings` (prefix `PINGYI_`) is what all services share: the mode, where data lives,
NATS, the bootstrap key, the HTTP edge's limits (`shared.web.settings`). Each service adds its
own class with prefix `PINGYI_<SERVICE>_` (port, PostgreSQL schema, consumer batch size).
`persistence_env` maps both onto the environment keys the eventsourcing library reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from psycopg.conninfo import conninfo_to_dict
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.web.settings import HttpLimits

Mode = Literal["embedded", "production"]


class CommonSettings(HttpLimits):
    """Also the HTTP edge's body and rate limits (`HttpLimits`: PINGYI_BODY_LIMIT, ...)."""

    model_config = SettingsConfigDict(env_prefix="PINGYI_", extra="ignore")

    mode: Mode = "embedded"
    data_dir: Path = Path("pingyi-data")
    database_url: str = "postgresql://postgres@127.0.0.1:5432/pingyi"
    nats_url: str = "nats://127.0.0.1:4222"
    namespace: str = Field(default="pingyi", pattern=r"^[a-z][a-z0-9_]*$")
    bootstrap_admin_key: SecretStr | None = None
    log_level: str = "INFO"
    log_json: bool = True


class ServiceSettings(BaseSettings):
    """Per-service settings; subclasses set `env_prefix` and `service_name`."""

    model_config = SettingsConfigDict(extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    postgres_schema: str | None = None
    consumer_batch_size: int = Field(default=200, ge=1, le=5000)
    relay_batch_size: int = Field(default=500, ge=1, le=5000)


def eventsourcing_env(common: CommonSettings, service: str, schema: str | None) -> dict[str, str]:
    """The eventsourcing library's environment for one service's own event store."""
    if common.mode == "embedded":
        common.data_dir.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(common.data_dir / f"{service}.sqlite"),
            "SQLITE_LOCK_TIMEOUT": "30",
        }
    params = conninfo_to_dict(common.database_url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": str(params.get("dbname", "pingyi")),
        "POSTGRES_HOST": str(params.get("host", "127.0.0.1")),
        "POSTGRES_PORT": str(params.get("port", "5432")),
        "POSTGRES_USER": str(params.get("user", "postgres")),
        "POSTGRES_PASSWORD": str(params.get("password", "")),
        "POSTGRES_SCHEMA": schema or service,
        "POSTGRES_POOL_SIZE": "4",
        "POSTGRES_MAX_OVERFLOW": "4",
        "POSTGRES_LOCK_TIMEOUT": "10",
    }
