"""Stored task events -> published contracts (shared.contracts.inspection_tasks). Every
task event is published: the tasks view is built from them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from services.inspection.tasks.domain import SupervisedTask as Task
from shared.contracts import IntegrationPayload
from shared.contracts import inspection_tasks as contract


def _common(e: Any) -> dict[str, Any]:
    return {
        "task_id": e.originator_id,
        "unit_id": e.unit_id,
        "jurisdiction_id": e.jurisdiction_id,
        "campaign_id": e.campaign_id,
        "round": e.round,
        "actor": e.actor,
        "version": e.originator_version,
    }


def _assigned(e: Task.Assigned) -> IntegrationPayload:
    return contract.TaskAssigned(
        **_common(e),
        title=e.title,
        kind=e.kind,
        due_on=date.fromisoformat(e.due_on),
        milestones=tuple(
            contract.Milestone(name=n, due_on=date.fromisoformat(d)) for n, d in e.milestones
        ),
        methods=tuple(e.methods),
        reporter_id=e.reporter_id,
    )


def _supervised(e: Task.SupervisionRecorded) -> IntegrationPayload:
    return contract.SupervisionRecorded(
        **_common(e),
        method=e.method,
        supervised_on=date.fromisoformat(e.supervised_on),
        note=e.note,
    )


def _submitted(e: Task.ReportSubmitted) -> IntegrationPayload:
    return contract.ProgressReportSubmitted(
        **_common(e), month=e.month, progress=e.progress, difficulties=e.difficulties
    )


def _corrected(e: Task.ReportCorrected) -> IntegrationPayload:
    return contract.ProgressReportCorrected(
        **_common(e),
        month=e.month,
        progress=e.progress,
        difficulties=e.difficulties,
        reason=e.reason,
    )


def _reported(e: Task.MilestoneReported) -> IntegrationPayload:
    return contract.MilestoneReported(
        **_common(e), index=e.index, reached_on=date.fromisoformat(e.reached_on), note=e.note
    )


def _confirmed(e: Task.MilestoneConfirmed) -> IntegrationPayload:
    return contract.MilestoneConfirmed(
        **_common(e), index=e.index, reached_on=date.fromisoformat(e.reached_on), note=e.note
    )


def _completed(e: Task.Completed) -> IntegrationPayload:
    return contract.TaskCompleted(
        **_common(e), completed_on=date.fromisoformat(e.completed_on), reason=e.reason
    )


def _accountability(e: Task.AccountabilityRecorded) -> IntegrationPayload:
    return contract.AccountabilityRecorded(
        **_common(e), person=e.person, measure=e.measure, reason=e.reason
    )


MAPPERS: dict[type[Any], Callable[[Any], IntegrationPayload]] = {
    Task.Assigned: _assigned,
    Task.SupervisionRecorded: _supervised,
    Task.ReportSubmitted: _submitted,
    Task.ReportCorrected: _corrected,
    Task.MilestoneReported: _reported,
    Task.MilestoneConfirmed: _confirmed,
    Task.Completed: _completed,
    Task.AccountabilityRecorded: _accountability,
}
