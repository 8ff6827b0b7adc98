"""Leases: which replica of a service applies an upstream (or runs the relay) right now.

An orchestrator may run several replicas of one service. All of them serve the API; each
piece of background work — one (view, upstream) consumer, the relay — is done by whichever
replica holds its lease, so work can spread over the replicas and moves when one dies.

In production a lease is a PostgreSQL session-level advisory lock taken on one connection per
process. The lock lives exactly as long as that session, so:

- **Takeover.** When a replica dies, its socket closes and PostgreSQL ends the session at
  once; another replica's next attempt (every `retry_seconds`) wins the lock. A replica that
  hangs or is cut off from the database keeps its session until the server gives up on it:
  the session sets `idle_session_timeout` (PostgreSQL 14+; TCP keepalives too), and a healthy
  holder is never idle that long because it proves its leases every `prove_seconds`.
- **A holder stops when it cannot prove it holds.** `held()` is true only while the last
  proof is younger than `valid_seconds` (well below the server's idle timeout), so a holder
  that lost its connection, or whose database restarted, stops consuming before another
  replica can win the lock. A proof reads `pg_locks` for this session: it shows each lock
  still held, not just a live connection. It counts from when it was asked, not answered:
  a holder frozen while it waited reads, when it wakes, an answer older than the freeze.
- **Correctness never rests on the lease.** An inbox re-checks its position inside the
  applying transaction, so two appliers for a moment (a batch in hand when the lease went)
  cannot apply anything twice; the lease only keeps that rare.

**Presence.** Every process of a service (the API, its relay, its views process, on every
replica) also holds a *shared* advisory lock on `<namespace>|<service>|running` on the same
connection (`attend`), taken before it touches its views and before any of its leases.
`pingyi rebuild` takes that lock exclusively (`shared.rebuild.service_stopped`): it is
refused while any process of the service runs, and a process that starts meanwhile waits
until the rebuild is done. Like the leases, the lock lives as long as its session, so it
can never be left behind by a process that died.

**Balance.** The leases of one service spread over its live replicas: each process holds
about its fair share of the leases it competes for (between `floor` and `ceil(leases /
members)`), and a replica that starts gets its share within seconds. Membership needs no
server of its own: the processes competing for the same set of leases (every replica's
views process; every replica's API process) each hold a shared advisory lock named after
that set, on the same session as their leases, so `pg_locks` shows who is alive (the lock
dies with the session, like the leases) and which leases each member holds. From that,
every `prove_seconds`, a process works out what it holds beyond its share (`surplus`) and,
once the surplus has lasted `settle_seconds` (hysteresis: a replica passing through moves
nothing), gives up that many of the leases it won last, once. A free lease is taken at
once by a member that needs it (`takes_at_once`: below its share and holding no more than
any other member); any other member takes it only once it has been free for
`grace_seconds`, so no lease stays unheld when its taker does not come, and a process
never takes back at once what it just gave up (if it has to, because nobody else took it,
it waits twice as long before giving anything up again). A process competing for one
lease (the relay process) has nothing to balance. A hand-over is safe for the reason
above: correctness never rests on the lease.

Embedded mode runs one process, whose leases are always held.

The code, by subject: `handles` (what work holds: `Lease`, `AlwaysHeld`, `PostgresLease`),
`postgres` (the session that holds them: `PostgresLeases`, presence, proofs) and `balance`
(the fair share and its rounds).
"""

from __future__ import annotations

from shared.service.leases.balance import (
    HOLDERS_OF_SQL,
    BalanceSnapshot,
    fair_share,
    surplus,
    takes_at_once,
)
from shared.service.leases.handles import AlwaysHeld, Lease, PostgresLease
from shared.service.leases.postgres import (
    APPLICATION_NAME_BYTES,
    PROVE_SQL,
    PostgresLeases,
    presence_name,
)

__all__ = [
    "APPLICATION_NAME_BYTES",
    "HOLDERS_OF_SQL",
    "PROVE_SQL",
    "AlwaysHeld",
    "BalanceSnapshot",
    "Lease",
    "PostgresLease",
    "PostgresLeases",
    "fair_share",
    "presence_name",
    "surplus",
    "takes_at_once",
]
