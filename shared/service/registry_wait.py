"""A request sees the registry's changes that came before it: a key issued, a campaign
opened, a unit registered a moment ago on the registry is known on every other service by
the time that service acts on a request naming it.

Every service but the registry holds a copy of what the registry publishes (keys, the
jurisdiction tree, units, campaigns and enrolments), kept by consumers that lag its log by
however long a message takes to arrive and be applied: normally a few milliseconds, more
under load. An office's script that opened a campaign on the registry and at once assigned
its scheme on scoring was answered 404 `campaign_not_found` five times in six in production
mode, and a key used on survey right after it was issued 401 eighteen times in twenty.

So, before such a request is judged, the service reads the head of the registry's log as
its transport carries it now (JetStream: the stream's last message; embedded: the
registry's log file; memory: its running application) and waits until its copy has applied
that far, for at most `PINGYI_REGISTRY_WAIT_SECONDS` (2 s; 0 turns the waits off, in
`shared.http`). The wait is a courtesy, not a gate: a head that cannot be read, or a copy
that does not get there in time (the registry writing faster than it applies) or stops
moving (`STILL_SECONDS`: stalled on a message), lets the request go on as it would have
without it. What the registry committed but its relay had not yet published would not be
in that head: the registry answers a write only once it is (`shared.service.published_wait`).

Its cost is the head's read, once per write (JetStream: two requests, about 3 ms on one
machine; nothing more when the copy is current, as the consumers here say from memory).
Reads do not wait (a caller that must read what another service has just applied waits on
`GET /positions`).
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)

REGISTRY = "registry"
HEAD_TIMEOUT_SECONDS = 0.5
"""The longest the head's read may take (JetStream asks the server)."""
STILL_SECONDS = 0.5
"""A copy behind the head that has not moved for this long is not waited for any longer: it
is stalled on a message it cannot apply (shown by /syncz and /readyz) or busy with a large
batch, and every write would otherwise wait the whole `registry_wait_seconds` while it stays
so."""
WARN_EVERY_SECONDS = 30.0
"""A copy left behind is said in the log at most once in this long per service."""
_FIRST_PAUSE = 0.005
_LONGEST_PAUSE = 0.05
_warned_at: weakref.WeakKeyDictionary[ServiceRuntime, float] = weakref.WeakKeyDictionary()
"""When each running service last said its copy was left behind."""


async def registry_applied(runtime: ServiceRuntime) -> bool:
    """Returns once this service's copy of the registry has applied the registry's log up to
    its head as read now: True then (and when there is nothing to wait for: the registry
    itself, which answers from its own store, or a registry that has published nothing),
    False when that could not be shown in time. Never raises."""
    if runtime.name == REGISTRY:
        return True
    longest = runtime.common.registry_wait_seconds
    try:
        head = await runtime.transport.head(REGISTRY, HEAD_TIMEOUT_SECONDS)
    except Exception as exc:  # NATS away, no answer in time: go on as without the wait
        log.debug("registry head unreadable: %s", type(exc).__name__)
        return False
    if head is None or _applied_here(runtime, head):
        return True
    started = time.monotonic()
    last: int | None = None
    moved_at = started
    for pause in pauses():
        positions = await asyncio.to_thread(runtime.positions)
        if REGISTRY not in positions:
            return True  # nothing here follows the registry
        applied = positions[REGISTRY]
        if applied is not None and applied >= head:
            return True
        now = time.monotonic()
        if applied != last:
            last, moved_at = applied, now
        if now - started >= longest or now - moved_at >= STILL_SECONDS:
            _left_behind(runtime, head, applied, now)
            return False
        await asyncio.sleep(pause)
    return False  # pauses() never ends


def pauses() -> Iterator[float]:
    """The pauses between two looks at a position that is about to move: short at first
    (it is normally a matter of milliseconds), doubling up to `_LONGEST_PAUSE`."""
    pause = _FIRST_PAUSE
    while True:
        yield pause
        pause = min(pause * 2, _LONGEST_PAUSE)


def _left_behind(runtime: ServiceRuntime, head: int, applied: int | None, now: float) -> None:
    said = _warned_at.get(runtime)
    if said is not None and now - said < WARN_EVERY_SECONDS:
        return
    _warned_at[runtime] = now
    log.warning(
        "copy of the registry behind its head: a write went on without waiting for it",
        extra={"service": runtime.name, "head": head, "applied": applied},
    )


def _applied_here(runtime: ServiceRuntime, head: int) -> bool:
    """Whether the consumers of the registry's log in this process have all applied it to
    `head` (their status, in memory): the usual answer, without reading the position tables.
    When the views run in a process of their own, or a consumer here does not lead (another
    replica applies) and shows less than was applied, the tables are read instead."""
    if not runtime.settings.views_in_process:
        return False
    followers = [c for c in runtime.consumers if c.upstream == REGISTRY]
    return bool(followers) and all((c.status.last_position or 0) >= head for c in followers)
