"""Before a publication: reporting has applied scoring's log up to its head as it stands now.

`round_final` (the run_replaced check) reads the round's latest final from the
`round_results` view, which lags scoring by however long its consumer takes; a final scoring
recorded a moment ago would be unknown there, and the run it replaced would still publish.
So the head of scoring's log as the transport carries it (JetStream: the last message of
scoring's stream; embedded: scoring's log file; memory: its running application) is read
once, at the request, and the request waits until the view's position for scoring reaches
it, for at most `publish_catch_up_seconds`. Past that, or when the head cannot be read at
all, nothing is published: 503 `scoring_not_caught_up`, to be retried.

The kernel has no way to be woken when a position is applied (the consumer may run in a
views process or on another replica), so the position is read from the view's position
table with growing pauses, as the test harness waits on `/positions`: the target is known
and the wait bounded, and a consumer that is current answers on the first read.
"""

from __future__ import annotations

import asyncio
import logging
import time

from anyio import from_thread

from services.reporting.errors import SCORING_NOT_CAUGHT_UP, ScoringNotCaughtUp
from services.reporting.rounds.views import ROUND_RESULTS_VIEW
from services.reporting.settings import ReportingSettings
from shared.runtime import ServiceRuntime
from shared.transport import Transport

log = logging.getLogger(__name__)

UPSTREAM = "scoring"
FIRST_PAUSE = 0.005
LONGEST_PAUSE = 0.1


def bound_of(runtime: ServiceRuntime) -> float:
    settings = runtime.settings
    assert isinstance(settings, ReportingSettings)
    return settings.publish_catch_up_seconds


async def _head(transport: Transport, bound: float) -> int | None:
    # One bound for the whole read (JetStream asks the server twice).
    return await asyncio.wait_for(transport.head(UPSTREAM, bound), bound)


def scoring_caught_up(runtime: ServiceRuntime) -> None:
    """Returns once the `round_results` view has applied scoring's log up to the head read
    now; else raises `ScoringNotCaughtUp`. Call it from a request's worker thread."""
    bound = bound_of(runtime)
    deadline = time.monotonic() + bound
    try:
        head = from_thread.run(_head, runtime.transport, bound)
    except Exception as exc:  # unreachable, no answer in time: nothing can be vouched for
        log.warning("scoring's head unreadable before a publication: %s", type(exc).__name__)
        raise _refusal(None, None, bound) from None
    if head is None:
        return  # scoring has published nothing: there is no final to have missed
    pause = FIRST_PAUSE
    while True:
        applied = _applied(runtime)
        if applied is not None and applied >= head:
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            log.warning(
                "reporting behind scoring before a publication",
                extra={"head": head, "applied": applied, "bound": bound},
            )
            raise _refusal(head, applied, bound)
        time.sleep(min(pause, remaining))
        pause = min(pause * 2, LONGEST_PAUSE)


def _applied(runtime: ServiceRuntime) -> int | None:
    return runtime.views.last_position(ROUND_RESULTS_VIEW.name, UPSTREAM)


def _refusal(head: int | None, applied: int | None, bound: float) -> ScoringNotCaughtUp:
    """`head` None: scoring's head could not be read (nor, then, is how far reporting got
    worth a database read)."""
    return ScoringNotCaughtUp(
        SCORING_NOT_CAUGHT_UP,
        field="run_id",
        scoring_head=head,
        applied=applied,
        waited_seconds=bound,
    )
