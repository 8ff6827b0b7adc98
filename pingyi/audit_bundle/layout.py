"""What a bundle is: its parts and format, the errors reading and writing raise, the
`Bundle` read, and the check of the manifest's statements against the contents."""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from uuid import UUID

from pingyi.audit_words import said
from shared.contracts.envelope import IntegrationMessage

FORMAT = "pingyi.audit.bundle"
VERSION = 1
MANIFEST = "manifest.json"
SCHEME = "scheme.json"
RESULTS = "results.json"
ORIGINS = ("registry", "survey", "inspection", "scoring")
"""The upstreams a round's scores may read, in the order their messages are fed."""
EPOCH = (1980, 1, 1, 0, 0, 0)
"""Every entry's date: the bundle's bytes must not depend on when it was written."""
MAX_LINE = 64 << 20
"""The longest message line, scheme or results document a bundle may hold (64 MiB: a
round's results for some 30,000 units; a batch part is at most 512 KiB). Reading never holds
more than this of one entry at a time, so a small archive that inflates to one endless line
(a ZIP bomb) is refused naming the entry and line, not read into memory until the process
dies. `write_bundle` refuses to write what `read_bundle` would refuse."""
MAX_MANIFEST = 1 << 20
"""The longest manifest: it lists seven parts at most."""
UNREADABLE = (
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
        with zipfile.ZipFile(self.path) as archive:
            yield from self._part_lines(archive, origin)

    def lines(self) -> Iterator[tuple[str, bytes]]:
        """(origin, line) for every message, origin by origin in the manifest's order, as
        `message_lines` gives them: one opening of the file for the whole reading, which a
        difference's search makes once per recomputation."""
        with zipfile.ZipFile(self.path) as archive:
            for origin in self.origins:
                for line in self._part_lines(archive, origin):
                    yield origin, line

    def _part_lines(self, archive: zipfile.ZipFile, origin: str) -> Iterator[bytes]:
        part = message_part(origin)
        expected = self.manifest["parts"][part]["sha256"]
        with archive.open(part) as stream:
            hashed = hashlib.sha256()
            for number, line, whole in bounded_lines(stream):
                hashed.update(line)
                if not whole:
                    raise BundleError(part, too_long(number))
                yield line.rstrip(b"\n")
        if hashed.hexdigest() != expected:
            raise BundleError(part, said("读取期间被改动过", "changed while it was being read"))

    def messages(self) -> Iterator[IntegrationMessage]:
        """Every input message, origin by origin in the manifest's order."""
        for _, line in self.lines():
            yield IntegrationMessage.decode(line)


CHUNK = 1 << 16
"""How much of an entry is read at a time. Small, because a compressed entry read `n` bytes
at a time reads up to `n` compressed bytes as well, which inflate to some ten times as many:
1 MiB chunks held up to 10 MiB of a message log, compressed, and a round's verification
peaked higher the larger the round until its log passed that (tests/audit/test_flat_memory.py)."""
TOO_LONG = f"is longer than {MAX_LINE >> 20} MiB, more than any message or document may be"
TOO_LONG_ZH = f"超过 {MAX_LINE >> 20} MiB, 比任何消息或文档可有的都长"


def too_long(number: int) -> str:
    return said(f"第 {number} 行{TOO_LONG_ZH}", f"line {number} {TOO_LONG}")


def bounded_lines(
    stream: IO[bytes], limit: int = MAX_LINE, chunk: int = CHUNK
) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, bytes, whole) for every line of `stream`, read `chunk` bytes at a time:
    a line of at most `limit` bytes (its newline aside) whole; a longer one as pieces under
    its number, each `whole=False`, dropped as soon as it is known to be too long. Every
    byte is yielded once, in order (to be hashed), and no more than `limit` bytes of a line
    are ever held (`readline(limit)` held the limit twice, and plain iteration the whole
    line, however long)."""
    number, held, size, over = 1, list[bytes](), 0, False
    while data := stream.read(chunk):
        start = 0
        while start < len(data):
            end = data.find(b"\n", start)
            stop = len(data) if end < 0 else end + 1
            piece, start = data[start:stop], stop
            size += len(piece)
            if not over and size - (end >= 0) > limit:
                over = True
                for earlier in held:
                    yield number, earlier, False
                held = []
            if over:
                yield number, piece, False
            elif end >= 0:
                yield number, b"".join([*held, piece]), True
                held = []
            else:
                held.append(piece)
            if end >= 0:
                number, size, over = number + 1, 0, False
    if held:
        yield number, b"".join(held), True


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
        return said(
            f"about.campaign_id {campaign_id!r} 不是评议活动编号 (UUID)",
            f"about.campaign_id {campaign_id!r} is not a campaign id (a UUID)",
        )
    if not isinstance(round_, int) or isinstance(round_, bool) or round_ < 1:
        return said(
            f"about.round {round_!r} 不是轮次 (从 1 起的整数)",
            f"about.round {round_!r} is not a round number (an integer from 1)",
        )
    if results.get("campaign_id") != campaign_id:
        theirs = results.get("campaign_id")
        return said(
            f"about.campaign_id 是 {campaign_id}, 结果却属于评议活动 {theirs!r}",
            f"about.campaign_id is {campaign_id}, the results are of campaign {theirs!r}",
        )
    if results.get("round") != round_:
        theirs = results.get("round")
        return said(
            f"about.round 是 {round_}, 结果却属于第 {theirs!r} 轮",
            f"about.round is {round_}, the results are of round {theirs!r}",
        )
    read_to = about.get("read_to")
    if not isinstance(read_to, dict):
        return said(
            f"about.read_to {read_to!r} 不是来源到位置的映射",
            f"about.read_to {read_to!r} is not a mapping of origin to position",
        )
    held = {
        origin: logs[origin]["last"]
        for origin in origins
        if isinstance(logs.get(origin), dict) and logs[origin].get("count")
    }
    for origin in sorted(read_to.keys() | held.keys()):
        stated, last = read_to.get(origin), held.get(origin)
        if stated == last and not isinstance(stated, bool):
            continue
        return _read_to_wrong(origin, stated, last, origin in read_to)
    return None


def _read_to_wrong(origin: str, stated: Any, last: Any, listed: bool) -> str:
    if last is None:
        return said(
            f"about.read_to.{origin} 是 {stated!r}, 审计包中却没有 {origin} 的消息",
            f"about.read_to.{origin} is {stated!r}, the bundle holds no {origin} message",
        )
    if not listed:
        return said(
            f"about.read_to 中没有 {origin}, 审计包中的 {origin} 日志到位置 {last}",
            f"about.read_to has no {origin}, the bundle's {origin} log runs to {last}",
        )
    return said(
        f"about.read_to.{origin} 是 {stated!r}, 审计包中的 {origin} 日志到位置 {last}",
        f"about.read_to.{origin} is {stated!r}, the bundle's {origin} log runs to {last}",
    )


def _is_uuid(text: str) -> bool:
    try:
        return str(UUID(text)) == text
    except ValueError:
        return False
