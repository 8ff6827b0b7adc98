"""A replica that holds one lease, for tests to kill or freeze:
`python -m tests.shared.lease_holder <database url> <lease name>` prints "held" once it
holds the lease, then keeps it (proving it) until it is killed."""

from __future__ import annotations

import asyncio
import sys

from shared.service.leases import PostgresLeases


async def hold(url: str, name: str) -> None:
    leases = PostgresLeases(
        url, "test", retry_seconds=0.1, prove_seconds=0.2, valid_seconds=1.0,
        server_idle_timeout=2.0,
    )  # fmt: skip
    leases.start()
    if await leases.lease(name).acquire(asyncio.Event()):
        print("held", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(hold(sys.argv[1], sys.argv[2]))
