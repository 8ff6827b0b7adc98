"""Writing a bundle: streamed part by part, hashed as written, its manifest last, under
a temporary name until whole."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from shared.canonical import canonical_json
from shared.contracts.envelope import IntegrationMessage
from shared.reasons import first_problem

from .layout import (
    EPOCH,
    FORMAT,
    MANIFEST,
    MAX_LINE,
    ORIGINS,
    RESULTS,
    SCHEME,
    TOO_LONG,
    VERSION,
    InconsistentBundle,
    check_about,
    message_part,
)


def write_bundle(
    path: Path,
    *,
    scheme: Mapping[str, Any],
    messages: Mapping[str, Iterable[bytes]],
    results: Mapping[str, Any],
    about: Mapping[str, Any],
) -> dict[str, Any]:
    """Write the bundle; its manifest is returned. `messages`: origin -> the encoded
    messages of its log in position order (streamed, never held). `about`: what the bundle
    is of (campaign_id, round, read_to: origin -> the last position of its log written, and
    anything else, such as the run's id), recorded in the manifest as given once checked
    against what was written (`check_about`); a mismatch raises `InconsistentBundle` and
    leaves no file."""
    unknown = sorted(set(messages) - set(ORIGINS))
    if unknown:
        raise ValueError(f"not an upstream of scoring: {', '.join(unknown)}")
    origins = [origin for origin in ORIGINS if origin in messages]
    partial = path.with_name(path.name + ".partial")
    try:
        manifest = _write_parts(partial, scheme, messages, results, about, origins)
        partial.replace(path)  # a reader never sees half a bundle under the real name
    except BaseException:  # the rename too: a folder at `path` left the whole .partial
        partial.unlink(missing_ok=True)
        raise
    return manifest


def _write_parts(
    partial: Path,
    scheme: Mapping[str, Any],
    messages: Mapping[str, Iterable[bytes]],
    results: Mapping[str, Any],
    about: Mapping[str, Any],
    origins: list[str],
) -> dict[str, Any]:
    parts: dict[str, dict[str, Any]] = {}
    logs: dict[str, dict[str, Any]] = {}
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        parts[SCHEME] = _write(archive, SCHEME, [_bounded(SCHEME, canonical_json(scheme))])
        for origin in origins:
            summary = _LogSummary(origin)
            lines = (summary.line(data) for data in messages[origin])
            parts[message_part(origin)] = _write(archive, message_part(origin), lines)
            logs[origin] = summary.as_dict()
        parts[RESULTS] = _write(archive, RESULTS, [_bounded(RESULTS, canonical_json(results))])
        problem = check_about(about, origins, logs, results)
        if problem is not None:
            raise InconsistentBundle(f"{MANIFEST}: {problem}")
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "about": dict(about),
            "origins": origins,
            "logs": logs,
            "parts": parts,
        }
        _write(archive, MANIFEST, [canonical_json(manifest)])
    return manifest


class _LogSummary:
    """Counts what the writer streams through, and refuses a message of another origin or
    out of order: a bundle must be a faithful prefix of one log."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.count = 0
        self.first: int | None = None
        self.last: int | None = None

    def line(self, data: bytes) -> bytes:
        _bounded(message_part(self.origin), data)
        try:
            message = IntegrationMessage.decode(data)
        except ValueError as error:  # a stored body edited: named, in one line
            after = f"after position {self.last}" if self.last is not None else "first"
            raise InconsistentBundle(
                f"{message_part(self.origin)}: the {self.origin} message {after} (line "
                f"{self.count + 1}) does not decode: {first_problem(error)}"
            ) from None
        if message.origin != self.origin:
            raise ValueError(f"a {message.origin} message among {self.origin}'s")
        if self.last is not None and message.position <= self.last:
            raise ValueError(f"{self.origin} position {message.position} after {self.last}")
        self.first = message.position if self.first is None else self.first
        self.last = message.position
        self.count += 1
        return data + b"\n"

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "first": self.first, "last": self.last}


def _bounded(part: str, data: bytes) -> bytes:
    if len(data) > MAX_LINE:
        raise InconsistentBundle(f"{part}: a line of {len(data)} bytes {TOO_LONG}")
    return data


def _write(archive: zipfile.ZipFile, name: str, chunks: Iterable[bytes]) -> dict[str, Any]:
    info = zipfile.ZipInfo(name, date_time=EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    hashed, size = hashlib.sha256(), 0
    with archive.open(info, "w", force_zip64=True) as stream:
        for chunk in chunks:
            stream.write(chunk)
            hashed.update(chunk)
            size += len(chunk)
    return {"sha256": hashed.hexdigest(), "bytes": size}
