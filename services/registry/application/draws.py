"""Registry commands for random draws (随机抽取): commit, freeze the pool, reveal the seed.

The pool is derived from the registry's own event log as of a recorded position, with the
same `PoolLedger` that `pingyi verify-draw` uses, so the frozen pool can be re-derived by
anyone holding the log — not read from a view that might lag behind it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from services.registry.application.people import as_uuid
from services.registry.application.units import UnitCommands
from services.registry.domain.draws import (
    ALREADY_FROZEN,
    ALREADY_REVEALED,
    COMMITTED,
    DRAWN,
    FREEZE_FIRST,
    SEED_MISMATCH,
    Draw,
    DrawConflict,
    DrawNotFound,
    InvalidDraw,
    PoolLedger,
    commitment_of,
)
from shared.idempotency import Response
from shared.principals import Principal as Caller

LOG_PAGE = 1000
DRAW_FIELDS = frozenset(
    {"jurisdiction_id", "campaign_id", "cycle", "purpose", "size", "quotas", "commitment"}
)


def read_log(app: Application[Any], stop: int | None = None) -> Iterator[tuple[int, Any]]:
    """(notification id, domain event) for every stored event up to `stop`, in log order."""
    start = 1
    while True:
        page = app.recorder.select_notifications(start=start, limit=LOG_PAGE, stop=stop)
        for notification in page:
            yield notification.id, app.mapper.to_domain_event(notification)
        if len(page) < LOG_PAGE:
            return
        start = page[-1].id + 1


def ledger_of(app: Application[Any], stop: int) -> PoolLedger:
    ledger = PoolLedger()
    for position, domain_event in read_log(app, stop):
        ledger.observe(position, domain_event)
    return ledger


class DrawCommands(UnitCommands):
    def draw(self, draw_id: UUID, field: str = "draw_id") -> Draw:
        return self.load(draw_id, Draw, DrawNotFound, field)

    def create_draw(self, caller: Caller, spec: dict[str, Any], key: str | None) -> Response:
        """spec: jurisdiction_id, campaign_id (optional), cycle, purpose (default general),
        size, quotas {sector: count} (optional, summing to size), commitment = sha256 hex."""

        def command() -> tuple[list[Any], Response]:
            unknown = sorted(set(spec) - DRAW_FIELDS)
            if unknown:
                raise InvalidDraw("抽取没有这个字段 (not a draw field)", field=unknown[0])
            jurisdiction_id = as_uuid(spec.get("jurisdiction_id"), "jurisdiction_id")
            self.jurisdiction(jurisdiction_id)
            campaign = spec.get("campaign_id")
            draw = Draw.commit(
                jurisdiction_id=jurisdiction_id,
                campaign_id=as_uuid(campaign, "campaign_id") if campaign else None,
                cycle=str(spec.get("cycle") or ""),
                purpose=str(spec.get("purpose") or "general"),
                size=int(spec.get("size") or 0),
                quotas=spec.get("quotas") or None,
                commitment=str(spec.get("commitment") or ""),
                actor=caller.actor,
            )
            return [draw], self.draw_out(draw)

        return self.idempotent(caller, "draw", key, spec, command)

    def freeze_pool(self, caller: Caller, draw_id: UUID, key: str | None = None) -> Response:
        def command() -> tuple[list[Any], Response]:
            draw = self.draw(draw_id)
            if draw.status != COMMITTED:
                raise DrawConflict(ALREADY_FROZEN, field="draw_id")
            as_of = self.recorder.max_notification_id() or 0
            eligible = ledger_of(self, as_of).eligible(
                draw.jurisdiction_id, draw.cycle, draw.purpose, as_of, draw.pool_rule
            )
            draw.freeze(eligible, as_of, caller.actor)
            return [draw], self.draw_out(draw)

        return self.idempotent(caller, "draw.freeze", key, {"draw_id": draw_id}, command)

    def reveal_seed(
        self, caller: Caller, draw_id: UUID, seed: str, key: str | None = None
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            draw = self.draw(draw_id)
            # Cheap refusals first: the exclusion scan below reads the whole log.
            if draw.status == COMMITTED:
                raise DrawConflict(FREEZE_FIRST, field="draw_id")
            if draw.status == DRAWN:
                raise DrawConflict(ALREADY_REVEALED, field="draw_id")
            if commitment_of(seed) != draw.commitment:
                raise InvalidDraw(SEED_MISMATCH, field="seed")
            as_of = self.recorder.max_notification_id() or 0
            excluded = ledger_of(self, as_of).disqualified_between(
                draw.pool, draw.as_of_position or 0, as_of
            )
            draw.reveal(seed, excluded, as_of, caller.actor)
            return [draw], self.draw_out(draw)

        request = {"draw_id": draw_id, "seed": seed}
        return self.idempotent(caller, "draw.reveal", key, request, command)

    def draw_out(self, draw: Draw, include_pool: bool = False) -> Response:
        # Events not saved yet (the answer of the command that triggers them) carry the
        # times they are stored with.
        events: list[Any] = [*self.events.get(draw.id), *draw.pending_events]
        times = {type(e).__name__: e.timestamp for e in events}
        return {
            "draw_id": str(draw.id),
            "jurisdiction_id": str(draw.jurisdiction_id),
            "campaign_id": str(draw.campaign_id) if draw.campaign_id else None,
            "cycle": draw.cycle,
            "purpose": draw.purpose,
            "size": draw.size,
            "quotas": draw.quotas,
            "commitment": draw.commitment,
            "pool_rule": draw.pool_rule,
            "status": draw.status,
            "committed_at": times.get("Committed"),
            "frozen_at": times.get("PoolFrozen"),
            "pool_size": len(draw.pool) if draw.pool_digest else None,
            "pool_digest": draw.pool_digest,
            "pool_as_of_position": draw.as_of_position,
            "pool": draw.pool if include_pool and draw.pool_digest else None,
            "revealed_at": times.get("PanelDrawn"),
            "seed": draw.seed,
            "excluded": draw.excluded,
            "chosen": [{"person_id": p, "sector": draw.sectors[p]} for p in draw.chosen],
        }
