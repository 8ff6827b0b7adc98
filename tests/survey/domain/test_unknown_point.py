"""A survey point that is not the wave's is refused naming the wave's points, as a group
that is not the wave's names its groups: an agency that typed YH-1 for YH-01 sees
YH-01 in the reason, without reading the wave."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from services.survey.domain import Checker
from services.survey.domain.answers import POINTS_NAMED
from tests.survey.test_domain import COLLECTED, _questionnaire, _wave


def _point(code: str, name: str) -> dict[str, Any]:
    return {"code": code, "name": name, "jurisdiction_id": str(uuid4()), "target": 5}


def _reason(points: list[dict[str, Any]], sent: str) -> str:
    wave = _wave(points=points)
    (problem,) = Checker(wave, COLLECTED).problems(_questionnaire(wave, survey_point=sent))
    assert (problem.field, problem.code) == ("survey_point", "unknown_point")
    return problem.reason


def test_the_reason_names_the_wave_s_points() -> None:
    points = [_point("YH-01", "源汇区政务服务中心"), _point("YC-01", "郾城区政务服务中心")]
    assert _reason(points, "YH-1") == (
        "不是本次评议的测评点 (not one of the wave's survey points: "
        "YH-01（源汇区政务服务中心）、YC-01（郾城区政务服务中心）)"
    )


def test_a_wave_of_many_points_names_the_first_and_how_many() -> None:
    points = [_point(f"P-{n:03}", f"测评点{n}") for n in range(POINTS_NAMED + 5)]
    reason = _reason(points, "P-999")
    assert "P-000（测评点0）" in reason and f"P-{POINTS_NAMED:03}" not in reason
    assert reason.endswith(f"… (of {POINTS_NAMED + 5}: GET /waves/{{wave_id}}))")


def test_a_point_left_out_is_asked_for_as_a_测评点() -> None:
    """An agency reads 测评点, as the wave's setup and the sheet's column name it; the
    reason said 调查点 and the field's code (survey_point) in the Chinese."""
    wave = _wave(points=[_point("YH-01", "源汇区政务服务中心")])
    (problem,) = Checker(wave, COLLECTED).problems(_questionnaire(wave))
    assert (problem.field, problem.code) == ("survey_point", "missing_point")
    assert problem.reason.startswith("本次评议设有测评点, 须填写测评点 ("), problem.reason
