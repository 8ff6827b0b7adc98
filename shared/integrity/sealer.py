"""The sealer: follows a service's stored events after commit and seals them.

Like the relay it reads the log, never the write path: a command commits as before, and the
sealer later extends the chain over the new rows. It writes a checkpoint when `every_rows`
rows wait, or `every_seconds` after it first saw an unsealed row, and resumes after its
last checkpoint (whose signature it checks first: it never builds on a checkpoint it would
not have signed). Rows are read in position order, and only committed rows are visible; in
PostgreSQL the events table's EXCLUSIVE lock makes position order commit order, so no row
can appear later below a sealed position.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.integrity.chain import GENESIS, Row, entry, link, row_digest
from shared.integrity.checkpoints import Checkpoint, CheckpointStore
from shared.integrity.keys import key_id
from shared.integrity.rows import SCORE_MARK, LogReader
from shared.integrity.scores import ScoreWatch

log = logging.getLogger(__name__)



class Publisher(Protocol):
    """Where checkpoints go besides their table (the seals stream in production)."""

    async def publish(self, checkpoint: Checkpoint) -> None: ...

    async def close(self) -> None: ...


class SealRefused(Exception):
    """The last checkpoint does not verify with this sealer's key."""


def seal_rows(
    service: str, rows: list[Row], previous: Checkpoint | None, sealed_at: str
) -> Checkpoint:
    """The unsigned checkpoint over `rows`, continuing the chain after `previous`."""
    chain = GENESIS if previous is None else bytes.fromhex(previous.chain)
    entries = bytearray()
    for row in rows:
        row_hash = row_digest(row)
        chain = link(chain, row_hash)
        entries += entry(row.position, row_hash)
    return Checkpoint(
        service=service,
        position=rows[-1].position,
        previous_position=None if previous is None else previous.position,
        rows=len(rows),
        chain=chain.hex(),
        sealed_at=sealed_at,
        key_id="",
        entries=bytes(entries),
    )


class Sealer:
    def __init__(
        self,
        service: str,
        reader: LogReader,
        store: CheckpointStore,
        key: Ed25519PrivateKey,
        *,
        every_rows: int = 1000,
        every_seconds: float = 10.0,
        scores: ScoreWatch | None = None,
    ) -> None:
        self.service = service
        self._reader = reader
        self._store = store
        self._key = key
        self._every_rows = every_rows
        self._every_seconds = every_seconds
        self.scores = scores
        self._last: Checkpoint | None = None
        self._loaded = False
        self._waiting_since: float | None = None
        self.checkpoints = 0
        self.last_error: str | None = None

    def load(self) -> None:
        self._store.setup()
        last = self._store.last()
        if last is not None and not last.signature_valid(self._key.public_key()):
            raise SealRefused(
                f"the checkpoint at {self.service} position {last.position} does not verify "
                f"with key {key_id(self._key.public_key())}: run pingyi audit verify-log"
            )
        self._last, self._loaded = last, True
        if self.scores is not None:
            self.scores.positions.update(self._reader.marked_positions(SCORE_MARK))

    @property
    def sealed_to(self) -> int | None:
        return None if self._last is None else self._last.position

    def seal_once(self, *, force: bool = False) -> Checkpoint | None:
        """Seal what waits if it is due (or `force`); the checkpoint written, if any."""
        if not self._loaded:
            self.load()
        after = 0 if self._last is None else self._last.position
        # Counting first: rows (their states may be large) are read once, when they are sealed.
        waiting = self._reader.count_after(after, self._every_rows)
        if not waiting:
            self._waiting_since = None
            return None
        now = time.monotonic()
        self._waiting_since = self._waiting_since or now
        due = waiting >= self._every_rows or now - self._waiting_since >= self._every_seconds
        if not (due or force):
            return None
        rows = self._reader.rows_after(after, self._every_rows)
        if not rows:  # counted a moment ago, gone now: verify-log will say where
            return None
        sealed_at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        checkpoint = seal_rows(self.service, rows, self._last, sealed_at).signed(self._key)
        written: Checkpoint | None = checkpoint
        if self._store.add(checkpoint):
            self.checkpoints += 1
            self._last = checkpoint
        else:  # another replica sealed this stretch first: continue from its checkpoint
            self._last, written = self._store.last(), None
        if self.scores is not None:
            self.scores.note(rows)
        self._waiting_since = None
        return written

    def stored_checkpoints(self) -> list[Checkpoint]:
        return self._store.all()

    def check_scores(self) -> None:
        if self.scores is not None:
            self.scores.check(self._reader.rows_at(self.scores.positions))

    def status(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "sealed_to": self.sealed_to,
            "sealed_at": None if self._last is None else self._last.sealed_at,
            "checkpoints_written": self.checkpoints,
            "last_error": self.last_error,
        }
        return out

    def close(self) -> None:
        self._reader.close()
        self._store.close()


class SealerTask:
    """Runs a `Sealer` in the service's event loop, publishing each checkpoint it writes."""

    def __init__(
        self,
        sealer: Sealer,
        *,
        poll: float,
        score_check_seconds: float,
        publisher: Publisher | None = None,
    ) -> None:
        self.sealer = sealer
        self._poll = poll
        self._score_every = score_check_seconds
        self._publisher = publisher
        self._unpublished: list[Checkpoint] = []
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"sealer-{self.sealer.service}")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await self._task
        if self._publisher is not None:
            await self._publisher.close()
        await asyncio.to_thread(self.sealer.close)

    async def _run(self) -> None:
        next_score_check = 0.0
        failures = 0
        while not self._stopping.is_set():
            try:
                written = await asyncio.to_thread(self.sealer.seal_once)
                if written is not None:
                    self._unpublished.append(written)
                await self._publish_pending()
                if time.monotonic() >= next_score_check:
                    await asyncio.to_thread(self.sealer.check_scores)
                    next_score_check = time.monotonic() + self._score_every
                self.sealer.last_error, failures = None, 0
                if written is not None:
                    continue  # more rows may wait already
            except Exception as error:
                failures += 1
                self.sealer.last_error = f"{type(error).__name__}: {error}"
                log.warning("sealer: %s", self.sealer.last_error)
            await self._pause(self._poll * min(2**failures, 20))

    async def _publish_pending(self) -> None:
        if self._publisher is None:
            self._unpublished.clear()
            return
        while self._unpublished:
            await self._publisher.publish(self._unpublished[0])
            self._unpublished.pop(0)

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            return
