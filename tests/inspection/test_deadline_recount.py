"""A deadline counted while its year's holidays were unknown is recounted when the office
supplies that year's calendar and restarts the service: the deadline answered (and judged
overdue) is the stored count's basis read on the calendar in force, the stored day beside
it; nothing stored changes (docs/inspection.md, "Years the calendar does not know")."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from services.inspection.complaints.application import deadline_in_force
from services.inspection.rectification.domain import RectificationOrder
from services.inspection.workdays import WorkCalendar, china_today
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.inspection.recount_helpers import (
    deadline,
    issue_through_service,
    read_both,
    reported_order,
)

# 2003 lies before the notices chinesecalendar carries (2004 onwards): with no file it counts
# Monday to Friday only. Issued Monday 2 June with 5 working days: due Monday 9 June.
ISSUED, WEEKDAYS_DUE = "2003-06-02", "2003-06-09"


def _calendar(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calendar.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("common", ["embedded"], indirect=True)
def test_a_deadline_counted_on_weekdays_moves_once_the_years_calendar_is_supplied(
    common: CommonSettings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PINGYI_INSPECTION_CALENDAR", raising=False)
    unknown = [{"year": 2003, "source": "weekdays_only"}]
    with Cluster(common, ["registry", "inspection"]) as cluster:
        issued = issue_through_service(cluster, ISSUED, f"{ISSUED}T10:30:00+08:00")
        as_counted = (WEEKDAYS_DUE, WEEKDAYS_DUE, "weekdays_only", unknown)
        assert deadline(issued) == as_counted
        assert all(deadline(o) == as_counted for o in read_both(cluster, issued["order_id"]))

    # The office supplies 2003: 1 January, and a day off on Wednesday 4 June, inside the
    # window; the five working days are then 3, 5, 6, 9 and 10 June.
    file = _calendar(tmp_path, "holidays: [2003-01-01, 2003-06-04]\n")
    monkeypatch.setenv("PINGYI_INSPECTION_CALENDAR", str(file))
    with Cluster(common, ["registry", "inspection"]) as cluster:
        one, listed = read_both(cluster, issued["order_id"])
        recounted = ("2003-06-10", WEEKDAYS_DUE, "calendar", [{"year": 2003, "source": "file"}])
        assert deadline(one) == deadline(listed) == recounted
        # Overdue-ness counts from the deadline in force; the stored events are unchanged.
        calendar = WorkCalendar.from_file(file)
        days = calendar.working_days_between(date(2003, 6, 10), china_today())
        assert one["overdue_working_days"] == listed["overdue_working_days"] == days
        assert [h["deadline"] for h in one["history"]] == [WEEKDAYS_DUE]
        for late, expected in (("true", [issued["order_id"]]), ("false", [])):
            params = {"overdue": late}
            found = cluster["inspection"].get("/rectifications", params=params, headers=ADMIN)
            assert [o["order_id"] for o in found.json()] == expected


def _order(working_days: int = 5) -> RectificationOrder:
    return reported_order(date(2003, 6, 5), working_days)


def test_a_recount_never_brings_a_deadline_forward(tmp_path: Path) -> None:
    """A make-up working day (调休) supplied later would count Saturday 7 June: the unit was
    told the 9th, and is not overdue before it."""
    calendar = WorkCalendar.from_file(
        _calendar(tmp_path, "holidays: [2003-01-01]\nworkdays: [2003-06-07]\n")
    )
    assert calendar.add_working_days(date(2003, 6, 2), 5) == date(2003, 6, 7)
    assert calendar.recount(date(2003, 6, 2), 5, date(2003, 6, 9)) == date(2003, 6, 9)
    assert _order().deadline_in_force(calendar) == date(2003, 6, 9)


def test_a_deadline_a_return_set_is_recounted_from_the_return(tmp_path: Path) -> None:
    """A return that keeps the deadline leaves it the issue's, recounted; one that sets a
    new deadline records the day and working days it was counted from, recounted alike
    (a return stored before it recorded them: tests/inspection/rectification/
    test_return_recount.py)."""
    calendar = WorkCalendar.from_file(_calendar(tmp_path, "holidays: [2003-01-01, 2003-06-04]"))
    kept = _order()
    kept.verify("returned", "材料不全", None, "office:a", date(2003, 6, 6), WorkCalendar())
    assert kept.deadline_in_force(calendar) == date(2003, 6, 10)
    renewed = _order()  # returned on Tuesday with 1 working day: Wednesday, the day off
    renewed.verify("returned", "材料不全", 1, "office:a", date(2003, 6, 3), WorkCalendar())
    assert renewed.deadline == date(2003, 6, 4)
    assert renewed.deadline_in_force(calendar) == date(2003, 6, 5)
    assert not renewed.is_overdue(date(2003, 6, 5), calendar)
    assert renewed.is_overdue(date(2003, 6, 6), calendar)


def test_a_complaints_deadline_is_recounted_from_its_dispatch(tmp_path: Path) -> None:
    calendar = WorkCalendar.from_file(_calendar(tmp_path, "holidays: [2003-01-01, 2003-06-04]"))
    assert deadline_in_force(calendar, None, 5, None) == {
        "due_on": None,
        "stored_due_on": None,
        "deadline_basis": None,
    }
    assert deadline_in_force(calendar, ISSUED, 5, WEEKDAYS_DUE) == {
        "due_on": "2003-06-10",
        "stored_due_on": WEEKDAYS_DUE,
        "deadline_basis": "calendar",
        "deadline_years": [{"year": 2003, "source": "file"}],
    }
    assert deadline_in_force(WorkCalendar(), ISSUED, 5, WEEKDAYS_DUE) == {
        "due_on": WEEKDAYS_DUE,
        "stored_due_on": WEEKDAYS_DUE,
        "deadline_basis": "weekdays_only",
        "deadline_years": [{"year": 2003, "source": "weekdays_only"}],
    }
