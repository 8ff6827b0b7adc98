"""What one running service is made of, and its start/stop order.

Start: in production, this process's share of the service's presence lock (waiting while a
`pingyi rebuild` of the service runs: `shared.service.leases`), the view store (declaring
every view's collections, dropping any view whose version changed so it rebuilds), the
event-sourced application, the transport (which, in memory mode, hands this service's log
to the consumers in the process), the relay (when it runs inside this process, else its
child process), the views process (when the leased views run apart:
`settings.views_in_process` False, `shared.service.views_process`), then one consumer per
(view, upstream) this process runs and per processor.
Stop: every consumer and child process at once (each consumer finishes the batch in hand),
then the relay, transport, application and store; each is closed even when closing one
before it failed (`shared.runtime.stopping`), and the transport's close never fails for a
NATS that is down (`JetStreamTransport.close`).

The runtime is a package of three parts: `stores` (opening the view store and the event store
that another process may be creating), `wiring` (the consumers and leases a start builds),
and `service` (`ServiceRuntime` itself: its parts and the start and stop order). Everything
imports them from here.
"""

from __future__ import annotations

from shared.runtime.service import ServiceRuntime
from shared.runtime.stores import OPEN_ATTEMPTS, OPEN_RETRY_PAUSE, build_view_store, open_racing

__all__ = [
    "OPEN_ATTEMPTS",
    "OPEN_RETRY_PAUSE",
    "ServiceRuntime",
    "build_view_store",
    "open_racing",
]
