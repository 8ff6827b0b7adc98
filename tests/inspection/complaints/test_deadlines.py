"""Complaint deadlines by kind are a deployment's settings (PINGYI_INSPECTION_COMPLAINT_
DEADLINES…): the issue's defaults without them, a deployment's own days with them, and a
value no office could choose by hand refused at start with the kind named."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from services.inspection.complaints.application import deadline_basis
from services.inspection.settings import ComplaintDeadlines, InspectionSettings
from services.inspection.workdays import WorkCalendar, china_today
from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.inspection.test_api import _setup

DEFAULTS = {"emergency": 0, "consultation": 5, "complaint": 15, "suggestion": 15}


def test_defaults_and_a_deployments_own_days(monkeypatch: pytest.MonkeyPatch) -> None:
    assert InspectionSettings().complaint_deadlines.by_kind() == DEFAULTS
    monkeypatch.setenv("PINGYI_INSPECTION_COMPLAINT_DEADLINES__CONSULTATION", "3")
    assert InspectionSettings().complaint_deadlines.by_kind() == DEFAULTS | {"consultation": 3}
    monkeypatch.setenv("PINGYI_INSPECTION_COMPLAINT_DEADLINES", '{"complaint": 10}')
    monkeypatch.delenv("PINGYI_INSPECTION_COMPLAINT_DEADLINES__CONSULTATION")
    assert InspectionSettings().complaint_deadlines.by_kind() == DEFAULTS | {"complaint": 10}


@pytest.mark.parametrize(
    ("days", "kind"), [({"emergency": 2}, "emergency"), ({"complaint": 31}, "complaint")]
)
def test_a_default_no_office_could_choose_is_refused(days: dict[str, int], kind: str) -> None:
    with pytest.raises(ValidationError, match=kind):
        ComplaintDeadlines(**days)
    with pytest.raises(ValidationError, match="extra"):
        ComplaintDeadlines.model_validate({"complain": 10})


def _intake(ctx: dict[str, Any], jurisdiction: str, kind: str) -> dict[str, Any]:
    return {
        "jurisdiction_id": jurisdiction,
        "channel": "12345热线",
        "kind": kind,
        "summary": "咨询养老保险转移接续办理流程",
        "received_on": china_today().isoformat(),
    }


def test_the_service_counts_a_deployments_days(
    memory_settings: CommonSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PINGYI_INSPECTION_COMPLAINT_DEADLINES__CONSULTATION", "3")
    with Cluster(memory_settings, ["registry", "inspection"]) as cluster:
        ctx = _setup(cluster)
        client, office = cluster["inspection"], ctx["keys"]["郾城区纠风办"]
        unit = ctx["units"]["郾城区人社局"]
        jurisdiction = cluster["registry"].get(f"/units/{unit}", headers=office).json()
        place = jurisdiction["jurisdiction_id"]
        made = {}
        for kind in ("consultation", "complaint", "emergency"):
            response = client.post("/complaints", json=_intake(ctx, place, kind), headers=office)
            assert response.status_code == 201, response.text
            made[kind] = response.json()
        assert {k: c["deadline_days"] for k, c in made.items()} == {
            "consultation": 3,
            "complaint": 15,
            "emergency": 0,
        }
        chosen = client.post(
            "/complaints",
            json=_intake(ctx, place, "consultation") | {"deadline_days": 8},
            headers=office,
        )
        assert chosen.json()["deadline_days"] == 8
        path = f"/complaints/{made['consultation']['complaint_id']}/dispatch"
        sent = client.post(path, json={"unit_id": unit}, headers=office).json()
        app = client.app.state.runtime.application  # type: ignore[attr-defined]
        dispatched = date.fromisoformat(sent["dispatched_on"])
        assert sent["due_on"] == app.work_calendar.add_working_days(dispatched, 3).isoformat()
        # Counted on today's calendar, said on the answer, the complaint and the list alike
        # (the years each basis stands for: tests/inspection/test_workdays.py).
        basis = app.work_calendar.deadline_basis(dispatched, date.fromisoformat(sent["due_on"]))
        assert sent["deadline_basis"] == basis
        one = client.get(f"/complaints/{sent['complaint_id']}", headers=office).json()
        assert one["deadline_basis"] == basis
        listed = client.get("/complaints", headers=office).json()
        assert {c["complaint_id"]: c["deadline_basis"] for c in listed} == {
            c["complaint_id"]: None for c in [*made.values(), chosen.json()]
        } | {sent["complaint_id"]: basis}


def test_a_complaints_deadline_basis_follows_the_years_it_was_counted_in() -> None:
    calendar = WorkCalendar()
    assert deadline_basis(calendar, None, None) is None  # not dispatched: no deadline yet
    assert deadline_basis(calendar, "2026-03-02", "2026-03-23") == "calendar"
    assert deadline_basis(calendar, "2031-03-03", "2031-03-24") == "weekdays_only"
