"""One helper keeps a wave's progress per county and per agency (`KeyedBreakdowns`): a
questionnaire collected and restated moves each key's counts as the two mirrored modules
moved them, in documents of the shape the wave view's version 14 wrote (so the unified
helper needs no rebuild)."""

from __future__ import annotations

from services.survey.views.keyed import BY_AGENCY, BY_COUNTY
from services.survey.views.names import STATUSES
from shared.views.base import Document

PLACES = {
    "by_point": "P1",
    "by_county": "c1",
    "by_channel": "paper",
    "by_group": "unspecified",
    "by_agency": "a1",
}


def test_a_county_counts_its_breakdowns_and_statuses_without_its_own_collected() -> None:
    progress: Document = {}
    BY_COUNTY.collect(progress, "c1", PLACES, 2)
    BY_COUNTY.restate(progress, "c1", None, "counted", 2)
    BY_COUNTY.restate(progress, "c1", "counted", "voided")
    BY_COUNTY.collect(progress, "c1", PLACES, -1)
    assert progress == {
        "by_county_breakdown": {
            "c1": {
                "by_channel": {"paper": 1},
                "by_group": {"unspecified": 1},
                "by_agency": {"a1": 1},
                "by_status": dict.fromkeys(STATUSES, 0) | {"counted": 1, "voided": 1},
            }
        }
    }


def test_an_agency_counts_its_own_collected_too() -> None:
    progress: Document = {}
    BY_AGENCY.collect(progress, "a1", PLACES, 3)
    BY_AGENCY.restate(progress, "a1", None, "quarantined", 3)
    assert progress == {
        "by_agency_breakdown": {
            "a1": {
                "collected": 3,
                "by_status": dict.fromkeys(STATUSES, 0) | {"quarantined": 3},
                "by_point": {"P1": 3},
                "by_county": {"c1": 3},
                "by_channel": {"paper": 3},
                "by_group": {"unspecified": 3},
            }
        }
    }
    assert BY_AGENCY.of(progress, "a1") is progress["by_agency_breakdown"]["a1"]
    assert BY_AGENCY.of(progress, "a2") == BY_AGENCY.empty()
    assert "a2" not in progress["by_agency_breakdown"]  # reading writes nothing
