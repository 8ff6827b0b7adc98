"""How a production process of a service takes its leases at start: the API process
(`shared.runtime.service`), its views process (`shared.service.views_process`) and its relay
process (`shared.messaging.relay_process`)."""

from __future__ import annotations

import asyncio

from shared.messaging.jetstream import reason
from shared.service.leases import PostgresLeases
from shared.service.start_wait import postgres_shown, until_usable
from shared.settings import CommonSettings


async def leases_at_start(common: CommonSettings, service: str) -> PostgresLeases:
    """This process's leases, holding its share of `service`'s presence lock and proving
    from then on. Called before the process touches its views: while `pingyi rebuild` of the
    service runs, it waits for it to finish (and keeps it refused once the process runs).
    The presence lock is the process's first connection, and PostgreSQL may still be
    starting (a whole deployment started at once) or restarting: waited for as every start
    waits for it, one line per attempt, until PINGYI_DATABASE_START_WAIT_SECONDS. A wait
    given up on or cancelled closes the leases it made."""
    leases = PostgresLeases(common.database_url, common.namespace, service=service)
    try:
        await until_usable(
            postgres_shown(common.database_url),
            leases.attend,
            wait=common.database_start_wait_seconds,
            why=reason,
        )
    except BaseException:
        await asyncio.to_thread(leases.close)
        raise
    leases.start()
    return leases
