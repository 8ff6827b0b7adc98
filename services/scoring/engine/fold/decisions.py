"""The inspection facts that decide or adjust a unit's result: assessment-team scores,
vetoes and cancellations (always named for a campaign round, so only this round's are
kept), rectification orders and supervised tasks (named for a round, or placed by date).

A withdrawn rectification order (`inspection.rectification.withdrawn`, issued in error) is
as never issued: its record is dropped, so neither its status, nor its escalations, nor its
re-rating reach the round, and nothing after the withdrawal brings it back. The other order
messages are folded exactly as before it existed: a log without a withdrawal folds to the
same document, byte for byte (tests/scoring/engine/test_fold_rectification_withdrawn.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.contracts import IntegrationPayload
from shared.contracts.inspection_assessments import (
    AssessmentScoreCorrected,
    AssessmentScoreRecorded,
    AssessmentScoreWithdrawn,
    ResultCancelled,
    VetoDecided,
    VetoRevoked,
)
from shared.contracts.inspection_rectification import (
    RectificationEscalated,
    RectificationOrdered,
    RectificationReported,
    RectificationRerated,
    RectificationVerified,
    RectificationWithdrawn,
)
from shared.contracts.inspection_tasks import (
    AccountabilityRecorded,
    TaskAssigned,
    TaskCompleted,
)

from ..inputs import AssessmentFact, CancellationFact, RectificationFact, TaskFact, VetoFact
from .inspection import Placement, iso

ROUND_NAMED = (
    AssessmentScoreRecorded,
    AssessmentScoreCorrected,
    AssessmentScoreWithdrawn,
    VetoDecided,
    VetoRevoked,
    ResultCancelled,
)
OrderMessage = (
    RectificationOrdered
    | RectificationReported
    | RectificationVerified
    | RectificationEscalated
    | RectificationRerated
)
TaskMessage = TaskAssigned | TaskCompleted | AccountabilityRecorded
EVENT_TYPES = frozenset(
    cls.event_type
    for cls in (
        *ROUND_NAMED,
        *OrderMessage.__args__,
        RectificationWithdrawn,
        *TaskMessage.__args__,
    )
)


@dataclass
class Assessment:
    unit_id: str
    code: str
    fact: AssessmentFact


@dataclass
class Order:
    unit_id: str
    fact: RectificationFact
    placement: Placement


@dataclass
class Task:
    unit_id: str
    fact: TaskFact
    placement: Placement


@dataclass
class DecisionsFold:
    campaign_id: str
    round: int
    assessments: dict[str, Assessment] = field(default_factory=dict)
    """score id -> the score in force (withdrawn ones removed)."""
    vetoes: dict[str, tuple[str, VetoFact]] = field(default_factory=dict)
    """veto id -> (unit id, veto) in force."""
    cancellations: dict[str, tuple[str, CancellationFact]] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    withdrawn_orders: set[str] = field(default_factory=set)
    """Order ids withdrawn: one small entry each, so a later message cannot revive one."""
    tasks: dict[str, Task] = field(default_factory=dict)

    def apply(self, payload: IntegrationPayload) -> bool:
        if isinstance(payload, ROUND_NAMED):
            ours = str(payload.campaign_id) == self.campaign_id and payload.round == self.round
            if ours:
                self._round_named(payload)
            return ours
        if isinstance(payload, OrderMessage):
            return self._order(payload)
        if isinstance(payload, RectificationWithdrawn):
            return self._order_withdrawn(payload)
        if isinstance(payload, TaskMessage):
            return self._task(payload)
        return False

    def _round_named(self, payload: IntegrationPayload) -> None:
        if isinstance(payload, AssessmentScoreRecorded):
            fact: AssessmentFact = {
                "name": payload.component_name,
                "score": format(payload.score, "f"),
                "maximum": format(payload.maximum, "f"),
            }
            assessment = Assessment(str(payload.unit_id), payload.component_code, fact)
            self.assessments[str(payload.score_id)] = assessment
        elif isinstance(payload, AssessmentScoreCorrected):
            known = self.assessments.get(str(payload.score_id))
            if known is not None:
                known.fact["score"] = format(payload.score, "f")
                known.fact["maximum"] = format(payload.maximum, "f")
        elif isinstance(payload, AssessmentScoreWithdrawn):
            self.assessments.pop(str(payload.score_id), None)
        elif isinstance(payload, VetoDecided):
            veto: VetoFact = {
                "veto_id": str(payload.veto_id),
                "basis": payload.basis,
                "authority": payload.authority,
            }
            self.vetoes[veto["veto_id"]] = (str(payload.unit_id), veto)
        elif isinstance(payload, VetoRevoked):
            self.vetoes.pop(str(payload.veto_id), None)
        elif isinstance(payload, ResultCancelled):
            cancellation: CancellationFact = {
                "cancellation_id": str(payload.cancellation_id),
                "reason": payload.reason,
                "decided_by": payload.decided_by,
            }
            self.cancellations[cancellation["cancellation_id"]] = (
                str(payload.unit_id),
                cancellation,
            )

    def _order(self, payload: OrderMessage) -> bool:
        """Every rectification message carries the order as it stands after it, so the
        status, unit and campaign round are the last message's."""
        order_id = str(payload.order_id)
        if order_id in self.withdrawn_orders:
            return False  # inspection publishes nothing after a withdrawal; were it to: final
        order = self.orders.get(order_id)
        if order is None:
            fact: RectificationFact = {
                "order_id": order_id,
                "status": payload.status,
                "escalations": [],
                "second_handling": False,
                "rerating": None,
            }
            issued_on = payload.issued_on if isinstance(payload, RectificationOrdered) else None
            order = Order(str(payload.unit_id), fact, Placement(iso(issued_on)))
            self.orders[order_id] = order
        order.unit_id = str(payload.unit_id)
        order.fact["status"] = payload.status
        order.placement.name(payload.campaign_id, payload.round)
        if isinstance(payload, RectificationVerified) and payload.second_handling:
            order.fact["second_handling"] = True
        elif isinstance(payload, RectificationEscalated):
            order.fact["escalations"].append(payload.step)
        elif isinstance(payload, RectificationRerated):
            order.fact["rerating"] = payload.rating
        if payload.status == "second_handling":
            order.fact["second_handling"] = True
        return True

    def _order_withdrawn(self, payload: RectificationWithdrawn) -> bool:
        order_id = str(payload.order_id)
        self.withdrawn_orders.add(order_id)
        return self.orders.pop(order_id, None) is not None

    def _task(self, payload: TaskMessage) -> bool:
        task_id = str(payload.task_id)
        task = self.tasks.get(task_id)
        if isinstance(payload, TaskAssigned):
            if task is not None:
                return True
            fact: TaskFact = {
                "task_id": task_id,
                "kind": payload.kind,
                "completed": False,
                "accountability": 0,
            }
            task = Task(str(payload.unit_id), fact, Placement(iso(payload.due_on)))
            self.tasks[task_id] = task
        elif task is None:
            # inspection publishes a task's assignment first; without it there is no kind
            # or due day to state.
            return False
        elif isinstance(payload, TaskCompleted):
            task.fact["completed"] = True
        else:
            task.fact["accountability"] += 1
        task.placement.name(payload.campaign_id, payload.round)
        return True
