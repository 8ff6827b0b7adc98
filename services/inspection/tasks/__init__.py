"""Inspection area: supervised tasks (督办). Exports what the service is assembled from (see
main.py): `Commands` (a mixin of the application), `load_api` (its routes and scope resolvers,
loaded by the API process only), `VIEWS`, `MAPPERS` (stored event class -> function building
its published contract)."""

from __future__ import annotations

from services.inspection.tasks.application import TaskCommands
from services.inspection.tasks.integration import MAPPERS
from services.inspection.tasks.views import TASKS_VIEW
from shared.service.definition import ServiceApi
from shared.views.model import View


class Commands(TaskCommands):
    """The area's commands and queries (a mixin of InspectionApplication)."""


VIEWS: tuple[View, ...] = (TASKS_VIEW,)


def load_api() -> ServiceApi:
    from services.inspection.tasks.api import resolve_task, router

    return ServiceApi(routers=(router,), resolvers={"task": resolve_task})


__all__ = ["MAPPERS", "VIEWS", "Commands", "load_api"]
