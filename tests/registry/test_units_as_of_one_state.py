"""A page of units as of a day (GET /units?as_of=) is picked from every unit's history read
as one state of the view: units registered while the history is read (one keyed before a
chunk's cursor, one after) are both in it or both not, never the later one alone. On the
memory and PostgreSQL view stores."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from services.registry.projections import REGISTRY_MODELS
from services.registry.projections.units import AS_OF_CHUNK, UnitHistoryView
from shared.contracts import IntegrationPayload
from shared.contracts.registry import JurisdictionRegistered, UnitRegistered
from shared.views import ViewReader, ViewStore
from tests.registry.export_helpers import registry_messages
from tests.registry.test_export_representatives import COUNTY
from tests.registry.test_export_representatives import views as views  # the fixture
from tests.shared.test_registry_view_reads import CommitAfterFirstPage

MANY = 2 * AS_OF_CHUNK + 201  # three chunks


def unit(key: int, name: str) -> UnitRegistered:
    return UnitRegistered(
        unit_id=UUID(int=key),
        jurisdiction_id=COUNTY,
        name=name,
        short_name=None,
        kind="government_department",
        category="政府部门及其它机构",
        parent_id=None,
    )


def feed(views: ViewStore, payloads: list[IntegrationPayload], start: int = 1) -> None:
    messages = registry_messages(payloads, start=start)
    REGISTRY_MODELS.inbox(views, "registry").apply("registry", messages)


def names_as_of(views: ViewReader) -> list[str]:
    found, more = UnitHistoryView(views).page_as_of(date(2025, 6, 1), lambda _: True, None, 5000)
    assert not more
    return [doc["name"] for doc in found]


@pytest.mark.parametrize("pages", [1, 2])
def test_units_registered_while_the_history_is_read_are_all_in_a_page_or_none(
    views: ViewStore, pages: int
) -> None:
    """The registrations land after the first chunk read, or after the second (the first
    a long read makes again in its snapshot: the first read, one chunk, tells it the
    history is longer). Histories are read in key order: the first new unit's key sorts
    before every other, the second's after."""
    county = JurisdictionRegistered(
        jurisdiction_id=COUNTY, name="临颍县", level="county", parent_id=None
    )
    feed(views, [county, *(unit(1000 + n, f"单位{n:05d}") for n in range(1, MANY + 1))])
    later: list[IntegrationPayload] = [unit(500, "单位00000"), unit(10**6, "单位99999")]
    reader = CommitAfterFirstPage(views, lambda: feed(views, later, start=MANY + 2), pages=pages)
    listed = names_as_of(reader)
    new = {"单位00000", "单位99999"} & set(listed)
    assert new in ({"单位00000", "单位99999"}, set())
    assert sorted(set(listed) - new) == [f"单位{n:05d}" for n in range(1, MANY + 1)]
    assert len(listed) == len(set(listed)) == MANY + len(new)
    again = names_as_of(views)
    assert (again[0], again[-1], len(again)) == ("单位00000", "单位99999", MANY + 2)
