"""Inspection area: supervised tasks (督办). Exports what the service is assembled from (see
main.py): `Commands` (a mixin of the application), `router`, `VIEWS`, `RESOLVERS`,
`MAPPERS` (stored event class -> function building its published contract)."""

from __future__ import annotations

from services.inspection.tasks.api import resolve_task, router
from services.inspection.tasks.application import TaskCommands
from services.inspection.tasks.integration import MAPPERS
from services.inspection.tasks.views import TASKS_VIEW
from shared.policy import ScopeResolver
from shared.views.model import View


class Commands(TaskCommands):
    """The area's commands and queries (a mixin of InspectionApplication)."""


VIEWS: tuple[View, ...] = (TASKS_VIEW,)
RESOLVERS: dict[str, ScopeResolver] = {"task": resolve_task}

__all__ = ["MAPPERS", "RESOLVERS", "VIEWS", "Commands", "router"]
