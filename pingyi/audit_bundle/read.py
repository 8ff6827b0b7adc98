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
    MANIFEST,
    MAX_LINE,
    RESULTS,
    SCHEME,
    UNREADABLE,
    Bundle,
    BundleError,
    bounded_lines,
    check_about,
    message_part,
    too_long,
)
from .manifest import read_manifest, read_whole, unreadable


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
        manifest = read_manifest(archive)
        names = set(archive.namelist()) - {MANIFEST}
        listed = set(manifest["parts"])
        for name in sorted(listed - names):
            raise BundleError(
                name,
                said("清单中列出, 审计包中却没有", "listed in the manifest but not in the bundle"),
            )
        for name in sorted(names - listed):
            raise BundleError(
                name,
                said("审计包中有, 清单中却未列出", "in the bundle but not listed in the manifest"),
            )
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
            raise BundleError(
                part,
                said(
                    f"{self.origin} 不在清单的来源之中",
                    f"{self.origin} is not among the manifest's origins",
                ),
            )
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
                self.part,
                said(
                    f"第 {number} 行不是消息",
                    f"line {number} is not a message: {first_problem(error)}",
                ),
            ) from None
        at = f"第 {number} 行 ({self.origin} 位置 {message.position})"
        where = f"line {number} ({self.origin} position {message.position})"
        if message.encode() != data:
            raise BundleError(
                self.part, said(f"{at}不是规范编码", f"{where} is not the canonical encoding")
            )
        if message.origin != self.origin:
            raise BundleError(
                self.part,
                said(f"{at}来自 {message.origin}", f"{where} comes from {message.origin}"),
            )
        if message.previous_position != self.previous:
            raise BundleError(self.part, self._out_of_order(at, where, message.previous_position))
        self.first = message.position if self.first is None else self.first
        self.previous = message.position
        self.count += 1

    def _out_of_order(self, at: str, where: str, previous: int | None) -> str:
        return said(
            f"{at}接在位置 {previous} 之后, 但上一行是位置 {self.previous}: 有消息缺失或顺序错乱",
            f"{where} follows position {previous}, but the line before is position "
            f"{self.previous}: a message is missing or out of order",
        )

    def finish(self) -> None:
        found = {"count": self.count, "first": self.first, "last": self.previous}
        if self.expected != found:
            held = f"{self.count} messages, positions {self.first}–{self.previous}"
            raise BundleError(
                self.part,
                said(
                    f"有 {self.count} 条消息, 位置 {self.first}–{self.previous}, "
                    f"清单写的是 {self.expected}",
                    f"{held}, manifest says {self.expected}",
                ),
            )


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
        raise BundleError(
            name, said("清单没有给出它的 sha256", "the manifest gives no sha256 for it")
        )
    stated, inflated = entry.get("bytes"), archive.getinfo(name).file_size
    if type(stated) is int and inflated > stated:  # not read: it may be a ZIP bomb
        raise BundleError(
            name,
            said(
                f"解压后为 {inflated} 字节, 清单写的是 {stated}: 与清单不符 (未读取)",
                f"inflates to {inflated} bytes, the manifest says {stated}: it does not "
                "match the manifest (not read)",
            ),
        )
    hashed, size, problem = hashlib.sha256(), 0, None
    try:
        with archive.open(name) as stream:
            for number, line, whole in bounded_lines(stream):
                hashed.update(line)
                size += len(line)
                if problem is None and not whole:
                    problem = BundleError(name, too_long(number))
                elif checker is not None and problem is None:
                    problem = _checked(checker, number, line)
    except UNREADABLE as error:
        raise BundleError(name, unreadable(error)) from None
    if hashed.hexdigest() != entry["sha256"]:
        digest, stated_digest = hashed.hexdigest(), entry["sha256"]
        raise BundleError(
            name,
            said(
                f"sha256 {digest} 与清单中的 {stated_digest} 不符",
                f"sha256 {digest} does not match the manifest's {stated_digest}",
            ),
        )
    if size != entry.get("bytes") or type(entry.get("bytes")) is not int:
        listed = entry.get("bytes")
        raise BundleError(
            name,
            said(
                f"{size} 字节, 清单写的是 {listed!r}", f"{size} bytes, the manifest says {listed!r}"
            ),
        )
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
        data = read_whole(archive, name, MAX_LINE)
    except UNREADABLE as error:
        raise BundleError(name, unreadable(error)) from None
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise BundleError(name, said("不是 JSON", f"not JSON: {error}")) from None
    if not isinstance(document, dict):
        raise BundleError(name, said("不是 JSON 对象", "not a JSON object"))
    if canonical_json(document) != data:
        raise BundleError(name, said("不是规范编码", "not the canonical encoding"))
    return document
