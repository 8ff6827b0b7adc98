"""Checking a service's stored log against its checkpoints (`pingyi audit verify-log`).

Every checkpoint's signature is checked with the public key, the checkpoints must follow
each other (each names the one before), and each stretch of stored rows must be exactly the
rows the checkpoint lists — same positions, same digests — with the chain recomputed from
them ending at the checkpoint's link. The first difference is named by position: a row
edited, gone, added, or moved (a moved row shows as an edit at the first position whose
content changed). Rows after the last checkpoint are reported as not sealed yet.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shared.integrity.chain import GENESIS, Row, link, read_entries, row_digest
from shared.integrity.checkpoints import Checkpoint

UNSEALED_ROW = "a row that was never sealed is there"


@dataclass
class Finding:
    position: int
    problem: str


@dataclass
class LogVerdict:
    service: str
    rows: int = 0
    sealed: int = 0
    checkpoints: int = 0
    unsealed_after: int | None = None
    unsealed: int = 0
    finding: Finding | None = None
    notes: list[str] = field(default_factory=list)
    published_to: int | None = None
    """The last checkpoint's position on the seals stream; None when it was not read."""
    only_in_table: int = 0
    """Checkpoints in the table after `published_to`: they hold only as far as the table
    can be trusted, since whoever can edit the database could have rewritten them."""

    @property
    def intact(self) -> bool:
        return self.finding is None


class _Rows:
    """The stored rows with one row of lookahead, each taken as its (position, digest): a
    checkpoint's stretch (1,000 rows of up to a few hundred KiB each) and the unsealed tail
    (any length) are never held."""

    def __init__(self, rows: Iterator[Row]) -> None:
        self._rows = rows
        self._next: Row | None = next(rows, None)
        self.read = 0

    def up_to(self, position: int) -> list[tuple[int, bytes]]:
        taken: list[tuple[int, bytes]] = []
        while self._next is not None and self._next.position <= position:
            taken.append((self._next.position, row_digest(self._next)))
            self._next = next(self._rows, None)
        self.read += len(taken)
        return taken

    def count_rest(self) -> int:
        counted = 0
        while self._next is not None:
            counted += 1
            self._next = next(self._rows, None)
        self.read += counted
        return counted


def merge_published(
    stored: list[Checkpoint], published: list[Checkpoint], verdict: LogVerdict
) -> list[Checkpoint]:
    """The stream's checkpoints win: the table may have been edited, the stream cannot.
    A checkpoint the table lost or changed is a finding at its position."""
    by_position = {c.position: c for c in stored}
    for checkpoint in published:
        kept = by_position.get(checkpoint.position)
        if kept is None or kept.to_json() != checkpoint.to_json():
            what = "is missing from" if kept is None else "differs in"
            _find(verdict, checkpoint.position, f"the published checkpoint {what} the table")
        by_position[checkpoint.position] = checkpoint
    return [by_position[p] for p in sorted(by_position)]


def _find(verdict: LogVerdict, position: int, problem: str) -> None:
    if verdict.finding is None or position < verdict.finding.position:
        verdict.finding = Finding(position, problem)


def verify_log(
    service: str,
    rows: Iterator[Row],
    checkpoints: list[Checkpoint],
    key: Ed25519PublicKey,
    published: list[Checkpoint] | None = None,
) -> LogVerdict:
    verdict = LogVerdict(service)
    if published is not None:
        verdict.published_to = max((c.position for c in published), default=0)
        verdict.only_in_table = sum(1 for c in checkpoints if c.position > verdict.published_to)
        checkpoints = merge_published(checkpoints, published, verdict)
    stored = _Rows(rows)
    chain, previous = GENESIS, None
    for checkpoint in sorted(checkpoints, key=lambda c: c.position):
        problem = _checkpoint_problem(service, checkpoint, previous, key)
        segment = stored.up_to(checkpoint.position)
        if problem is None:
            problem, chain = _segment_problem(segment, checkpoint, chain)
        if problem is not None:
            _find(verdict, problem.position, problem.problem)
            break
        verdict.checkpoints += 1
        verdict.sealed += len(segment)
        previous = checkpoint
    if verdict.intact:
        verdict.unsealed = stored.count_rest()
        verdict.unsealed_after = None if previous is None else previous.position
    verdict.rows = stored.read
    return verdict


def _checkpoint_problem(
    service: str, checkpoint: Checkpoint, previous: Checkpoint | None, key: Ed25519PublicKey
) -> Finding | None:
    if checkpoint.service != service:
        return Finding(checkpoint.position, f"the checkpoint names service {checkpoint.service}")
    if not checkpoint.signature_valid(key):
        return Finding(checkpoint.position, "the checkpoint's signature does not verify")
    expected = None if previous is None else previous.position
    if checkpoint.previous_position != expected:
        return Finding(
            (expected or 0) + 1,
            f"a checkpoint is missing: the one at {checkpoint.position} follows "
            f"{checkpoint.previous_position}, the one before it is at {expected}",
        )
    return None


def _segment_problem(
    segment: list[tuple[int, bytes]], checkpoint: Checkpoint, chain: bytes
) -> tuple[Finding | None, bytes]:
    try:
        entries = read_entries(checkpoint.entries)
    except ValueError as error:
        return Finding(checkpoint.position, str(error)), chain
    for index, (position, sealed_digest) in enumerate(entries):
        if index >= len(segment):
            return Finding(position, "a sealed row is gone"), chain
        row_position, digest = segment[index]
        if row_position != position:
            if row_position > position:
                return Finding(position, "a sealed row is gone"), chain
            return Finding(row_position, UNSEALED_ROW), chain
        if digest != sealed_digest:
            return Finding(position, "the row changed after it was sealed"), chain
        chain = link(chain, digest)
    if len(segment) > len(entries):
        return Finding(segment[len(entries)][0], UNSEALED_ROW), chain
    if chain.hex() != checkpoint.chain:
        return Finding(checkpoint.position, "the chain does not end at the checkpoint"), chain
    return None, chain
