"""Reading a bundle: every part checked against its manifest entry (hash, size), every
message line against its log's order, the documents against their canonical encoding."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from pingyi.audit_words import said
from shared.canonical import canonical_json
from shared.contracts.envelope import IntegrationMessage
from shared.reasons import first_problem

from .layout import (
    EPOCH,
    FORMAT,
    MANIFEST,
    MAX_LINE,
    MAX_MANIFEST,
    ORIGINS,
    RESULTS,
    SCHEME,
    TOO_LONG,
    UNREADABLE,
    VERSION,
    Bundle,
    BundleError,
    bounded_lines,
    check_about,
    message_part,
)


def read_bundle(path: Path) -> Bundle:
    """The bundle at `path`, every part checked against its manifest entry (hash, size),
    and every message line against its log's order. Raises `BundleError` naming the part."""
    try:
        archive = zipfile.ZipFile(path)
    except UNREADABLE as error:
        raise BundleError(
            None, said("不是可读取的审计包", f"not a readable bundle: {error}")
        ) from None
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
            raise BundleError(
                self.part, f"line {number} is not a message: {first_problem(error)}"
            ) from None
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


def _manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = orjson.loads(_read_whole(archive, MANIFEST, MAX_MANIFEST))
    except KeyError:
        raise BundleError(MANIFEST, "missing") from None
    except (orjson.JSONDecodeError, *UNREADABLE) as error:
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
    named = all(isinstance(origin, str) for origin in origins)  # an object is unhashable
    if not named or len(set(origins)) != len(origins) or not set(origins) <= set(ORIGINS):
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
    if any(entry.date_time != EPOCH for entry in entries):
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
    stated, inflated = entry.get("bytes"), archive.getinfo(name).file_size
    if type(stated) is int and inflated > stated:  # not read: it may be a ZIP bomb
        raise BundleError(
            name, f"inflates to {inflated} bytes, the manifest says {stated}: it does not "
            "match the manifest (not read)",
        )  # fmt: skip
    hashed, size, problem = hashlib.sha256(), 0, None
    try:
        with archive.open(name) as stream:
            for number, line, whole in bounded_lines(stream):
                hashed.update(line)
                size += len(line)
                if problem is None and not whole:
                    problem = BundleError(name, f"line {number} {TOO_LONG}")
                elif checker is not None and problem is None:
                    problem = _checked(checker, number, line)
    except UNREADABLE as error:
        raise BundleError(name, f"unreadable: {error}") from None
    if hashed.hexdigest() != entry["sha256"]:
        raise BundleError(
            name, f"sha256 {hashed.hexdigest()} does not match the manifest's {entry['sha256']}"
        )
    if size != entry.get("bytes") or type(entry.get("bytes")) is not int:
        raise BundleError(name, f"{size} bytes, the manifest says {entry.get('bytes')!r}")
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
        data = _read_whole(archive, name, MAX_LINE)
    except UNREADABLE as error:
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


def _read_whole(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """An entry of at most `limit` bytes, read whole (a longer one is refused unread)."""
    inflated = archive.getinfo(name).file_size
    if inflated > limit:
        raise BundleError(name, f"inflates to {inflated} bytes, more than {limit} (not read)")
    return archive.read(name)
