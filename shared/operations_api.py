"""Operators' routes every service has: consumer status and recorded skip decisions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from shared.auth import CurrentPrincipal
from shared.errors import ConflictError, NotFoundError
from shared.operations import SkipDecision, decision_for
from shared.policy import Policy, PolicyRouter, allow
from shared.types import Line, Prose
from shared.web.runtime_dep import RuntimeDep


class SkipIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    position: int = Field(ge=1, description="The upstream position the consumer is stalled on")
    event_id: Line = Field(
        min_length=1, max_length=64, description="The stalled message's event id, as shown"
    )
    reason: Prose = Field(min_length=1, max_length=2000)


def _operations_router() -> APIRouter:
    router = PolicyRouter(tags=["operations"])

    @router.get(
        "/operations/consumers",
        summary="Every consumer of this service: position, lag, stall and lease",
        **allow(Policy.read()),
    )
    def consumers(runtime: RuntimeDep) -> dict[str, Any]:
        runtime.require_database()
        return {
            "service": runtime.name,
            "consumers": runtime.consumer_reports(),
            "positions": runtime.views.positions(),
        }

    @router.post(
        "/operations/consumers/{consumer}/{upstream}/skips",
        status_code=201,
        summary="Record the decision to skip a message a consumer cannot apply",
        **allow(Policy.admin()),
    )
    def record_skip(
        consumer: Line, upstream: Line, body: SkipIn, caller: CurrentPrincipal, runtime: RuntimeDep
    ) -> dict[str, Any]:
        """The decision is an event in this service's log with actor and reason; the consumer
        then records that one message as handled without applying it, if it still fails."""
        runtime.require_database()
        _check_target(runtime.consumer_reports(), consumer, upstream, body.position)
        app = runtime.application
        if decision_for(app, consumer, upstream, body.position) is not None:
            raise ConflictError(
                "此消息的处理决定已记录 (a decision for this message is already recorded)",
                field="position",
            )
        decision = SkipDecision(
            consumer, upstream, body.position, body.event_id, body.reason, caller.actor
        )
        app.save(decision)
        return {
            "decision_id": str(decision.id),
            "consumer": consumer,
            "upstream": upstream,
            "position": body.position,
            "event_id": body.event_id,
            "reason": body.reason,
            "actor": caller.actor,
        }

    return router


def _check_target(
    reports: list[dict[str, Any]], consumer: str, upstream: str, position: int
) -> None:
    """A decision is an event kept for good: one naming a consumer this service does not
    have (a typo in the path) or a message it has applied already would be recorded, answered
    201, and change nothing, while the operator believes the stall dealt with."""
    found = [r for r in reports if r["consumer"] == consumer and r["upstream"] == upstream]
    if not found:
        pairs = sorted({f"{r['consumer']}/{r['upstream']}" for r in reports})
        raise NotFoundError(
            f"本服务没有此消费者 {consumer}/{upstream} (this service has no consumer "
            f"{consumer} of {upstream}; it has {', '.join(pairs)})",
            field="consumer",
        )
    applied = max((r["last_position"] or 0 for r in found), default=0)
    if position <= applied:
        raise ConflictError(
            f"{consumer} 已处理 {upstream} 至位置 {applied} ({consumer} has applied "
            f"{upstream} up to position {applied} already)",
            field="position",
        )


OPERATIONS_ROUTER = _operations_router()
