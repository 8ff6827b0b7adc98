"""A workbook datetime at exactly 00:00 reads with its time when the cell's format shows
hours (the sheet shows "2024-11-05 00:00", a moment), as its day when the format is a date's."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest

from shared.tabular import XLSX, read_rows
from shared.tabular.cells import shows_hours

MIDNIGHT = datetime(2024, 11, 5)


def _read(number_format: str) -> str:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["采集时间"])
    sheet.append([MIDNIGHT])
    sheet["A2"].number_format = number_format
    out = io.BytesIO()
    book.save(out)
    rows, _ = read_rows(out.getvalue(), XLSX, None, 10)
    return rows[1].cells[0]


@pytest.mark.parametrize("number_format", ["yyyy-mm-dd hh:mm", "yyyy/m/d h:mm", "m/d/yy H:MM"])
def test_a_midnight_shown_with_hours_keeps_its_time(number_format: str) -> None:
    # As a datetime with another time reads: survey's parse_moment then finds its time.
    assert _read(number_format) == "2024-11-05T00:00:00"


@pytest.mark.parametrize("number_format", ["yyyy-mm-dd", 'yyyy"年"m"月"d"日"', "[$-804]yyyy/m/d"])
def test_a_midnight_shown_as_a_day_stays_a_day(number_format: str) -> None:
    assert _read(number_format) == "2024-11-05"


def test_an_h_in_literal_text_is_no_hour() -> None:
    assert not shows_hours('yyyy"年"m"月"d"日 h"')
    assert not shows_hours("[h]yyyy-mm-dd")
    assert not shows_hours("yyyy-mm-dd\\h")
    assert not shows_hours(None)
    assert shows_hours('yyyy"年"m"月"d"日" hh"时"')
