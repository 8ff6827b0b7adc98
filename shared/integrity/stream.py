"""Checkpoints on JetStream (production): one stream for every service's checkpoints,
`<NAMESPACE>_SEALS` on `<namespace>.seals.<service>`, that refuses deletes and purges, so
a checkpoint once published outlives any change to the database (docs/tamper-evidence.md).
`Nats-Msg-Id = seal:<service>:<position>` drops a second sealer's copy."""

from __future__ import annotations

import json
import logging

from nats.js import JetStreamContext
from nats.js.api import RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from shared.integrity.checkpoints import Checkpoint
from shared.messaging.jetstream import create_or_update

log = logging.getLogger(__name__)


def seals_stream(namespace: str) -> str:
    return f"{namespace}_seals".upper()


def seals_subject(namespace: str, service: str) -> str:
    return f"{namespace}.seals.{service}"


async def ensure_seals_stream(js: JetStreamContext, namespace: str, *, replicas: int = 1) -> None:
    config = StreamConfig(
        name=seals_stream(namespace),
        subjects=[f"{namespace}.seals.>"],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        max_age=0,
        max_msgs=-1,
        max_bytes=-1,
        duplicate_window=120,
        deny_delete=True,
        deny_purge=True,
        num_replicas=replicas,
    )
    await create_or_update(js, config)


async def publish_checkpoint(js: JetStreamContext, namespace: str, checkpoint: Checkpoint) -> None:
    await js.publish(
        seals_subject(namespace, checkpoint.service),
        checkpoint.to_json(),
        headers={"Nats-Msg-Id": f"seal:{checkpoint.service}:{checkpoint.position}"},
    )


async def last_published(js: JetStreamContext, namespace: str, service: str) -> int | None:
    try:
        found = await js.get_last_msg(seals_stream(namespace), seals_subject(namespace, service))
    except NotFoundError:
        return None
    return int(json.loads(found.data or b"{}")["position"])


async def published_checkpoints(
    js: JetStreamContext, namespace: str, service: str
) -> list[Checkpoint]:
    """Every checkpoint of `service` on the stream, in stream order."""
    found: list[Checkpoint] = []
    seq = 1
    subject = seals_subject(namespace, service)
    while True:
        try:
            msg = await js.get_msg(seals_stream(namespace), seq, subject=subject, next=True)
        except NotFoundError:
            return found
        found.append(Checkpoint.from_json(json.loads(msg.data or b"{}")))
        seq = int(msg.seq or seq) + 1


async def fetch_published(nats_url: str, namespace: str, service: str) -> list[Checkpoint] | None:
    """The stream's checkpoints of `service`; None when the stream does not exist."""
    from shared.messaging.jetstream import connect

    nc, js = await connect(nats_url, f"{service}-verify-log")
    try:
        try:
            await js.stream_info(seals_stream(namespace))
        except NotFoundError:
            return None
        return await published_checkpoints(js, namespace, service)
    finally:
        await nc.close()
