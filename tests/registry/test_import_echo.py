"""An import report quotes at most 200 characters of a cell and lists at most 1,000 problems:
a 92 KB cell on every row once came back as a 93 MB dry-run report."""

from __future__ import annotations

import io

import openpyxl
import pytest

from shared.tabular import XLSX
from shared.web.echo import LIST_LIMIT, QUOTE_LIMIT
from tests.harness import ADMIN, Cluster
from tests.registry.import_helpers import csv_bytes, jurisdiction, upload

BIG = "政" * (92 * 1024 // 3)  # a 92 KB cell in UTF-8
ROWS = 1050  # openpyxl writes each cell out in full: the workbook must unpack under 100 MB


@pytest.fixture
def county(cluster: Cluster) -> str:
    city = jurisdiction(cluster, "漯河市", "city")
    county = jurisdiction(cluster, "源汇区", "district", city)
    cluster.wait_caught_up("registry", "registry")
    return county


def workbook_with_big_kinds() -> bytes:
    """ROWS rows whose 单位类型 is the same 92 KB text."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["单位名称", "单位类型", "类别"])
    for number in range(ROWS):
        sheet.append([f"单位{number}", BIG, "政府部门及其它机构"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "import"])
def test_a_92_kb_cell_on_every_row_gives_a_small_report(
    cluster: Cluster, county: str, dry_run: bool
) -> None:
    data = workbook_with_big_kinds()
    response = upload(
        cluster, "/imports/units", data, XLSX, jurisdiction_id=county, dry_run=dry_run
    )
    assert response.status_code == (200 if dry_run else 422), response.text[:500]
    # A refusal lists each problem twice (detail, errors): at most 2 KiB each, not 92 KB
    assert len(response.content) < LIST_LIMIT * 2048
    report = response.json()
    assert len(report["errors"]) == LIST_LIMIT
    assert report["errors_omitted"] == ROWS - LIST_LIMIT
    first = report["errors"][0]
    assert (first["row"], first["column"]) == (2, "单位类型")
    assert "unknown unit kind" in first["reason"]
    assert len(first["value"]) == QUOTE_LIMIT
    assert first["value"].startswith("政政政")
    assert first["value"].endswith(f"({len(BIG)} characters)")
    if not dry_run:
        assert len(report["detail"]) == LIST_LIMIT
        assert report["detail"][0] == {
            "field": "单位类型",
            "reason": first["reason"],
            "row": 2,
            "code": "import_rejected",
        }


def test_a_cell_quoted_in_the_reason_is_clipped_there_too(cluster: Cluster, county: str) -> None:
    header = ["单位名称", "单位类型", "类别", "上级单位", BIG]
    row = ["区教育局", "政府部门", "政府部门及其它机构", BIG, "x"]
    response = upload(
        cluster, "/imports/units", csv_bytes([header, row]), jurisdiction_id=county, dry_run=True
    )
    assert response.status_code == 200, response.text[:500]
    assert len(response.content) < 4096
    report = response.json()
    (problem,) = report["errors"]
    assert (problem["row"], problem["column"]) == (2, "上级单位")
    assert "no registered unit" in problem["reason"] and len(problem["value"]) == QUOTE_LIMIT
    (ignored,) = report["warnings"]
    assert ignored["column"].endswith(f"({len(BIG)} characters)")


def test_validation_errors_are_bounded_in_number(cluster: Cluster) -> None:
    body = {"units": [{"name": "x"}] * 2000}  # each misses kind, category, jurisdiction
    response = cluster["registry"].post("/units:batch", json=body, headers=ADMIN)
    assert response.status_code == 422
    found = response.json()
    assert len(found["detail"]) == LIST_LIMIT and found["detail_omitted"] > 0
