"""The idempotent consumer side: decide what in a batch is new, a duplicate, or a gap.

The decision is made against the last position recorded for the upstream, and the write
that records the new position is the same transaction as the consumer's own writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from shared.contracts import (
    PAYLOAD_TYPES,
    UPCASTER,
    IntegrationMessage,
    IntegrationPayload,
    parse_payload,
)
from shared.views.base import StalePositionError, ViewStore, ViewTransaction


@dataclass
class BatchPlan:
    to_apply: list[IntegrationMessage] = field(default_factory=list)
    duplicates: list[IntegrationMessage] = field(default_factory=list)
    gap_after: int | None = None
    """Set when a message does not follow on from what was applied; holds the last good position."""
    gap_index: int | None = None


def plan_batch(last: int | None, messages: Sequence[IntegrationMessage]) -> BatchPlan:
    plan = BatchPlan()
    cursor = last
    for index, message in enumerate(messages):
        if cursor is not None and message.position <= cursor:
            plan.duplicates.append(message)
            continue
        if message.previous_position != cursor and not (
            cursor is None and message.previous_position is None
        ):
            plan.gap_after = cursor
            plan.gap_index = index
            break
        plan.to_apply.append(message)
        cursor = message.position
    return plan


class Inbox(Protocol):
    def last_position(self, upstream: str) -> int | None: ...

    def apply(self, upstream: str, messages: Sequence[IntegrationMessage]) -> None:
        """Apply messages (already known to follow on) and track the last, atomically."""

    def skip(self, upstream: str, message: IntegrationMessage) -> None:
        """Track `message` as handled without applying it: only ever on a recorded decision
        (see `shared.operations`), for a message that cannot be applied."""


ViewHandler = Callable[[ViewTransaction, Any, IntegrationMessage], None]
"""A view's handler: the payload as `parse_payload` decoded it (the newest model of its
contract), and the message that carried it."""


def as_carried(payload: IntegrationPayload, message: IntegrationMessage) -> dict[str, Any]:
    """`payload` (decoded from `message`) in JSON, holding only the fields `message` carried,
    as the contract's upcasters lift them: never the default of a field added to the
    contract after the message was written.

    A view that stores a payload as it stands (to digest it, or to hand it on) stores this,
    not `payload.model_dump()`: the decoded model fills in every newer field, so a row
    rebuilt under a later contract would gain fields the row built from the same message
    before did not have, and no longer hash to what was published from it."""
    fields: dict[str, Any] = dict(message.payload)
    for version in range(message.schema_version + 1, payload.schema_version + 1):
        newer = PAYLOAD_TYPES[(message.event_type, version)]
        fields = getattr(newer, UPCASTER)(fields)
    return {k: v for k, v in payload.model_dump(mode="json").items() if k in fields}


HandlerTable = Mapping[type[IntegrationPayload], ViewHandler]


def combine_handlers(*tables: HandlerTable) -> dict[type[IntegrationPayload], ViewHandler]:
    """Merge handler tables; where several tables handle one contract, all run, in order.

    Read models owned by different modules can then follow the same fact without knowing of
    each other, and none silently replaces another.
    """
    chains: dict[type[IntegrationPayload], list[ViewHandler]] = {}
    for table in tables:
        for contract, handler in table.items():
            chains.setdefault(contract, []).append(handler)
    return {contract: _chain(handlers) for contract, handlers in chains.items()}


def _chain(handlers: list[ViewHandler]) -> ViewHandler:
    if len(handlers) == 1:
        return handlers[0]

    def run_all(tx: ViewTransaction, payload: Any, message: IntegrationMessage) -> None:
        for handler in handlers:
            handler(tx, payload, message)

    return run_all


def still_new(
    last: int | None, messages: Sequence[IntegrationMessage]
) -> Sequence[IntegrationMessage]:
    """Re-check the plan inside the applying transaction (which holds the upstream's lock):
    another applier may have moved on since the batch was planned."""
    fresh = [m for m in messages if last is None or m.position > last]
    if fresh and fresh[0].previous_position != last:
        raise StalePositionError(f"batch planned after {fresh[0].previous_position}, now at {last}")
    return fresh


class ViewInbox:
    """Applies one upstream's messages to one view: its handlers' rows and the view's position
    for that upstream commit together. Messages of a type the view has no handler for are
    tracked without being decoded, so a payload this view does not read cannot stall it.
    With `version`, each transaction first checks the view is still at that version, and
    raises `ViewSupersededError` having written nothing once a newer release reset it."""

    def __init__(
        self, views: ViewStore, view: str, handlers: HandlerTable, version: int | None = None
    ) -> None:
        self.views = views
        self.view = view
        self.version = version
        self._handlers = {cls.event_type: fn for cls, fn in handlers.items()}

    def last_position(self, upstream: str) -> int | None:
        return self.views.last_position(self.view, upstream)

    def apply(self, upstream: str, messages: Sequence[IntegrationMessage]) -> None:
        if not messages:
            return
        with self.views.transaction(self.view, self.version) as tx:
            messages = still_new(tx.last_position(upstream), messages)
            if not messages:
                return
            for message in messages:
                handler = self._handlers.get(message.event_type)
                if handler is not None:
                    handler(tx, parse_payload(message), message)
            tx.track(upstream, messages[-1].position)

    def skip(self, upstream: str, message: IntegrationMessage) -> None:
        with self.views.transaction(self.view, self.version) as tx:
            if still_new(tx.last_position(upstream), [message]):
                tx.track(upstream, message.position)
