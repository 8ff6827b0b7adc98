"""Service secrets (keys for keyed hashes and seals) without a secrets server to install:
- the named environment variable (or the application's eventsourcing env), in production;
- else, in embedded mode only, a random secret in a file beside the service's SQLite file,
  created on first use with mode 0600 (the data directory is then what must be protected);
- else, in memory mode (tests), a random secret that lives as long as the application, as
  its in-memory events do.
Otherwise None: the feature that needs it answers 503 rather than run with a guessable key.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from pathlib import Path

from shared.persistence.config import IN_MEMORY_MODULES


def service_secret(env: Mapping[str, str], variable: str, file_name: str) -> str | None:
    configured = env.get(variable)
    if configured:
        return configured
    if env.get("PERSISTENCE_MODULE") in IN_MEMORY_MODULES:
        return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")
    database = env.get("SQLITE_DBNAME") or ""
    if env.get("PERSISTENCE_MODULE") != "eventsourcing.sqlite" or not database:
        return None
    if database.startswith((":memory:", "file:")):
        return None
    return _embedded_secret(Path(database).parent / file_name)


def _embedded_secret(path: Path) -> str:
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    secret = base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(secret + "\n")
    return secret
