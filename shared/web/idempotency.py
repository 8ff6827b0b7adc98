"""What a command route takes for idempotency (`shared.idempotency` keeps the records): the
optional `Idempotency-Key` header and, for a keyed request, its body's fingerprint."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from starlette.concurrency import run_in_threadpool

from shared.idempotency import body_fingerprint
from shared.types import HeaderText

IdempotencyKey = Annotated[
    HeaderText | None,
    # Said in the schema too, so that clients and generators know a blank key is refused.
    Header(alias="Idempotency-Key", min_length=1, max_length=200, pattern=r"\S"),
]
"""The optional request header every command route takes."""


async def _keyed_body_fingerprint(request: Request) -> str | None:
    if request.headers.get("idempotency-key") is None:
        return None  # nothing to compare it with
    raw = await request.body()  # read already, for the body model
    # hashlib lets go of the GIL over large data: a 40 MB body is hashed beside other work.
    return await run_in_threadpool(body_fingerprint, raw)


BodyFingerprint = Annotated[str | None, Depends(_keyed_body_fingerprint)]
"""For a handler that passes it to `run_idempotent` as `request_digest`: the fingerprint of
the request's body when the request carries an Idempotency-Key, else None."""
