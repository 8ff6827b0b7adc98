"""The seals stream on the real NATS server: what is published there stays there."""

from __future__ import annotations

import asyncio

import nats
import pytest
from nats.js.errors import APIError

from shared.integrity.chain import Row
from shared.integrity.checkpoints import Checkpoint
from shared.integrity.keys import signing_key
from shared.integrity.sealer import seal_rows
from shared.integrity.stream import (
    ensure_seals_stream,
    fetch_published,
    publish_checkpoint,
    seals_stream,
)
from shared.settings import CommonSettings
from tests.conftest import NATS_URL
from tests.integrity.helpers import SEAL_KEY

pytestmark = pytest.mark.infra


def _checkpoint() -> Checkpoint:
    key = signing_key(CommonSettings(mode="production", seal_key=SEAL_KEY))  # type: ignore[arg-type]
    assert key is not None
    rows = [Row(1, "00000000-0000-0000-0000-000000000001", 1, "t", b"{}", b"")]
    return seal_rows("survey", rows, None, "2026-01-01T00:00:00Z").signed(key)


def test_the_seals_stream_refuses_delete_and_purge(nats_namespace: str) -> None:
    checkpoint = _checkpoint()

    async def scenario() -> None:
        nc = await nats.connect(NATS_URL)
        try:
            js = nc.jetstream()
            await ensure_seals_stream(js, nats_namespace)
            await publish_checkpoint(js, nats_namespace, checkpoint)
            await publish_checkpoint(js, nats_namespace, checkpoint)  # a second sealer's copy
            info = await js.stream_info(seals_stream(nats_namespace))
            assert info.config.deny_delete and info.config.deny_purge
            assert info.state.messages == 1
            with pytest.raises(APIError):
                await js.delete_msg(seals_stream(nats_namespace), 1)
            with pytest.raises(APIError):
                await js.purge_stream(seals_stream(nats_namespace))
            await ensure_seals_stream(js, nats_namespace)  # a restart leaves it as it is
            assert (await js.stream_info(seals_stream(nats_namespace))).state.messages == 1
        finally:
            await nc.close()

    asyncio.run(scenario())
    published = asyncio.run(fetch_published(NATS_URL, nats_namespace, "survey"))
    assert published is not None and [c.to_json() for c in published] == [checkpoint.to_json()]
    assert asyncio.run(fetch_published(NATS_URL, nats_namespace, "registry")) == []
