"""A bulletin (每周一报, 每月双报) reads its jurisdiction, tasks, facts and unit names as one
state of the views: a task assigned between the tasks' read and the facts' is in neither,
never a fact of a task the bulletin does not list. On the memory and PostgreSQL stores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from services.reporting.bulletins.api import monthly_of, weekly_of
from services.reporting.bulletins.views import TASK_BULLETINS_VIEW
from shared.contracts import IntegrationMessage
from shared.contracts.inspection_tasks import TaskAssigned
from shared.views import MemoryViewStore, PostgresViewStore, ViewStore
from tests.harness import feed_registry_copy
from tests.shared.test_registry_view_reads import COUNTY, CommitAfterFirstPage, tree, unit, unit_id

# 2026-01-05 is the Monday of 2026-W02.
ASSIGNED = datetime(2026, 1, 5, 2, tzinfo=UTC)


@pytest.fixture(params=["memory", "postgres"])
def views(request: pytest.FixtureRequest) -> Iterator[ViewStore]:
    if request.param == "memory":
        store: ViewStore = MemoryViewStore()
    else:
        store = PostgresViewStore(request.getfixturevalue("database_url"), "reporting")
    store.setup()
    store.declare(TASK_BULLETINS_VIEW.collections)
    yield store
    store.close()


def assigned(n: int, title: str) -> IntegrationMessage:
    p = TaskAssigned(
        task_id=UUID(int=5000 + n),
        unit_id=unit_id(n),
        jurisdiction_id=COUNTY,
        actor="office:x",
        version=1,
        title=title,
        kind="task",
        due_on=date(2026, 12, 31),
        milestones=(),
        methods=(),
    )
    return IntegrationMessage(
        event_id=IntegrationMessage.event_id_for("inspection", n),
        event_type=p.event_type,
        schema_version=p.schema_version,
        origin="inspection",
        position=n,
        previous_position=n - 1 if n > 1 else None,
        occurred_at=ASSIGNED,
        payload=p.model_dump(mode="json"),
    )


def task_facts(views: ViewStore, messages: list[IntegrationMessage]) -> None:
    TASK_BULLETINS_VIEW.inbox(views, "inspection").apply("inspection", messages)


@pytest.fixture
def county(views: ViewStore) -> ViewStore:
    registry = [*tree(), unit(1, "源汇区住建局", COUNTY), unit(2, "源汇区民政局", COUNTY)]
    feed_registry_copy(
        views,
        [
            IntegrationMessage(
                event_id=IntegrationMessage.event_id_for("registry", position),
                event_type=p.event_type,
                schema_version=p.schema_version,
                origin="registry",
                position=position,
                previous_position=position - 1 if position > 1 else None,
                occurred_at=ASSIGNED,
                payload=p.model_dump(mode="json"),
            )
            for position, p in enumerate(registry, start=1)
        ],
    )
    task_facts(views, [assigned(1, "老旧小区改造")])
    return views


def later_task(views: ViewStore) -> CommitAfterFirstPage:
    """The store, with 民政局's task assigned right after the tasks' page is read (the
    second page read: the subtree's is the first)."""
    return CommitAfterFirstPage(views, lambda: task_facts(views, [assigned(2, "养老服务")]), 2)


def test_a_weekly_bulletin_is_one_state_of_its_tasks_and_facts(county: ViewStore) -> None:
    doc = weekly_of(later_task(county), COUNTY, "2026-W02")
    assert [f["title"] for f in doc["facts"]] == ["老旧小区改造"]
    assert (doc["counts"]["tasks"], doc["counts"]["assigned"]) == (1, 1)
    assert [f["unit_name"] for f in doc["facts"]] == ["源汇区住建局"]
    # Read again, the task assigned meanwhile is in both.
    again = weekly_of(county, COUNTY, "2026-W02")
    assert (again["counts"]["tasks"], again["counts"]["assigned"]) == (2, 2)


def test_a_monthly_bulletin_is_one_state_of_its_tasks_and_facts(county: ViewStore) -> None:
    doc = monthly_of(later_task(county), COUNTY, "2026-01")
    assert [r["title"] for r in doc["reports"]] == ["老旧小区改造"]
    assert [f["title"] for f in doc["facts"]] == ["老旧小区改造"]
    again = monthly_of(county, COUNTY, "2026-01")
    assert sorted(f["title"] for f in again["facts"]) == ["养老服务", "老旧小区改造"]
