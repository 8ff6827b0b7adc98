"""Checkpoints: a signed statement of how far a service's log is sealed and what it held.

Each checkpoint covers the rows after the previous checkpoint up to `position`: it lists
every row's (position, digest) (`entries`, so a verifier can name the exact row that
changed) and gives the chain's link at `position`. The signature covers the canonical JSON
of every field but the entries themselves, which it covers through their SHA-256.

Stored in a table of their own: `<schema>.<service>_seals` in PostgreSQL, the file
`<data_dir>/<service>-seals.sqlite` in embedded mode (apart from the log, so sealing never
takes the log's write lock). Production also publishes them to JetStream (`stream`).
"""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from psycopg import sql

from shared.canonical import canonical_json
from shared.integrity.keys import key_id, verify
from shared.integrity.rows import Reconnecting
from shared.persistence.message_log import schema_of
from shared.persistence.schema_setup import lock_schema_until_commit
from shared.settings import CommonSettings

VERSION = 1


@dataclass(frozen=True)
class Checkpoint:
    service: str
    position: int
    previous_position: int | None
    rows: int
    chain: str
    """Hex of the chain's link at `position`."""
    sealed_at: str
    key_id: str
    entries: bytes
    signature: bytes = b""

    def signed_bytes(self) -> bytes:
        return canonical_json(
            {
                "v": VERSION,
                "service": self.service,
                "position": self.position,
                "previous_position": self.previous_position,
                "rows": self.rows,
                "chain": self.chain,
                "entries_sha256": hashlib.sha256(self.entries).hexdigest(),
                "sealed_at": self.sealed_at,
                "key_id": self.key_id,
            }
        )

    def signed(self, key: Ed25519PrivateKey) -> Checkpoint:
        unsigned = replace(self, key_id=key_id(key.public_key()))
        return replace(unsigned, signature=key.sign(unsigned.signed_bytes()))

    def signature_valid(self, key: Ed25519PublicKey) -> bool:
        return verify(key, self.signature, self.signed_bytes())

    def to_json(self) -> bytes:
        """What JetStream carries."""
        return canonical_json(
            {
                "service": self.service,
                "position": self.position,
                "previous_position": self.previous_position,
                "rows": self.rows,
                "chain": self.chain,
                "sealed_at": self.sealed_at,
                "key_id": self.key_id,
                "entries": base64.b64encode(self.entries).decode(),
                "signature": self.signature.hex(),
            }
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Checkpoint:
        return cls(
            service=str(data["service"]),
            position=int(data["position"]),
            previous_position=(
                None if data["previous_position"] is None else int(data["previous_position"])
            ),
            rows=int(data["rows"]),
            chain=str(data["chain"]),
            sealed_at=str(data["sealed_at"]),
            key_id=str(data["key_id"]),
            entries=base64.b64decode(data["entries"]),
            signature=bytes.fromhex(data["signature"]),
        )


_FIELDS = "position, previous_position, rows, chain, sealed_at, key_id, entries, signature"


class CheckpointStore(Protocol):
    def setup(self) -> None: ...

    def last(self) -> Checkpoint | None: ...

    def all(self) -> list[Checkpoint]: ...

    def add(self, checkpoint: Checkpoint) -> bool:
        """False when a checkpoint at that position is already there (another sealer)."""
        ...

    def close(self) -> None: ...


def _checkpoint(service: str, record: tuple[Any, ...]) -> Checkpoint:
    position, previous, rows, chain, sealed_at, kid, entries, signature = record
    return Checkpoint(
        service,
        int(position),
        None if previous is None else int(previous),
        int(rows),
        str(chain),
        str(sealed_at),
        str(kid),
        bytes(entries),
        bytes(signature),
    )


def _values(checkpoint: Checkpoint) -> tuple[Any, ...]:
    c = checkpoint
    return (
        c.position,
        c.previous_position,
        c.rows,
        c.chain,
        c.sealed_at,
        c.key_id,
        c.entries,
        c.signature,
    )


class SQLiteCheckpoints:
    def __init__(self, path: Path, service: str, *, create: bool = True) -> None:
        self.service = service
        if not create and not path.is_file():
            raise FileNotFoundError(f"no checkpoints file {path}")
        self._conn = sqlite3.connect(path, timeout=30, check_same_thread=False)

    def setup(self) -> None:
        with self._conn:
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS seals (position INTEGER PRIMARY KEY, "
                "previous_position INTEGER, rows INTEGER NOT NULL, chain TEXT NOT NULL, "
                "sealed_at TEXT NOT NULL, key_id TEXT NOT NULL, entries BLOB NOT NULL, "
                "signature BLOB NOT NULL)"
            )

    def last(self) -> Checkpoint | None:
        found = self._conn.execute(
            f"SELECT {_FIELDS} FROM seals ORDER BY position DESC LIMIT 1"
        ).fetchone()
        return None if found is None else _checkpoint(self.service, found)

    def all(self) -> list[Checkpoint]:
        found = self._conn.execute(f"SELECT {_FIELDS} FROM seals ORDER BY position").fetchall()
        return [_checkpoint(self.service, r) for r in found]

    def add(self, checkpoint: Checkpoint) -> bool:
        with self._conn:
            cursor = self._conn.execute(
                f"INSERT OR IGNORE INTO seals ({_FIELDS}) VALUES (?,?,?,?,?,?,?,?)",
                _values(checkpoint),
            )
        return cursor.rowcount == 1

    def close(self) -> None:
        self._conn.close()


class PostgresCheckpoints(Reconnecting):
    def __init__(self, database_url: str, service: str) -> None:
        super().__init__(database_url)
        self.service = service
        self._table = sql.Identifier(schema_of(service), f"{service}_seals")

    def _run(self, text: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._conn.cursor(binary=True) as cursor:
            cursor.execute(sql.SQL(text).format(table=self._table), params)
            return cursor.fetchall() if cursor.description else []

    def setup(self) -> None:
        schema = schema_of(self.service)
        with self._conn.transaction():
            lock_schema_until_commit(self._conn, schema)
            self._conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema))
            )
            self._run(
                "CREATE TABLE IF NOT EXISTS {table} (position bigint PRIMARY KEY, "
                "previous_position bigint, rows integer NOT NULL, chain text NOT NULL, "
                "sealed_at text NOT NULL, key_id text NOT NULL, entries bytea NOT NULL, "
                "signature bytea NOT NULL)"
            )

    def last(self) -> Checkpoint | None:
        found = self._run(f"SELECT {_FIELDS} FROM {{table}} ORDER BY position DESC LIMIT 1")
        return _checkpoint(self.service, found[0]) if found else None

    def all(self) -> list[Checkpoint]:
        found = self._run(f"SELECT {_FIELDS} FROM {{table}} ORDER BY position")
        return [_checkpoint(self.service, r) for r in found]

    def add(self, checkpoint: Checkpoint) -> bool:
        found = self._run(
            f"INSERT INTO {{table}} ({_FIELDS}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s) "
            "ON CONFLICT (position) DO NOTHING RETURNING position",
            _values(checkpoint),
        )
        return bool(found)


def seals_path(common: CommonSettings, service: str) -> Path:
    return common.data_dir / f"{service}-seals.sqlite"


def open_checkpoints(
    common: CommonSettings, service: str, *, create: bool = True
) -> CheckpointStore:
    if common.mode == "production":
        return PostgresCheckpoints(common.database_url, service)
    if common.mode == "embedded":
        return SQLiteCheckpoints(seals_path(common, service), service, create=create)
    raise ValueError("memory mode keeps nothing to seal")
