"""Idempotency keys on scoring's commands, as every service honours them
(`shared.idempotency`): a retry with the same key and request answers what the first was
answered; the same key with another request is refused (409 naming `Idempotency-Key`).

A request is its target (the route's path parameters) and its body byte for byte
(`shared.idempotency.BodyFingerprint`): a scheme document may hold numbers no fast encoder
takes, and a retry sends the same bytes. Each route has a scope of its own, so one key may
serve, say, a scheme's registration and its assignment; within a route, the same key on
another campaign or round is another request (409), as in reporting's publications.

The commands call `shared.idempotency.run_idempotent` as every service does: without a key
a command that changes nothing (a stored run asked for again, the scheme already in force,
a what-if) writes nothing; with a key already used, the first answer is replayed before the
round is read or computed (`prepare`) and before the application's lock is taken.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.application import Application


def keyed_request(body_fingerprint: str | None, **target: Any) -> dict[str, Any]:
    """What a keyed request is compared by: its target and its body's fingerprint."""
    return {**{name: str(value) for name, value in target.items()}, "body": body_fingerprint}


def as_application(mixin: object) -> Application[Any]:
    """The eventsourcing application a scoring mixin (`SchemeCatalog`, `RoundScoring`) is
    part of, for `run_idempotent`."""
    assert isinstance(mixin, Application)
    return mixin
