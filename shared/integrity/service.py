"""Starting a service's sealer (`ServiceRuntime.start`): embedded and production modes seal,
memory mode does not (its log dies with the process). Production publishes each checkpoint
to the seals stream as well, and first any stored checkpoint the stream lacks."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from shared.integrity.checkpoints import Checkpoint, open_checkpoints
from shared.integrity.keys import signing_key
from shared.integrity.rows import open_log
from shared.integrity.scores import ScoreWatch
from shared.integrity.sealer import Sealer, SealerTask

if TYPE_CHECKING:
    from nats.aio.client import Client as NATS

    from shared.messaging.jetstream import PingyiJetStream
    from shared.service.application import PublishingApplication
    from shared.service.leases import Lease
    from shared.settings import CommonSettings

log = logging.getLogger(__name__)


def build_sealer(
    common: CommonSettings, service: str, application: PublishingApplication
) -> Sealer | None:
    if common.mode == "memory":
        return None
    key = signing_key(common, create=True)
    if key is None:
        log.warning("no PINGYI_SEAL_KEY: %s's event log is not sealed", service)
        return None
    return Sealer(
        service,
        open_log(common, service),
        open_checkpoints(common, service),
        key,
        every_rows=common.seal_every_rows,
        every_seconds=common.seal_every_seconds,
        scores=ScoreWatch(application.mapper.to_domain_event),
    )


class StreamPublisher:
    """Publishes checkpoints to the seals stream, connecting on first use. On connecting,
    and whenever the sealer asks (`catch_up`, while it has nothing to seal), it publishes
    every stored checkpoint the stream lacks: after a reconnect to a NATS that lost its
    store the stream is gone or empty, and the table's checkpoints must reach it again."""

    def __init__(self, common: CommonSettings, sealer: Sealer) -> None:
        self._common = common
        self._sealer = sealer
        self._nc: NATS | None = None
        self._js: PingyiJetStream | None = None

    async def publish(self, checkpoint: Checkpoint) -> None:
        from shared.integrity.stream import publish_checkpoint

        js = await self._connected()
        await publish_checkpoint(js, self._common.namespace, checkpoint)

    async def catch_up(self) -> None:
        js, fresh = self._js, self._js is None
        if js is None:
            js = await self._connected()  # which has caught up
        if not fresh:
            await self._publish_missing(js)

    async def _connected(self) -> PingyiJetStream:
        from shared.messaging.jetstream import connect

        if self._js is not None:
            return self._js
        nc, js = await connect(self._common.nats_url, f"{self._sealer.service}-sealer")
        try:
            await self._publish_missing(js, ensure=True)
        except BaseException:
            await nc.close()
            raise
        self._nc, self._js = nc, js
        return js

    async def _publish_missing(self, js: PingyiJetStream, *, ensure: bool = False) -> None:
        """`ensure`: bring the stream to this service's settings (on connecting); else it
        is only created if it is missing."""
        from nats.js.errors import NotFoundError

        from shared.integrity.stream import (
            ensure_seals_stream,
            last_published,
            publish_checkpoint,
            seals_stream,
        )

        namespace = self._common.namespace
        replicas = self._common.nats_stream_replicas
        if ensure:
            await ensure_seals_stream(js, namespace, replicas=replicas)
        else:
            try:
                await js.stream_info(seals_stream(namespace))
            except NotFoundError:
                log.warning("the seals stream is missing (NATS lost its store?): created again")
                await ensure_seals_stream(js, namespace, replicas=replicas)
        after = await last_published(js, namespace, self._sealer.service) or 0
        sealed_to = self._sealer.sealed_to
        if sealed_to is not None and after >= sealed_to:
            return
        stored = await asyncio.to_thread(self._sealer.stored_checkpoints)
        missing = [c for c in stored if c.position > after]
        for checkpoint in missing:
            await publish_checkpoint(js, namespace, checkpoint)
        if missing:
            log.info(
                "published %d stored checkpoints the seals stream lacked",
                len(missing),
                extra={"service": self._sealer.service},
            )

    async def close(self) -> None:
        """Also between two spells of holding the sealing lease: the next use connects
        again and first catches the stream up with the stored checkpoints."""
        nc, self._nc, self._js = self._nc, None, None
        if nc is not None:
            await nc.close()


def sealer_task(common: CommonSettings, sealer: Sealer, lease: Lease | None = None) -> SealerTask:
    """`lease`: held by the one replica of the service that seals (None: always this one)."""
    publisher = StreamPublisher(common, sealer) if common.mode == "production" else None
    return SealerTask(
        sealer,
        poll=min(1.0, common.seal_every_seconds / 4),
        score_check_seconds=common.score_check_seconds,
        publisher=publisher,
        lease=lease,
    )
