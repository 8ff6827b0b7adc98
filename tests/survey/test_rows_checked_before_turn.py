"""A push's rows are checked before the wave's turn is taken (pushes into one wave queue for
it), against a wave read then: safe only because those checks read what the wave's opening
fixed, which no later event changes, and because what the turn decides (open, accredited,
already recorded, integrity) is decided on the wave read in the turn."""

from __future__ import annotations

import copy
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate

from services.survey.domain import Wave, WaveClosedError
from tests.survey.test_application import IN_ROUND_1, OFFICE, Setup


def _opening_facts(wave: Wave) -> dict[str, Any]:
    return {name: copy.deepcopy(getattr(wave, name)) for name in Wave.OPENING_FACTS}


def test_the_wave_knows_no_event_the_row_checks_have_not_been_weighed_against() -> None:
    """A new kind of wave event must be weighed: if it changed a unit, the window, a point,
    a group or the panel, rows checked before the turn would be checked against a stale
    wave. Add it here only once `OPENING_FACTS` is true of it (and the test below runs it)."""
    events = {
        name
        for name, value in vars(Wave).items()
        if isinstance(value, type) and issubclass(value, Aggregate.Event)
    } - {"Event", "Created"}  # the library's own bases for an aggregate's events
    assert events == {
        "Opened",
        "AgencyAccredited",
        "QuotaChanged",
        "BatchAccepted",
        "QuotaFreed",
        "Closed",
    }


def test_no_event_after_the_opening_changes_what_rows_are_checked_against(setup: Setup) -> None:
    point = {"code": "P1", "name": "城关测评点", "jurisdiction_id": setup.county, "target": 10}
    wave_id = setup.open_wave(
        points=[point],
        groups=[{"code": "服务对象", "name": "服务对象", "target_percent": 100}],
    )
    opened = _opening_facts(setup.app.wave(wave_id))
    setup.app.accredit_agency(OFFICE, wave_id, setup.other_agency_id, 5, setup.views)
    assert _opening_facts(setup.app.wave(wave_id)) == opened
    setup.app.change_quota(OFFICE, wave_id, setup.other_agency_id, 8, "样本量增加")
    assert _opening_facts(setup.app.wave(wave_id)) == opened
    rows = setup.rows(3, survey_point="P1", group="服务对象")
    pushed = setup.push(wave_id, rows)
    assert pushed["accepted"] == 3
    assert _opening_facts(setup.app.wave(wave_id)) == opened
    setup.app.withdraw_batch(OFFICE, wave_id, UUID(pushed["batch_id"]), "该机构代填问卷")
    assert _opening_facts(setup.app.wave(wave_id)) == opened
    setup.app.close_wave(OFFICE, wave_id, "问卷回收完毕")
    assert _opening_facts(setup.app.wave(wave_id)) == opened


def test_rows_checked_before_a_close_are_still_refused_by_it(setup: Setup) -> None:
    """The close commits between the early check and the turn: the turn reads the closed
    wave and refuses the push; nothing of it is recorded."""
    wave_id = setup.open_wave()
    rows = setup.rows(2)
    early = setup.app._checked_early(setup.agency, wave_id, rows, [], "questionnaires", None, None)
    assert early is not None and len(early.good) == 2
    setup.app.close_wave(OFFICE, wave_id, "问卷回收完毕")
    request = {"wave_id": wave_id, "rows": rows, "refused": [], "all_or_nothing": False}
    with pytest.raises(WaveClosedError):
        setup.app._record_batch(
            setup.agency, wave_id, rows, [], None, request, "questionnaires", None, early=early
        )
    assert setup.app.wave(wave_id).questionnaires == 0


def test_rows_checked_early_keep_their_problems_and_rows(setup: Setup) -> None:
    """The early check's problems (one row out of the window, one repeated) are the push's,
    and a re-push after a clash still sorts out the stored ones in the turn."""
    wave_id = setup.open_wave()
    rows = setup.rows(3)
    rows[1][1]["collected_at"] = IN_ROUND_1.replace(year=2001)
    rows[2][1]["questionnaire_id"] = rows[0][1]["questionnaire_id"]
    first = setup.push(wave_id, rows)
    assert first["accepted"] == 1
    assert [(p["row"], p["field"].rsplit(".", 1)[-1]) for p in first["problems"]] == [
        (1, "collected_at"),
        (2, "questionnaire_id"),
    ]
    again = setup.push(wave_id, setup.rows(2))
    assert (again["accepted"], again["duplicates"]) == (1, 1)


def test_no_early_check_for_a_caller_the_wave_refuses(setup: Setup) -> None:
    wave_id = setup.open_wave()
    rows = setup.rows(1)
    check = setup.app._checked_early
    assert check(setup.other_agency, wave_id, rows, [], "questionnaires", None, None) is None
    setup.app.close_wave(OFFICE, wave_id, "问卷回收完毕")
    assert check(setup.agency, wave_id, rows, [], "questionnaires", None, None) is None
