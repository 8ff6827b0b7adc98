"""导出评议人员库 reads a pool longer than a page as one state of the view: people registered
while it is read (one sorted before the page's cursor, one after) are both in it or both
not, never the later one alone. On the memory and PostgreSQL view stores."""

from __future__ import annotations

import pytest

from services.registry.importing.representatives import representative_sheet
from shared.views import ViewStore
from tests.registry.export_helpers import registry_messages
from tests.registry.test_export_representatives import COUNTY, REGISTRY_MODELS, feed, person
from tests.registry.test_export_representatives import views as views  # the fixture
from tests.shared.test_registry_view_reads import CommitAfterFirstPage


@pytest.mark.parametrize("pages", [1, 2])
def test_people_registered_while_a_pool_is_exported_are_all_in_it_or_none(
    views: ViewStore, pages: int
) -> None:
    """The registrations land after the first page read, or after the second (the first
    a long read makes again in its snapshot: the first read, one page, tells it the pool
    is longer than a page)."""
    many = [person(n, f"代表{n:05d}") for n in range(1, 1202)]
    feed(views, many)
    later = [person(3000, "代表00000"), person(3001, "代表99999")]

    def register() -> None:
        messages = registry_messages(later, start=len(many) + 1)
        REGISTRY_MODELS.inbox(views, "registry").apply("registry", messages)

    reader = CommitAfterFirstPage(views, register, pages=pages)
    rows = representative_sheet(reader, COUNTY, "临颍县").rows
    names = [row[1] for row in rows]
    new = {"代表00000", "代表99999"} & set(names)
    assert new in ({"代表00000", "代表99999"}, set())
    assert sorted(set(names) - new) == [f"代表{n:05d}" for n in range(1, 1202)]
    assert len(names) == len(set(names)) == 1201 + len(new)
    again = [row[1] for row in representative_sheet(views, COUNTY, "临颍县").rows]
    assert (again[0], again[-1], len(again)) == ("代表00000", "代表99999", 1203)
