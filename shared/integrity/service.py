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
    """Publishes checkpoints to the seals stream, connecting on first use (and then
    publishing every stored checkpoint the stream does not have yet)."""

    def __init__(self, common: CommonSettings, sealer: Sealer) -> None:
        self._common = common
        self._sealer = sealer
        self._nc: NATS | None = None
        self._js: PingyiJetStream | None = None

    async def publish(self, checkpoint: Checkpoint) -> None:
        from shared.integrity.stream import publish_checkpoint

        js = await self._connected()
        await publish_checkpoint(js, self._common.namespace, checkpoint)

    async def _connected(self) -> PingyiJetStream:
        from shared.integrity.stream import ensure_seals_stream, last_published, publish_checkpoint
        from shared.messaging.jetstream import connect

        if self._js is not None:
            return self._js
        nc, js = await connect(self._common.nats_url, f"{self._sealer.service}-sealer")
        try:
            namespace = self._common.namespace
            await ensure_seals_stream(js, namespace, replicas=self._common.nats_stream_replicas)
            after = await last_published(js, namespace, self._sealer.service) or 0
            stored = await asyncio.to_thread(self._sealer.stored_checkpoints)
            for checkpoint in stored:
                if checkpoint.position > after:
                    await publish_checkpoint(js, namespace, checkpoint)
        except BaseException:
            await nc.close()
            raise
        self._nc, self._js = nc, js
        return js

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
