"""The registry answers a write once its messages are on the transport.

Every other service waits, before a write, for its copy of the registry to reach the
registry's head *as the transport carries it* (`shared.service.registry_wait`). What the
registry has committed but its relay has not published yet is not in that head: an office's
script that opened a campaign and at once filed a complaint tagged with it on inspection was
answered 404 `campaign_not_found` now and then in production mode (once in a CI run, the
relay a few milliseconds behind the answer). So the registry, after a write it answers with
success, waits until the transport's head has reached the last message of its own log (its
outbox's head, read after the commit), for at most `PINGYI_REGISTRY_WAIT_SECONDS`. The relay
publishes on commit, so this is normally one or two reads of the head (JetStream: about
3 ms); in embedded and memory mode the transport reads the log itself and nothing is waited
for. A relay that is down or behind does not hold writes for longer than the setting: the
answer goes out, as before.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from shared.service.registry_wait import HEAD_TIMEOUT_SECONDS, pauses

if TYPE_CHECKING:
    from shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)


async def published(runtime: ServiceRuntime, longest: float) -> bool:
    """Returns once the transport carries every message this service's log holds now: True
    then, False when that could not be shown within `longest` seconds. Never raises."""
    started = time.monotonic()
    try:
        stored = await asyncio.to_thread(runtime.outbox().head)
        if stored is None:
            return True
        for pause in pauses():
            head = await runtime.transport.head(runtime.name, HEAD_TIMEOUT_SECONDS)
            if head is not None and head >= stored:
                return True
            if time.monotonic() - started + pause > longest:
                log.debug("answered before the relay published", extra={"stored": stored})
                return False
            await asyncio.sleep(pause)
    except Exception as exc:  # NATS away, no answer in time: answer as without the wait
        log.debug("transport head unreadable: %s", type(exc).__name__)
    return False
