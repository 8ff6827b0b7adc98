"""Writing a bundle: streamed part by part, hashed as written, its manifest last, under
a temporary name until whole."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pingyi.audit_words import said
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
    TOO_LONG_ZH,
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
    with writing(path, messages, scheme) as writer:
        for origin in writer.origins:
            with writer.log(origin) as write:
                for data in messages[origin]:
                    write(data)
        return writer.finish(results, about)


@contextmanager
def writing(
    path: Path, origins: Collection[str], scheme: Mapping[str, Any]
) -> Iterator[BundleWriter]:
    """A bundle written part by part as its contents come (`BundleWriter`), the scheme
    first: for a writer whose logs are read by someone else as they are written (`pingyi
    audit export --scheme` writes them as the engine reads them, `pingyi.audit_stored`),
    and whose results come only after. Under `<path>.partial` until `finish`, renamed then;
    whatever is raised before (the results refused, the logs not written whole) leaves no
    file. The same contents give the same bytes as `write_bundle`, which writes through it."""
    unknown = sorted(set(origins) - set(ORIGINS))
    if unknown:
        named = ", ".join(unknown)
        raise ValueError(said(f"不是计分的上游: {named}", f"not an upstream of scoring: {named}"))
    partial = path.with_name(path.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            writer = BundleWriter(archive, [o for o in ORIGINS if o in origins])
            writer.parts[SCHEME] = _write(
                archive, SCHEME, [_bounded(SCHEME, canonical_json(scheme))]
            )
            yield writer
            if writer.manifest is None:
                raise InconsistentBundle(
                    f"{MANIFEST}: " + said("审计包没有写完", "the bundle was not finished")
                )
        partial.replace(path)  # a reader never sees half a bundle under the real name
    except BaseException:  # the rename too: a folder at `path` left the whole .partial
        partial.unlink(missing_ok=True)
        raise


class BundleWriter:
    """The parts after the scheme, in their order: each origin's log (`log`), then the
    results and the manifest (`finish`)."""

    def __init__(self, archive: zipfile.ZipFile, origins: list[str]) -> None:
        self.archive = archive
        self.origins = origins
        """The logs to write, in the order they are fed (`ORIGINS`')."""
        self.parts: dict[str, dict[str, Any]] = {}
        self.logs: dict[str, dict[str, Any]] = {}
        self.manifest: dict[str, Any] | None = None

    @contextmanager
    def log(self, origin: str) -> Iterator[Callable[[bytes], None]]:
        """Writes the origin's log, the next in `origins`, one encoded message per call of
        what it gives, checked as `write_bundle` checks it; whole once the block ends."""
        if self.manifest is not None or len(self.logs) >= len(self.origins):
            raise ValueError(
                said(
                    f"已没有要写的日志, 却要写 {origin} 的",
                    f"no log left to write, {origin}'s asked for",
                )
            )
        if origin != self.origins[len(self.logs)]:
            due = self.origins[len(self.logs)]
            raise ValueError(
                said(
                    f"下一个应写 {due} 的日志, 不是 {origin} 的",
                    f"{due}'s log is next, not {origin}'s",
                )
            )
        summary, part = _LogSummary(origin), message_part(origin)
        with _Entry(self.archive, part) as entry:
            yield lambda data: entry.write(summary.line(data))
        self.parts[part] = entry.written()
        self.logs[origin] = summary.as_dict()

    def finish(self, results: Mapping[str, Any], about: Mapping[str, Any]) -> dict[str, Any]:
        """The results and the manifest, once every log is written; the manifest."""
        if self.manifest is not None or len(self.logs) != len(self.origins):
            written, due = "、".join(self.logs) or "无", "、".join(self.origins)
            raise ValueError(
                said(
                    f"已写的日志: {written}, 应写的是 {due}",
                    f"logs written: {', '.join(self.logs)}, of {', '.join(self.origins)}",
                )
            )
        self.parts[RESULTS] = _write(
            self.archive, RESULTS, [_bounded(RESULTS, canonical_json(results))]
        )
        problem = check_about(about, self.origins, self.logs, results)
        if problem is not None:
            raise InconsistentBundle(f"{MANIFEST}: {problem}")
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "about": dict(about),
            "origins": self.origins,
            "logs": self.logs,
            "parts": self.parts,
        }
        _write(self.archive, MANIFEST, [canonical_json(manifest)])
        self.manifest = manifest
        return manifest


class _LogSummary:
    """Counts what the writer streams through, and refuses a message of another origin or
    out of order: a bundle must be a faithful prefix of one log."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.count = 0
        self.first: int | None = None
        self.last: int | None = None

    def _undecodable(self) -> str:
        line, last = self.count + 1, self.last
        if last is None:
            where = (
                f"第一条 {self.origin} 消息 (第 {line} 行)",
                f"the {self.origin} message first",
            )
        else:
            where = (
                f"位置 {last} 之后的 {self.origin} 消息 (第 {line} 行)",
                f"the {self.origin} message after position {last}",
            )
        return said(f"{where[0]}无法解码", f"{where[1]} (line {line}) does not decode")

    def line(self, data: bytes) -> bytes:
        _bounded(message_part(self.origin), data)
        try:
            message = IntegrationMessage.decode(data)
        except ValueError as error:  # a stored body edited: named, in one line
            raise InconsistentBundle(
                f"{message_part(self.origin)}: {self._undecodable()}: {first_problem(error)}"
            ) from None
        if message.origin != self.origin:
            raise ValueError(
                said(
                    f"{self.origin} 的日志中有一条 {message.origin} 的消息",
                    f"a {message.origin} message among {self.origin}'s",
                )
            )
        if self.last is not None and message.position <= self.last:
            raise ValueError(
                said(
                    f"{self.origin} 位置 {message.position} 排在位置 {self.last} 之后 (位置须递增)",
                    f"{self.origin} position {message.position} after {self.last}",
                )
            )
        self.first = message.position if self.first is None else self.first
        self.last = message.position
        self.count += 1
        return data + b"\n"

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "first": self.first, "last": self.last}


def _bounded(part: str, data: bytes) -> bytes:
    if len(data) > MAX_LINE:
        raise InconsistentBundle(
            f"{part}: "
            + said(
                f"一行 {len(data)} 字节, {TOO_LONG_ZH}", f"a line of {len(data)} bytes {TOO_LONG}"
            )
        )
    return data


def _write(archive: zipfile.ZipFile, name: str, chunks: Iterable[bytes]) -> dict[str, Any]:
    with _Entry(archive, name) as entry:
        for chunk in chunks:
            entry.write(chunk)
    return entry.written()


class _Entry:
    """One entry written as a stream, hashed and counted as written: dated `EPOCH`,
    deflated, each chunk one write (the same chunks give the same bytes)."""

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        info = zipfile.ZipInfo(name, date_time=EPOCH)
        info.compress_type = zipfile.ZIP_DEFLATED
        self.archive, self.info = archive, info
        self.hashed, self.size = hashlib.sha256(), 0

    def __enter__(self) -> _Entry:
        self.stream = self.archive.open(self.info, "w", force_zip64=True)
        return self

    def __exit__(self, *raised: object) -> None:
        self.stream.close()

    def write(self, chunk: bytes) -> None:
        self.stream.write(chunk)
        self.hashed.update(chunk)
        self.size += len(chunk)

    def written(self) -> dict[str, Any]:
        return {"sha256": self.hashed.hexdigest(), "bytes": self.size}
