"""Working days follow the State Council's holidays and make-up days, and a data file."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.inspection.settings import InspectionSettings, application_env
from services.inspection.workdays import CalendarFileError, WorkCalendar, unknown_years_warning


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


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("holidays: [2027-02-30]\n", "day is out of range"),
        ("holiday: [2027-01-01]\n", "holds only `holidays:` and `workdays:`"),
        ("holidays: 2027-01-01\n", "`holidays:` must be a list of days"),
        ("workdays: [2027-01-02 09:00:00]\n", "`workdays:` holds"),
        ("holidays: [元旦]\n", "holds '元旦', not a day"),
        ("- 2027-01-01\n", "holds only"),
        ("holidays: [2027-01-01\n", "PINGYI_INSPECTION_CALENDAR"),
    ],
)
def test_a_calendar_file_that_cannot_be_used_stops_the_service_at_start(
    tmp_path: Path, text: str, said: str
) -> None:
    """Not a 500 on the first deadline counted (a day that does not exist), nor a misspelt
    key counting no holiday at all: the settings read the file at start and name the fault."""
    path = tmp_path / "calendar.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CalendarFileError, match=re.escape(said)):
        WorkCalendar.from_file(path)
    with pytest.raises(ValidationError, match=re.escape(said)):
        InspectionSettings(calendar=path)


def test_a_missing_calendar_file_is_named_at_start(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="PINGYI_INSPECTION_CALENDAR"):
        InspectionSettings(calendar=tmp_path / "missing.yaml")


def test_the_settings_calendar_is_the_applications(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text("holidays: [2027-01-01]\nworkdays: []\n", encoding="utf-8")
    settings = InspectionSettings(calendar=path)
    assert application_env(settings)["PINGYI_INSPECTION_CALENDAR"] == str(path)
    assert WorkCalendar.from_file(settings.calendar).holidays == {date(2027, 1, 1)}


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calendar.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_each_year_says_where_its_holidays_come_from(tmp_path: Path) -> None:
    """2031 stands for any year no release knows yet: far enough that a release adding 2027
    does not change the answer."""
    assert WorkCalendar().source(2026) == "library"
    assert WorkCalendar().source(2031) == "weekdays_only"
    national = WorkCalendar.from_file(_file(tmp_path, "holidays: [2031-01-01, 2031-01-02]\n"))
    assert national.source(2031) == "file"
    assert national.source(2026) == "library"  # the file may adjust it; the library knows it
    assert national.coverage(date(2031, 6, 1)) == {
        2030: "weekdays_only",
        2031: "file",
        2032: "weekdays_only",
    }


@pytest.mark.parametrize(
    "text",
    ["holidays: [2031-05-06]\n", "workdays: [2031-01-01]\n", "holidays: [2030-12-31]\n"],
)
def test_a_local_day_does_not_make_a_year_known(tmp_path: Path, text: str) -> None:
    """A local day off or a 调休 in a year is not the year's national holidays: only 1
    January (元旦, in every State Council notice) listed among `holidays:` covers it."""
    assert WorkCalendar.from_file(_file(tmp_path, text)).source(2031) == "weekdays_only"


def test_a_deadline_counted_across_a_year_neither_source_knows_says_so(tmp_path: Path) -> None:
    calendar = WorkCalendar()
    assert calendar.deadline_basis(date(2026, 3, 2), date(2026, 3, 20)) == "calendar"
    assert calendar.deadline_basis(date(2031, 3, 3), date(2031, 3, 10)) == "weekdays_only"
    # From a known year into an unknown one: the days counted in the unknown one decide.
    assert calendar.deadline_basis(date(2030, 12, 20), date(2031, 1, 6)) == "weekdays_only"
    covered = WorkCalendar.from_file(_file(tmp_path, "holidays: [2031-01-01]\n"))
    assert covered.deadline_basis(date(2031, 3, 3), date(2031, 3, 10)) == "calendar"
    # The start day itself is not counted: from 31 December only 2031's days are.
    assert covered.deadline_basis(date(2030, 12, 31), date(2031, 1, 6)) == "calendar"
    assert covered.deadline_basis(date(2030, 12, 30), date(2031, 1, 6)) == "weekdays_only"


def test_the_warning_names_the_years_and_the_setting(tmp_path: Path) -> None:
    warning = unknown_years_warning(WorkCalendar(), date(2030, 6, 1))
    assert warning is not None
    assert warning.startswith("工作日历不知道 2030, 2031 年的节假日和调休")
    assert "PINGYI_INSPECTION_CALENDAR" in warning
    assert "(the working-day calendar does not know" in warning
    half = WorkCalendar.from_file(_file(tmp_path, "holidays: [2030-01-01]\n"))
    assert "不知道 2031 年" in (unknown_years_warning(half, date(2030, 6, 1)) or "")
    both = WorkCalendar.from_file(_file(tmp_path, "holidays: [2030-01-01, 2031-01-01]\n"))
    assert unknown_years_warning(both, date(2030, 6, 1)) is None
