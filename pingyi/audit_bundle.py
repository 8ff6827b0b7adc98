"""The audit bundle: one self-contained file from which anyone can recompute a campaign
round's scores offline (`pingyi audit verify`), written by `pingyi audit export`.

A ZIP archive (why ZIP, and the layout, in docs/audit.md) of these parts:

    scheme.json                 the scheme document, canonical JSON
    messages/<origin>.jsonl     every message of that upstream's log from its first position
                                to the one read to, one per line, the exact bytes published
                                (origin and position are inside each message)
    results.json                the round's results document, canonical JSON
    manifest.json               last: what the bundle is of, and each part's SHA-256 and size

The messages are fed to the computation origin by origin in the manifest's `origins` order,
each in position order. Each part is hashed over its uncompressed bytes; `read_bundle`
refuses a bundle whose parts do not match the manifest, naming the part. The bytes of a
bundle depend only on its contents (fixed entry dates, fixed order), so exporting the same
round twice gives the same file, and a bundle's own SHA-256 (`file_sha256`) can be published
with the results it backs. `read_bundle` checks the entries, not the archive's metadata (entry
dates, order, comments): a bundle re-zipped with other metadata reads the same, and only its
file hash tells it apart from the one published.

The manifest's statements about what the bundle is of (`about`) are checked against its
contents too (`check_about`): the campaign and round are the results', and `read_to` names,
for each origin, the last position of its log in the bundle.

This module needs the contract models and the standard library only: no database, no
server, no service's code.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson

from shared.canonical import canonical_json
from shared.contracts.envelope import IntegrationMessage

FORMAT = "pingyi.audit.bundle"
VERSION = 1
MANIFEST = "manifest.json"
SCHEME = "scheme.json"
RESULTS = "results.json"
ORIGINS = ("registry", "survey", "inspection", "scoring")
"""The upstreams a round's scores may read, in the order their messages are fed."""
_EPOCH = (1980, 1, 1, 0, 0, 0)
"""Every entry's date: the bundle's bytes must not depend on when it was written."""
_UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    NotImplementedError,
    RuntimeError,
)
"""What reading a damaged archive raises (a flipped byte in a compressed entry is a zlib
error; one in an entry's header an unsupported compression method, or an encrypted entry)."""


class BundleError(Exception):
    """The bundle cannot be trusted as it is; `part` names where (None: the file itself)."""

    def __init__(self, part: str | None, reason: str) -> None:
        super().__init__(f"{part}: {reason}" if part else reason)
        self.part = part
        self.reason = reason


class InconsistentBundle(ValueError):
    """`write_bundle` was asked to write a bundle that `read_bundle` would refuse."""


def message_part(origin: str) -> str:
    return f"messages/{origin}.jsonl"


def file_sha256(path: Path) -> str:
    """The SHA-256 of the bundle file itself, what is published with the results."""
    hashed = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            hashed.update(chunk)
    return hashed.hexdigest()


@dataclass(frozen=True)
class Bundle:
    path: Path
    manifest: dict[str, Any]
    scheme: dict[str, Any]
    results: dict[str, Any]
    rezipped: str = ""
    """How the archive differs from what `write_bundle` writes (entry dates, order,
    compression, comments), if it does: the contents are checked all the same, but the file
    is not the one exported (empty: it is as written)."""

    @property
    def origins(self) -> list[str]:
        return list(self.manifest["origins"])

    def message_lines(self, origin: str) -> Iterator[bytes]:
        """The origin's messages as stored: one encoded message per item, in position
        order. Hashed again while read: a file changed since `read_bundle` raises."""
        part = message_part(origin)
        expected = self.manifest["parts"][part]["sha256"]
        with zipfile.ZipFile(self.path) as archive, archive.open(part) as stream:
            hashed = hashlib.sha256()
            for line in stream:
                hashed.update(line)
                yield line.rstrip(b"\n")
        if hashed.hexdigest() != expected:
            raise BundleError(part, "changed while it was being read")

    def messages(self) -> Iterator[IntegrationMessage]:
        """Every input message, origin by origin in the manifest's order."""
        for origin in self.origins:
            for line in self.message_lines(origin):
                yield IntegrationMessage.decode(line)


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
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)  # a reader never sees half a bundle under the real name
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
        parts[SCHEME] = _write(archive, SCHEME, [canonical_json(scheme)])
        for origin in origins:
            summary = _LogSummary(origin)
            lines = (summary.line(data) for data in messages[origin])
            parts[message_part(origin)] = _write(archive, message_part(origin), lines)
            logs[origin] = summary.as_dict()
        parts[RESULTS] = _write(archive, RESULTS, [canonical_json(results)])
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


def read_bundle(path: Path) -> Bundle:
    """The bundle at `path`, every part checked against its manifest entry (hash, size),
    and every message line against its log's order. Raises `BundleError` naming the part."""
    try:
        archive = zipfile.ZipFile(path)
    except _UNREADABLE as error:
        raise BundleError(None, f"not a readable bundle: {error}") from None
    with archive:
        manifest = _manifest(archive)
        names = set(archive.namelist()) - {MANIFEST}
        listed = set(manifest["parts"])
        for name in sorted(listed - names):
            raise BundleError(name, "listed in the manifest but not in the bundle")
        for name in sorted(names - listed):
            raise BundleError(name, "in the bundle but not listed in the manifest")
        for name in sorted(listed):
            checker = _LogChecker(name, manifest) if name.startswith("messages/") else None
            _check_part(archive, name, manifest["parts"][name], checker)
        scheme = _document(archive, SCHEME)
        results = _document(archive, RESULTS)
        rezipped = _not_as_written(archive, manifest)
    problem = check_about(manifest["about"], manifest["origins"], manifest["logs"], results)
    if problem is not None:
        raise BundleError(MANIFEST, problem)
    return Bundle(path=path, manifest=manifest, scheme=scheme, results=results, rezipped=rezipped)


def check_about(
    about: Mapping[str, Any],
    origins: Iterable[str],
    logs: Mapping[str, Any],
    results: Mapping[str, Any],
) -> str | None:
    """What is wrong with the manifest's statements about the bundle (`about`), checked
    against its contents, naming the field; None when they hold. `logs`: origin -> its
    log's count, first and last position (as checked line by line)."""
    campaign_id, round_ = about.get("campaign_id"), about.get("round")
    if not isinstance(campaign_id, str) or not _is_uuid(campaign_id):
        return f"about.campaign_id {campaign_id!r} is not a campaign id (a UUID)"
    if not isinstance(round_, int) or isinstance(round_, bool) or round_ < 1:
        return f"about.round {round_!r} is not a round number (an integer from 1)"
    if results.get("campaign_id") != campaign_id:
        return (
            f"about.campaign_id is {campaign_id}, the results are of campaign "
            f"{results.get('campaign_id')!r}"
        )
    if results.get("round") != round_:
        return f"about.round is {round_}, the results are of round {results.get('round')!r}"
    read_to = about.get("read_to")
    if not isinstance(read_to, dict):
        return f"about.read_to {read_to!r} is not a mapping of origin to position"
    held = {
        origin: logs[origin]["last"]
        for origin in origins
        if isinstance(logs.get(origin), dict) and logs[origin].get("count")
    }
    for origin in sorted(read_to.keys() | held.keys()):
        stated, last = read_to.get(origin), held.get(origin)
        if stated == last and not isinstance(stated, bool):
            continue
        if last is None:
            return f"about.read_to.{origin} is {stated!r}, the bundle holds no {origin} message"
        if origin not in read_to:
            return f"about.read_to has no {origin}, the bundle's {origin} log runs to {last}"
        return f"about.read_to.{origin} is {stated!r}, the bundle's {origin} log runs to {last}"
    return None


def _is_uuid(text: str) -> bool:
    try:
        return str(UUID(text)) == text
    except ValueError:
        return False


class _LogSummary:
    """Counts what the writer streams through, and refuses a message of another origin or
    out of order: a bundle must be a faithful prefix of one log."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.count = 0
        self.first: int | None = None
        self.last: int | None = None

    def line(self, data: bytes) -> bytes:
        message = IntegrationMessage.decode(data)
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


class _LogChecker:
    """Reading a message part: each line a canonical message of the part's origin, chained
    to the one before by `previous_position`, the first with none (the log from its start)."""

    def __init__(self, part: str, manifest: Mapping[str, Any]) -> None:
        self.part = part
        self.origin = part.removeprefix("messages/").removesuffix(".jsonl")
        if self.origin not in manifest["origins"]:
            raise BundleError(part, f"{self.origin} is not among the manifest's origins")
        self.expected = manifest["logs"].get(self.origin)
        self.previous: int | None = None
        self.first: int | None = None
        self.count = 0

    def line(self, number: int, line: bytes) -> None:
        data = line.rstrip(b"\n")
        try:
            message = IntegrationMessage.decode(data)
        except ValueError as error:
            raise BundleError(self.part, f"line {number} is not a message: {error}") from None
        where = f"line {number} ({self.origin} position {message.position})"
        if message.encode() != data:
            raise BundleError(self.part, f"{where} is not the canonical encoding")
        if message.origin != self.origin:
            raise BundleError(self.part, f"{where} comes from {message.origin}")
        if message.previous_position != self.previous:
            raise BundleError(
                self.part,
                f"{where} follows position {message.previous_position}, but the line "
                f"before is position {self.previous}: a message is missing or out of order",
            )
        self.first = message.position if self.first is None else self.first
        self.previous = message.position
        self.count += 1

    def finish(self) -> None:
        found = {"count": self.count, "first": self.first, "last": self.previous}
        if self.expected != found:
            held = f"{self.count} messages, positions {self.first}–{self.previous}"
            raise BundleError(self.part, f"{held}, manifest says {self.expected}")


def _write(archive: zipfile.ZipFile, name: str, chunks: Iterable[bytes]) -> dict[str, Any]:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    hashed, size = hashlib.sha256(), 0
    with archive.open(info, "w", force_zip64=True) as stream:
        for chunk in chunks:
            stream.write(chunk)
            hashed.update(chunk)
            size += len(chunk)
    return {"sha256": hashed.hexdigest(), "bytes": size}


def _manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = orjson.loads(archive.read(MANIFEST))
    except KeyError:
        raise BundleError(MANIFEST, "missing") from None
    except (orjson.JSONDecodeError, *_UNREADABLE) as error:
        raise BundleError(MANIFEST, f"unreadable: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleError(MANIFEST, f"not a {FORMAT} manifest")
    if manifest.get("version") != VERSION:
        raise BundleError(MANIFEST, f"version {manifest.get('version')!r}, this reads {VERSION}")
    for key, kind in (("parts", dict), ("origins", list), ("logs", dict), ("about", dict)):
        if not isinstance(manifest.get(key), kind):
            raise BundleError(MANIFEST, f"{key} missing or not a {kind.__name__}")
    for required in (SCHEME, RESULTS):
        if required not in manifest["parts"]:
            raise BundleError(required, "not listed in the manifest")
    origins = manifest["origins"]
    if len(set(origins)) != len(origins) or not set(origins) <= set(ORIGINS):
        raise BundleError(MANIFEST, f"origins {origins!r} are not among {', '.join(ORIGINS)}")
    for origin in origins:
        if message_part(origin) not in manifest["parts"]:
            raise BundleError(message_part(origin), "an origin with no part in the manifest")
    return manifest


def _not_as_written(archive: zipfile.ZipFile, manifest: Mapping[str, Any]) -> str:
    """What in the archive's metadata `write_bundle` would have written otherwise."""
    entries = archive.infolist()
    order = [SCHEME, *(message_part(o) for o in manifest["origins"]), RESULTS, MANIFEST]
    found = []
    if [entry.filename for entry in entries] != order:
        found.append("entry order")
    if any(entry.date_time != _EPOCH for entry in entries):
        found.append("entry dates")
    if any(entry.compress_type != zipfile.ZIP_DEFLATED for entry in entries):
        found.append("compression")
    if archive.comment or any(entry.comment or entry.extra for entry in entries):
        found.append("comments or extra fields")
    return ", ".join(found)


def _check_part(
    archive: zipfile.ZipFile, name: str, entry: Any, checker: _LogChecker | None
) -> None:
    """The hash and size first: a part that does not match its manifest entry is refused as
    such, whatever else is wrong with its lines."""
    if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
        raise BundleError(name, "the manifest gives no sha256 for it")
    hashed, size, problem = hashlib.sha256(), 0, None
    try:
        with archive.open(name) as stream:
            for number, line in enumerate(stream, start=1):
                hashed.update(line)
                size += len(line)
                if checker is not None and problem is None:
                    problem = _checked(checker, number, line)
    except _UNREADABLE as error:
        raise BundleError(name, f"unreadable: {error}") from None
    if hashed.hexdigest() != entry["sha256"]:
        raise BundleError(
            name, f"sha256 {hashed.hexdigest()} does not match the manifest's {entry['sha256']}"
        )
    if size != entry.get("bytes"):
        raise BundleError(name, f"{size} bytes, the manifest says {entry.get('bytes')}")
    if problem is not None:
        raise problem
    if checker is not None:
        checker.finish()


def _checked(checker: _LogChecker, number: int, line: bytes) -> BundleError | None:
    try:
        checker.line(number, line)
    except BundleError as error:
        return error
    return None


def _document(archive: zipfile.ZipFile, name: str) -> dict[str, Any]:
    try:
        data = archive.read(name)
    except _UNREADABLE as error:
        raise BundleError(name, f"unreadable: {error}") from None
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise BundleError(name, f"not JSON: {error}") from None
    if not isinstance(document, dict):
        raise BundleError(name, "not a JSON object")
    if canonical_json(document) != data:
        raise BundleError(name, "not the canonical encoding")
    return document
