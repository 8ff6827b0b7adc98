"""A wave's setup refusals — its window, points, quotas, groups, units, rounds, agencies,
panel, and what a public wave cannot be opened with — read Chinese first, the English they
read before kept after it in brackets (`中文 (English)`, shared/reasons.py), as survey's row
refusals do; fields and codes unchanged. (The application alone: `Setup`.)"""

from __future__ import annotations

import re
from typing import Any
from uuid import uuid4

import pytest

from services.survey.domain import InvalidWave
from services.survey.domain.errors import SurveyError
from tests.survey.test_application import IN_ROUND_1, Setup

CHINESE_FIRST = re.compile(r"^[\u4e00-\u9fff]")


def _reasons(setup: Setup, **spec: Any) -> dict[str, str]:
    with pytest.raises(SurveyError) as caught:
        setup.open(**spec)
    found = caught.value.several or (caught.value,)
    return {str(error.field): error.reason for error in found}


def _reads(reason: str, english: str) -> None:
    assert CHINESE_FIRST.match(reason), reason
    assert reason.endswith(f"({english})"), reason


def test_a_waves_setup_is_refused_chinese_first(setup: Setup) -> None:
    point = {"code": "P1", "name": "点1", "jurisdiction_id": setup.county, "target": 10}
    reasons = _reasons(
        setup,
        opens_at=IN_ROUND_1,
        closes_at=IN_ROUND_1,
        points=[point | {"quota": 5}, point, point | {"code": "P2", "jurisdiction_id": uuid4()}],
        groups=[{"code": "a", "name": "甲", "target_percent": 60}] * 2,
        unit_ids=[setup.units[0], setup.units[0], setup.units[2]],
        agencies=[{"agency_id": setup.agency_id, "quota": None}] * 2,
        voter_check="none",
    )
    expected = {
        "closes_at": "the window must open before it closes",
        "points.0.quota": "the quota is below the target",
        "points.1.code": "survey point code repeats",
        "points.2.jurisdiction_id": "the point's jurisdiction is outside the wave's",
        "groups.1.code": "group code repeats",
        "groups": "the groups' target shares must add up to 100%",
        "unit_ids.1": "unit listed twice",
        "unit_ids.2": "unit is not enrolled in the campaign",
        "agencies.1.agency_id": "agency listed twice",
        "voter_check": "only a wave open to the public checks its voters: open it with "
        "`public`, or leave `voter_check` out",
    }
    assert set(reasons) == set(expected), reasons
    for field, english in expected.items():
        _reads(reasons[field], english)


def test_a_campaigns_round_and_a_panel_are_refused_chinese_first(setup: Setup) -> None:
    _reads(
        _reasons(setup, round=None)["round"], "the campaign has half-year rounds: name the round"
    )
    _reads(_reasons(setup, round=3)["round"], "the campaign has rounds 1–2")
    _reads(
        _reasons(setup, kind="representative_evaluation")["panel_draw_id"],
        "a representative evaluation names its panel: a draw, or an appointing body",
    )
    _reads(
        _reasons(setup, panel_draw_id=setup.draw_id)["panel_draw_id"],
        "only a representative evaluation has a panel",
    )
    public = _reasons(setup, kind="representative_evaluation", public=True, channels=["paper"])
    assert CHINESE_FIRST.match(public["public"]) and CHINESE_FIRST.match(public["channels"])


def test_a_standalone_wave_without_units_is_refused_chinese_first(setup: Setup) -> None:
    with pytest.raises(InvalidWave) as caught:
        setup.open(campaign_id=None, round=None)
    _reads(caught.value.reason, "name the campaign, or the units of a standalone wave")
