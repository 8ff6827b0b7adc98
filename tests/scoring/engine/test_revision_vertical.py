"""Engine revision 3: a vertically managed unit (垂直管理, seed 002) scores
w × mean(sub-unit scores) + (1 − w) × own score from the exact mean, rounded once; revision 2
rounded the mean first and the score again, 0.01 off the formula the scheme states."""

from __future__ import annotations

from typing import Any

from services.scoring.engine.compute import compute_round
from services.scoring.engine.scheme import builtin_schemes
from tests.scoring.engine.builders import by_id, round_inputs, tally, uid, unit, wave

THREE = "three_level"
VERTICAL, GRASSROOTS = "垂直管理部门", "基层服务单位"


def _round(revision: int) -> dict[str, dict[str, Any]]:
    """盐城 scheme: the component is the satisfaction rate (满意 + 基本满意) ÷ valid × 100;
    w = 0.7.

    Sub-unit A: 241 满意 of 300 (59 不满意) → 80.333… → 80.33.
    Sub-unit B: 4017 满意 of 5000 (983 不满意) → 80.34 exactly.
    Mean of the published scores: (80.33 + 80.34) / 2 = 80.335 (shown 80.34, half up).
    T (vertically managed) own: 9 满意 of 10 → 90.00.
    Revision 3: 0.7 × 80.335 + 0.3 × 90.00 = 56.2345 + 27 = 83.2345 → 83.23.
    Revision 2: 0.7 × 80.34 + 0.3 × 90.00 = 56.238 + 27 = 83.238 → 83.24.
    """
    units = [
        unit(1, "市税务局", VERTICAL, vertical=True),
        unit(2, "第一分局办税厅", GRASSROOTS, parent=1),
        unit(3, "第二分局办税厅", GRASSROOTS, parent=1),
    ]
    w = wave(1, "satisfaction_survey", THREE, [uid(n) for n in (1, 2, 3)])
    tallies = {
        uid(1): tally(THREE, counts={"满意": 9, "不满意": 1}),
        uid(2): tally(THREE, counts={"满意": 241, "不满意": 59}),
        uid(3): tally(THREE, counts={"满意": 4017, "不满意": 983}),
    }
    inputs = round_inputs(
        units,
        pattern="satisfied_grassroots_units",
        categories=[VERTICAL, GRASSROOTS],
        waves=[(w, tallies)],
    )
    scheme = builtin_schemes()[("yancheng-jiceng-manyi", 1)]
    return by_id(compute_round(scheme, inputs, revision))


def test_the_vertical_score_is_weighted_from_the_exact_mean_rounded_once() -> None:
    now = _round(3)
    assert (now[uid(2)]["score"], now[uid(3)]["score"]) == ("80.33", "80.34")
    t = now[uid(1)]
    assert t["rollup"]["sub_units_mean"] == "80.34" and t["rollup"]["own_score"] == "90.00"
    assert t["score"] == "83.23"
    assert "下属单位平均（160.67÷2，约80.34分）×0.7 + 本单位90.00分×(1-0.7)" in t["explanation"]


def test_revision_2_keeps_its_double_rounding_so_its_runs_replay() -> None:
    t = _round(2)[uid(1)]
    assert t["score"] == "83.24"
    assert "下属单位平均80.34分×0.7 + 本单位90.00分×(1-0.7)" in t["explanation"]


def test_a_vertical_unit_without_its_own_score_is_explained_by_its_sub_units_alone() -> None:
    """No questionnaire names T itself: it has no own score, so it scores its sub-units'
    mean, 80.34 (revision 2 explained that as 本单位None分×(1-0.7))."""
    units = [
        unit(1, "市税务局", VERTICAL, vertical=True),
        unit(2, "第一分局办税厅", GRASSROOTS, parent=1),
    ]
    w = wave(1, "satisfaction_survey", THREE, [uid(n) for n in (1, 2)])
    inputs = round_inputs(
        units,
        pattern="satisfied_grassroots_units",
        categories=[VERTICAL, GRASSROOTS],
        waves=[(w, {uid(2): tally(THREE, counts={"满意": 4017, "不满意": 983})})],
    )
    scheme = builtin_schemes()[("yancheng-jiceng-manyi", 1)]
    t = by_id(compute_round(scheme, inputs))[uid(1)]
    assert t["score"] == "80.34" and t["rollup"]["own_score"] is None
    assert "None" not in t["explanation"]
    assert "本单位无得分，取下属单位平均80.34分" in t["explanation"]
