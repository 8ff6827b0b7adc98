"""The hash chain: each stored row's canonical bytes, its digest, and the chain's links.

A row's canonical bytes are seven length-prefixed fields (8-byte big-endian length, then the
bytes): a version tag, the notification id (decimal), the originator id (UUID in its
hyphenated lowercase form), the originator version (decimal), the topic (UTF-8), the stored
state and the stored message body. A NULL body has the length 2**64 - 1 and no bytes, so it
differs from an empty body (an event that publishes nothing). Length prefixes make the
encoding unambiguous without escaping: no two rows share bytes.

link(n) = SHA-256(link(n-1) || SHA-256(row bytes of n)), link(-1) = 32 zero bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from uuid import UUID

ROW_TAG = b"pingyi-seal-row-v1"
GENESIS = bytes(32)
_NULL_LENGTH = (2**64 - 1).to_bytes(8, "big")


@dataclass(frozen=True, slots=True)
class Row:
    """One stored event as the events table holds it."""

    position: int
    originator_id: str
    version: int
    topic: str
    state: bytes
    message: bytes | None


def originator_text(value: UUID | str) -> str:
    """SQLite stores ids as 32 hex digits and PostgreSQL as uuid: one text for both."""
    if isinstance(value, UUID):
        return str(value)
    try:
        return str(UUID(value))
    except ValueError:
        return value  # not a UUID: whatever was stored is what is sealed


def _field(data: bytes | None) -> bytes:
    if data is None:
        return _NULL_LENGTH
    return len(data).to_bytes(8, "big") + data


def row_bytes(row: Row) -> bytes:
    return b"".join(
        _field(part)
        for part in (
            ROW_TAG,
            str(row.position).encode(),
            row.originator_id.encode("utf-8", "surrogateescape"),
            str(row.version).encode(),
            row.topic.encode("utf-8", "surrogateescape"),
            row.state,
            row.message,
        )
    )


def row_digest(row: Row) -> bytes:
    return hashlib.sha256(row_bytes(row)).digest()


def link(previous: bytes, digest: bytes) -> bytes:
    return hashlib.sha256(previous + digest).digest()


ENTRY_SIZE = 40
"""A checkpoint lists each row it covers as (position: 8 bytes big-endian, row digest: 32)."""


def entry(position: int, digest: bytes) -> bytes:
    return position.to_bytes(8, "big") + digest


def read_entries(blob: bytes) -> list[tuple[int, bytes]]:
    if len(blob) % ENTRY_SIZE:
        raise ValueError(f"entries of {len(blob)} bytes are not a whole number of rows")
    return [
        (int.from_bytes(blob[i : i + 8], "big"), blob[i + 8 : i + ENTRY_SIZE])
        for i in range(0, len(blob), ENTRY_SIZE)
    ]
