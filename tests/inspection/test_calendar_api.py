"""Which years the working-day calendar knows is said: `GET /calendar` to offices,
inspectors, auditors and admins, and a warning at start when this year or the next is known
to neither the library nor the file."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from services.inspection.calendar_api import warn_of_unknown_years
from services.inspection.workdays import WorkCalendar, china_today, unknown_years_warning
from shared.observability import configure
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.inspection.test_api import _setup

LOGGER = "pingyi.inspection.calendar"


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER]


def _covering(tmp_path: Path, *years: int) -> Path:
    path = tmp_path / "calendar.yaml"
    days = ", ".join(f"{year}-01-01" for year in years)
    path.write_text(f"holidays: [{days}]\n", encoding="utf-8")
    return path


def test_the_warning_is_said_once_for_years_neither_source_knows(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    warn_of_unknown_years(WorkCalendar(), date(2030, 6, 1))
    assert _warnings(caplog) == [unknown_years_warning(WorkCalendar(), date(2030, 6, 1))]
    caplog.clear()
    known = WorkCalendar.from_file(_covering(tmp_path, 2030, 2031))
    warn_of_unknown_years(known, date(2030, 6, 1))
    assert _warnings(caplog) == []


@pytest.fixture
def logging_configured() -> None:
    """Building a service configures logging once per process, replacing the root's
    handlers, the capture's among them: done before the test's capture starts instead."""
    configure("inspection", json_logs=False)


@pytest.mark.usefixtures("logging_configured")
def test_the_service_warns_at_start_unless_the_file_covers_this_year_and_next(
    memory_settings: CommonSettings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    """Without a file the warning follows what the installed library knows (in December
    2026, 2027 is unknown to chinesecalendar 1.11.0); with a file listing 1 January of this
    year and the next, nothing is said."""
    caplog.set_level(logging.WARNING, logger=LOGGER)
    expected = unknown_years_warning(WorkCalendar(), china_today())
    with Cluster(memory_settings, ["inspection"]):
        pass
    assert _warnings(caplog) == ([] if expected is None else [expected])
    caplog.clear()
    year = china_today().year
    monkeypatch.setenv("PINGYI_INSPECTION_CALENDAR", str(_covering(tmp_path, year, year + 1)))
    with Cluster(memory_settings, ["inspection"]):
        pass
    assert _warnings(caplog) == []


def test_calendar_route_answers_each_years_source(
    memory_settings: CommonSettings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    today = china_today()
    path = _covering(tmp_path, today.year + 1)
    monkeypatch.setenv("PINGYI_INSPECTION_CALENDAR", str(path))
    with Cluster(memory_settings, ["registry", "inspection"]) as cluster:
        keys = _setup(cluster)["keys"]
        client = cluster["inspection"]
        for key in (keys["郾城区纠风办"], keys["漯河市暗访组"], keys["审计组"], ADMIN):
            response = client.get("/calendar", headers=key)
            assert response.status_code == 200, response.text
        answer = response.json()
        for refused in (keys["郾城区人社局"], keys["第三方调查机构"]):
            assert client.get("/calendar", headers=refused).status_code == 403
    calendar = WorkCalendar.from_file(path)
    assert answer == {
        "today": today.isoformat(),
        "setting": "PINGYI_INSPECTION_CALENDAR",
        "file": True,
        "years": [
            {"year": year, "source": source} for year, source in calendar.coverage(today).items()
        ],
    }
    assert [y["year"] for y in answer["years"]] == [today.year - 1, today.year, today.year + 1]
    # The year after this one is the file's unless a release installed already knows it.
    assert answer["years"][2]["source"] in {"file", "library"}
    assert answer["years"][1]["source"] != "weekdays_only" or calendar.source(today.year) == (
        "weekdays_only"
    )
