"""Seed 002 (人民满意基层服务单位, 盐城): the shipped scheme on a worked example."""

from __future__ import annotations

from services.scoring.engine.compute import compute_round
from services.scoring.engine.scheme import builtin_schemes
from tests.scoring.engine.builders import (
    by_id,
    component,
    history,
    round_inputs,
    tally,
    uid,
    unit,
    wave,
)

THREE = "three_level"
VERTICAL, GRASSROOTS = "垂直管理部门", "基层服务单位"


def test_yancheng_worked_example():
    """满意度 = (满意 + 基本满意)/valid × 100, respondent groups weighted to targets
    服务对象 70 : 群众 30; 达标 at 80.

    A (grassroots unit of the tax bureau T): 服务对象 40 满意; 群众 10 满意, 20 基本满意,
      10 不满意. Achieved 40 : 40 of 80 → w 服务对象 = 0.7×80/40 = 1.4, 群众 = 0.3×80/40 = 0.6.
      Satisfied 40×1.4 + 30×0.6 = 74 of 80 → 92.50 (unweighted 70/80 = 87.50) → 达标, 示范点.
    B (grassroots unit of T, no group named: weight 1): (20 + 10)/40 = 75.00 → 不达标; it was
      a 示范点 last round → title revoked.
    T (vertically managed): own (25 + 5)/40 = 75.00; its grassroots units' mean
      (92.50 + 75.00)/2 = 83.75; 0.7 × 83.75 + 0.3 × 75.00 = 81.125 → 81.13 → 达标.
    C: 40 满意 → 100.00 but broke the creation rules (cancellation fact) → 不达标 outright,
      not ranked.
    Ranks: A 1st and B 2nd among grassroots units; T 1st among departments.
    """
    units = [
        unit(1, "市税务局", VERTICAL, vertical=True),
        unit(2, "第一税务分局办税服务厅", GRASSROOTS, parent=1),
        unit(3, "第二税务分局办税服务厅", GRASSROOTS, parent=1),
        unit(4, "市民中心不动产窗口", GRASSROOTS),
    ]
    w = wave(
        1,
        "satisfaction_survey",
        THREE,
        [uid(n) for n in range(1, 5)],
        groups={"服务对象": 70, "群众": 30},
    )
    inputs = round_inputs(
        units,
        pattern="satisfied_grassroots_units",
        categories=[VERTICAL, GRASSROOTS],
        waves=[
            (
                w,
                {
                    uid(1): tally(THREE, counts={"满意": 25, "基本满意": 5, "不满意": 10}),
                    uid(2): tally(
                        THREE,
                        by_group={
                            "服务对象": {"满意": 40},
                            "群众": {"满意": 10, "基本满意": 20, "不满意": 10},
                        },
                    ),
                    uid(3): tally(THREE, counts={"满意": 20, "基本满意": 10, "不满意": 10}),
                    uid(4): tally(THREE, counts={"满意": 40}),
                },
            )
        ],
        cancellations={
            uid(4): [{"cancellation_id": "x-1", "reason": "弄虚作假", "decided_by": "市纠风办"}]
        },
        history={uid(3): [history("达标", ["demonstration"], "85.00")]},
    )
    results = compute_round(builtin_schemes()[("yancheng-jiceng-manyi", 1)], inputs)
    t, a, b, c = (by_id(results)[uid(n)] for n in range(1, 5))
    assert component(a, "satisfaction")["inputs"]["stratum_weights"] == {
        w["wave_id"]: {"服务对象": "1.400000", "群众": "0.600000"}
    }
    assert (a["score"], a["rank"], a["grade"]) == ("92.50", 1, "达标")
    assert (b["score"], b["rank"], b["grade"]) == ("75.00", 2, "不达标")
    assert t["rollup"]["sub_units_mean"] == "83.75" and t["rollup"]["own_score"] == "75.00"
    assert (t["score"], t["rank"], t["grade"]) == ("81.13", 1, "达标")
    assert (c["score"], c["rank"], c["grade"]) == ("100.00", None, "不达标")
    assert results["lists"] == {
        "demonstration": [uid(2)],
        "title_revoked": [uid(3)],
        "failed": [uid(3), uid(4)],
    }
