"""Working days follow the State Council's holidays and make-up days, and a data file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from services.inspection.workdays import WorkCalendar


def test_national_day_and_its_make_up_days() -> None:
    calendar = WorkCalendar()
    # 2025: 国庆 + 中秋 from Oct 1 to Oct 8; Sep 28 (Sunday) and Oct 11 (Saturday) are worked.
    assert not calendar.is_workday(date(2025, 10, 1))
    assert calendar.is_workday(date(2025, 9, 28))
    assert calendar.is_workday(date(2025, 10, 11))
    assert calendar.add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)


def test_a_data_file_wins_and_covers_years_the_library_does_not_know(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text("holidays: [2027-01-01]\nworkdays: [2027-01-02]\n", encoding="utf-8")
    calendar = WorkCalendar.from_file(path)
    assert not calendar.is_workday(date(2027, 1, 1))  # a Friday, a holiday by the file
    assert calendar.is_workday(date(2027, 1, 2))  # a Saturday, worked by the file
    assert not calendar.is_workday(date(2027, 1, 3))  # a Sunday, weekday rule
    assert calendar.add_working_days(date(2026, 12, 31), 2) == date(2027, 1, 4)


def test_counts_and_bounds() -> None:
    calendar = WorkCalendar()
    assert calendar.working_days_between(date(2025, 9, 30), date(2025, 10, 9)) == 1
    assert calendar.working_days_between(date(2025, 10, 9), date(2025, 10, 9)) == 0
    with pytest.raises(ValueError):
        calendar.add_working_days(date(2025, 1, 1), -1)
