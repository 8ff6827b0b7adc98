"""A 生效日期 cell Excel keeps as a number (a date cell formatted as a number, or a CSV saved
from such a sheet) reads as the day it stands for in Excel's 1900 date system."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import openpyxl
import pytest

from shared.tabular import XLSX
from tests.harness import Cluster
from tests.registry.import_helpers import csv_bytes, two_cities, upload

HEADER = ["单位名称", "单位类型", "类别", "生效日期"]
KIND, CATEGORY = "政府部门", "政府部门及其它机构"


@pytest.fixture
def world(cluster: Cluster) -> dict[str, Any]:
    return two_cities(cluster)


def workbook(days: list[object]) -> bytes:
    """One unit per value, each 生效日期 cell as openpyxl writes that value: a number in a
    number-formatted cell, a datetime in a date-formatted one."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for number, value in enumerate(days, start=1):
        sheet.append([f"测试局{number}", KIND, CATEGORY, value])
        cell = sheet.cell(row=number + 1, column=len(HEADER))
        if isinstance(value, int | float):
            cell.number_format = "0.00" if isinstance(value, float) else "0"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def dry_run(cluster: Cluster, world: dict[str, Any], data: bytes, media: str) -> dict[str, Any]:
    response = upload(
        cluster,
        "/imports/units",
        data,
        media,
        key=world["keys"]["luohe"],
        jurisdiction_id=world["luohe"],
        dry_run=True,
    )
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


def reasons(report: dict[str, Any]) -> dict[int, str]:
    assert {e["column"] for e in report["errors"]} <= {"生效日期"}
    return {e["row"]: e["reason"] for e in report["errors"]}


def test_an_xlsx_date_kept_as_a_number_reads_as_its_day(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    data = workbook([45413, 45413.0, datetime(2024, 5, 1), 45413.5, 36525, 73416])
    report = dry_run(cluster, world, data, XLSX)
    assert [p["effective_on"] for p in report["preview"]] == ["2024-05-01"] * 3
    assert report["warnings"] == []
    refused = reasons(report)
    assert refused.keys() == {5, 6, 7}
    assert "45413.5 reads as an Excel date and time (2024-05-01 12:00)" in refused[5]
    assert "not a day" in refused[5]
    assert "1999-12-31" in refused[6] and "2000-01-01" in refused[6]
    assert "2101-01-01" in refused[7] and "2100-12-31" in refused[7]


def test_a_csv_saved_from_such_a_sheet_reads_the_same(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    values = ["45413", "45413.0", "2024-05-01", "45413.25", "0", "2017年13月1日"]
    rows = [[f"测试局{n}", KIND, CATEGORY, v] for n, v in enumerate(values, start=1)]
    report = dry_run(cluster, world, csv_bytes([HEADER, *rows]), "text/csv")
    assert [p["effective_on"] for p in report["preview"]] == ["2024-05-01"] * 3
    refused = reasons(report)
    assert refused.keys() == {5, 6, 7}
    assert "45413.25 reads as an Excel date and time (2024-05-01 06:00)" in refused[5]
    assert "0 is not a date" in refused[6]
    assert "not a date" in refused[7]


def test_a_day_at_midnight_reads_as_its_day_and_another_time_is_refused(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    """A date cell formatted with hours (as pandas and other systems export dates) reads with
    its 00:00; the kernel's reader keeps that time, so the day must still be read."""
    values = ["2024-05-01 00:00:00", "2024-05-01T00:00:00", "2024/5/1 0:00", "2024-05-01 10:30"]
    rows = [[f"测试局{n}", KIND, CATEGORY, v] for n, v in enumerate(values, start=1)]
    report = dry_run(cluster, world, csv_bytes([HEADER, *rows]), "text/csv")
    assert [p["effective_on"] for p in report["preview"]] == ["2024-05-01"] * 3
    refused = reasons(report)
    assert refused.keys() == {5}
    assert "not a date" in refused[5]
