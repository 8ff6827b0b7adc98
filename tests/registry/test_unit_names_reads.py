"""The unit-name and credit-code rules read a jurisdiction once per request, not once per row:
an import of N rows into a jurisdiction of M units asks the view store the same number of
queries whatever N, and the event store one read per claim a row takes
(`services.registry.projections.unit_names`). Counted, never timed: a return of the
per-row lookup (5,000 rows into 5,000 units took a minute) shows as queries growing with N.

The lookups answer as before: units saved before claims existed, found only through the
read model, are still refused in any row of a batch, by name (in any spelling) and by code."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from services.registry.domain import Unit, UnitSpec
from services.registry.domain.credit_code import check_character
from tests.harness import ADMIN, Cluster
from tests.registry.helpers import post
from tests.registry.import_helpers import csv_bytes, upload
from tests.registry.units_helpers import GOV, change, refused

HEADER = ["单位名称", "单位类型", "类别", "统一社会信用代码"]


def code(number: int) -> str:
    first = f"91411100{number:09d}"
    return first + check_character(first)


def sheet(start: int, count: int, coded: bool) -> bytes:
    rows = [
        [f"测试单位{n:04d}", "政府部门", GOV, code(n) if coded else ""]
        for n in range(start, start + count)
    ]
    return csv_bytes([HEADER, *rows])


def county(cluster: Cluster, name: str) -> str:
    city = post(cluster, "/jurisdictions", {"name": f"{name}所在市", "level": "city"})
    body = {"name": name, "level": "county", "parent_id": city["jurisdiction_id"]}
    found: str = post(cluster, "/jurisdictions", body)["jurisdiction_id"]
    return found


class CountingReads:
    """Counts, on the running registry, the view store's queries that walk a selection
    (`page`, which `pages` calls once a page, and `scan`) and the event store's aggregate
    reads (`repository.get`). The real stores answer every call."""

    def __init__(self, cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
        runtime = cluster["registry"].app.state.runtime
        self.calls: Counter[str] = Counter()
        for owner, name in (
            (runtime.views, "page"),
            (runtime.views, "scan"),
            (runtime.application.repository, "get"),
        ):
            monkeypatch.setattr(owner, name, self._counting(name, getattr(owner, name)))

    def _counting(self, name: str, original: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return original(*args, **kwargs)

        return counted

    def during(self, action: Any) -> Counter[str]:
        self.calls.clear()
        action()
        return Counter(self.calls)


@pytest.mark.parametrize("coded", [False, True], ids=["names", "names and codes"])
def test_an_import_reads_the_jurisdiction_once_whatever_its_number_of_rows(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch, coded: bool
) -> None:
    places = [county(cluster, name) for name in ("临颍县", "舞阳县", "郾城区")]
    for place in places:  # three jurisdictions of 40 units each
        response = upload(cluster, "/imports/units", sheet(0, 40, coded), jurisdiction_id=place)
        assert response.status_code == 201, response.text
    cluster.wait_caught_up("registry", "registry")
    reads = CountingReads(cluster, monkeypatch)

    def imported(place: str, start: int, count: int) -> Counter[str]:
        def run() -> None:
            data = sheet(start, count, coded)
            response = upload(cluster, "/imports/units", data, jurisdiction_id=place)
            assert response.status_code == 201, response.text
            assert len(response.json()["created"]) == count

        return reads.during(run)

    few, many, more = (
        imported(places[0], 40, 2),
        imported(places[1], 40, 30),
        imported(places[2], 40, 60),
    )
    # The view store: the same queries for 2, 30 or 60 rows (before: one more for each row).
    assert few["page"] == many["page"] == more["page"], (few, many, more)
    assert few["scan"] == many["scan"] == more["scan"], (few, many, more)
    # The event store: each row reads the claims it takes (its name's, its code's) and
    # nothing else (before: also its jurisdiction's lineage, once per row).
    claims = 2 if coded else 1
    assert many["get"] - few["get"] == 28 * claims, (few, many)
    assert more["get"] - many["get"] == 30 * claims, (many, more)


def test_units_saved_before_claims_are_refused_in_any_row_of_a_batch(cluster: Cluster) -> None:
    """Only the read model knows them; a batch's first lookup and its later ones (read from
    the jurisdiction once) find them alike, and judge each by its own state."""
    place = county(cluster, "临颍县")
    app = cluster["registry"].app.state.runtime.application
    old = [
        Unit.register(UnitSpec(UUID(place), name, "other_body", GOV, credit_code=c), "old", day)
        for name, c, day in (
            ("临颍县民政局", code(1), date(2024, 1, 1)),
            ("临颍县民政局", None, date(2024, 1, 2)),  # a twin, as before the rule
            ("临颍县税务局", code(2), date(2024, 1, 1)),
        )
    ]
    app.save(*old)
    cluster.wait_caught_up("registry", "registry")

    def batch(*rows: tuple[str, str | None]) -> Any:
        units = [
            {"jurisdiction_id": place, "name": name, "kind": "other_body", "category": GOV}
            | ({"credit_code": c} if c else {})
            for name, c in rows
        ]
        return cluster["registry"].post("/units:batch", json={"units": units}, headers=ADMIN)

    def holder(response: Any, field: str, error: str) -> str:
        body = refused(response, 409, field)
        assert body["error"] == error, body
        found: str = body["detail"][0]["context"]["unit_id"]
        return found

    twins = {str(old[0].id), str(old[1].id)}
    for index in range(3):  # as the first row, the second and the third
        rows: list[tuple[str, str | None]] = [(f"新单位{n}", None) for n in range(index)]
        name = holder(
            batch(*rows, (" 临颍县 民政局", None)), f"units.{index}.name", "duplicate_unit_name"
        )
        assert name in twins
        by_code = holder(
            batch(*rows, ("临颍县国税局", code(2).lower())),
            f"units.{index}.credit_code",
            "duplicate_credit_code",
        )
        assert by_code == str(old[2].id)
    # Each is judged by its own state: renamed, the first twin no longer bears the name.
    change(cluster, str(old[0].id), "rename", {"name": "临颍县老民政局"})
    cluster.wait_caught_up("registry", "registry")
    response = batch(("新单位", None), ("临颍县民政局", None))
    assert holder(response, "units.1.name", "duplicate_unit_name") == str(old[1].id)
    change(cluster, str(old[1].id), "dissolve", {})
    change(cluster, str(old[2].id), "dissolve", {})
    cluster.wait_caught_up("registry", "registry")
    response = batch(("新单位", None), ("临颍县民政局", None), ("临颍县国税局", code(2)))
    assert response.status_code == 201, response.text
