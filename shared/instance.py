"""Who this process is, where rows and sessions name it: `host:pid:instance`, e.g.
`vm:7:3f9a2c` (the views process's status row, the relay's `holder`, the leases' PostgreSQL
`application_name`).

Host and pid alone do not tell processes apart: two replicas on one host with host
networking (`docker run --network host`, a pod with `hostNetwork: true`) share the host's
name, and the first process of each container has the same pid. So every process makes
one random instance id when it starts. A child that `ChildProcess` starts (the relay and the
views process of `pingyi serve`) inherits its parent's instead, through the environment,
so that the views process can name the API process it reports to, and a replica's
processes show one id. Any other process makes its own, even one whose environment
carries an id (a test, or a shell that started a `pingyi serve`): two replicas must never
share one.
"""

from __future__ import annotations

import os
import secrets
import socket

from shared.service.supervisor import PARENT_FD_KEY

INSTANCE_KEY = "PINGYI_INSTANCE_ID"
"""The environment key that passes the instance id to the children a process starts."""


def _made_once() -> str:
    inherited = os.environ.get(INSTANCE_KEY, "") if PARENT_FD_KEY in os.environ else ""
    made = inherited or secrets.token_hex(3)
    # At import, before any ChildProcess copies the environment it starts its children with
    # (`pingyi serve` builds them after importing the runtime, which imports this).
    os.environ[INSTANCE_KEY] = made
    return made


INSTANCE_ID = _made_once()


def identity(pid: int | None = None, instance: str = INSTANCE_ID, *, room: int = 0) -> str:
    """`host:pid:instance` of this process, or of process `pid` of this replica (the parent
    of a child, which shares its instance id). `room`: at most that many bytes, the host's
    name cut short if need be, since the pid and the id are what tell replicas apart."""
    rest = f":{os.getpid() if pid is None else pid}:{instance}"
    host = socket.gethostname()
    if room:
        kept = host.encode(errors="replace")[: max(0, room - len(rest))]
        host = kept.decode(errors="ignore")
    return host + rest
