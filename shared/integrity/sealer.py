"""The sealer: follows a service's stored events after commit and seals them.

Like the relay it reads the log, never the write path: a command commits as before, and the
sealer later extends the chain over the new rows. It writes a checkpoint when `every_rows`
rows wait, or `every_seconds` after it first saw an unsealed row, and resumes after its
last checkpoint (whose signature it checks first: it never builds on a checkpoint it would
not have signed). Rows are read in position order, and only committed rows are visible; in
PostgreSQL the events table's EXCLUSIVE lock makes position order commit order, so no row
can appear later below a sealed position.

One sealer per service seals, however many replicas run: two would each extend the chain
from the same checkpoint over different stretches (one sealing 1,000 rows, the other the
600 it saw a moment earlier), and both checkpoints would be stored — a fork in the chain,
which `pingyi audit verify-log` rightly reports. So sealing is leased like the relay
(`shared.service.leases`); the other replicas follow the holder's checkpoints for their
/readyz and keep checking stored scores themselves.
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
from shared.service.leases import AlwaysHeld, Lease

log = logging.getLogger(__name__)


class Publisher(Protocol):
    """Where checkpoints go besides their table (the seals stream in production)."""

    async def publish(self, checkpoint: Checkpoint) -> None: ...

    async def catch_up(self) -> None:
        """Publish every stored checkpoint the stream lacks (none, unless NATS lost it)."""
        ...

    async def close(self) -> None: ...


STREAM_CHECK_SECONDS = 10.0
"""While there is nothing to seal, the sealer checks the seals stream this often: one that
NATS lost with its store is refilled from the table within this time, not at the next
checkpoint, which a quiet service may not write for days."""


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
        self.leading = False
        """Whether this replica holds the sealing lease (set by `SealerTask`)."""
        self._followed = 0
        """How far `follow` has looked for score records in another sealer's stretches."""
        self._store_ready = False

    def load(self) -> None:
        self._setup_store()
        last = self._store.last()
        if last is not None and not last.signature_valid(self._key.public_key()):
            raise SealRefused(
                f"the checkpoint at {self.service} position {last.position} does not verify "
                f"with key {key_id(self._key.public_key())}: run pingyi audit verify-log"
            )
        self._last, self._loaded = last, True
        if self.scores is not None:
            self.scores.positions.update(self._reader.marked_positions(SCORE_MARK))
        self._followed = 0 if last is None else last.position

    def _setup_store(self) -> None:
        if not self._store_ready:
            self._store.setup()
            self._store_ready = True

    def follow(self) -> None:
        """While another replica seals: take its last checkpoint as how far the log is
        sealed (shown in /readyz), note the score records in what it sealed since the last
        look (for `check_scores`), and load again before sealing here."""
        self._setup_store()
        last = self._store.last()
        self._loaded = False  # whoever leads next starts from a checkpoint it verified
        if last is None:
            return
        if self.scores is not None and last.position > self._followed:
            self.scores.positions.update(
                self._reader.marked_positions(SCORE_MARK, self._followed, last.position)
            )
        self._followed = max(self._followed, last.position)
        self._last = last

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
            "leading": self.leading,
            "last_error": self.last_error,
        }
        return out

    def close(self) -> None:
        self._reader.close()
        self._store.close()


class SealerTask:
    """Runs a `Sealer` in the service's event loop: seals and publishes each checkpoint
    while holding `lease`, follows the holder otherwise, and checks stored scores either
    way."""

    def __init__(
        self,
        sealer: Sealer,
        *,
        poll: float,
        score_check_seconds: float,
        publisher: Publisher | None = None,
        lease: Lease | None = None,
        stream_check: float = STREAM_CHECK_SECONDS,
    ) -> None:
        self.sealer = sealer
        self._stream_check = stream_check
        self._poll = poll
        self._score_every = score_check_seconds
        self._publisher = publisher
        self._lease = lease or AlwaysHeld()
        self._unpublished: list[Checkpoint] = []
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._busy = asyncio.Lock()
        """The sealer's connections serve one thread at a time: sealing or following."""

    def start(self) -> None:
        name = self.sealer.service
        self._tasks = [
            asyncio.create_task(self._lead(), name=f"sealer-{name}"),
            asyncio.create_task(self._watch(), name=f"sealer-watch-{name}"),
        ]

    async def stop(self) -> None:
        self._stopping.set()
        if self._tasks:
            await asyncio.gather(*self._tasks)
        await self._lease.release()
        if self._publisher is not None:
            await self._publisher.close()
        await asyncio.to_thread(self.sealer.close)

    async def _lead(self) -> None:
        while not self._stopping.is_set():
            if not await self._lease.acquire(self._stopping):
                return
            self.sealer.leading = True
            log.info("sealing", extra={"service": self.sealer.service})
            try:
                await self._seal_while_held()
            finally:
                self.sealer.leading = False
            if not self._stopping.is_set():
                log.warning("sealer lease lost", extra={"service": self.sealer.service})
                await self._lease.release()
                # What waited for publishing is stored; the next holder's publisher
                # publishes every stored checkpoint the stream lacks when it connects.
                self._unpublished.clear()
                if self._publisher is not None:
                    await self._publisher.close()

    async def _seal_while_held(self) -> None:
        failures = 0
        check_stream_at = 0.0
        while self._lease.held() and not self._stopping.is_set():
            try:
                async with self._busy:
                    written = await asyncio.to_thread(self.sealer.seal_once)
                if written is not None:
                    self._unpublished.append(written)
                await self._publish_pending()
                if written is None and time.monotonic() >= check_stream_at:
                    await self._catch_up_stream()
                    check_stream_at = time.monotonic() + self._stream_check
                self.sealer.last_error, failures = None, 0
                if written is not None:
                    continue  # more rows may wait already
            except Exception as error:
                failures += 1
                self.sealer.last_error = f"{type(error).__name__}: {error}"
                log.warning("sealer: %s", self.sealer.last_error)
            await self._pause(self._poll * min(2**failures, 20))

    async def _watch(self) -> None:
        """Every replica checks the stored scores; one that does not seal also follows."""
        next_score_check = 0.0
        while not self._stopping.is_set():
            try:
                async with self._busy:
                    if not self.sealer.leading:
                        await asyncio.to_thread(self.sealer.follow)
                    if time.monotonic() >= next_score_check:
                        await asyncio.to_thread(self.sealer.check_scores)
                        next_score_check = time.monotonic() + self._score_every
            except Exception as error:
                log.warning("sealer watch: %s: %s", type(error).__name__, error)
            await self._pause(max(self._poll, 1.0))

    async def _catch_up_stream(self) -> None:
        if self._publisher is not None:
            await self._publisher.catch_up()

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
