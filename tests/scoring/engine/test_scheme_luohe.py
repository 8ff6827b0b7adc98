"""Seed 000 (民主评议政风行风, 漯河): the shipped scheme on a worked example."""

from __future__ import annotations

from services.scoring.engine.compute import compute_round
from services.scoring.engine.scheme import builtin_schemes
from tests.scoring.engine.builders import (
    assessment,
    by_id,
    component,
    finding,
    history,
    round_inputs,
    tally,
    uid,
    unit,
    wave,
)

GOV, PUB, STATION = "政府部门及其它机构", "公共服务行业", "基层站所和窗口单位"
CATEGORIES = [GOV, PUB, "重点科室和重点岗位", STATION]
FOUR = "four_level"


def luohe_round():
    units = [
        unit(1, "市民政局", GOV),
        unit(2, "市房管局", GOV),
        unit(3, "市交通局", GOV),
        unit(4, "市供电公司", PUB),
        unit(5, "市民政局婚姻登记窗口", STATION, parent=1),
    ]
    questionnaire = wave(
        1, "satisfaction_survey", FOUR, [uid(n) for n in range(1, 6)], points={"A": 60, "B": 40}
    )
    representatives = wave(2, "representative_evaluation", FOUR, [uid(1), uid(2)], panel_size=10)
    rectification = wave(3, "rectification_satisfaction", FOUR, [uid(1)])
    return round_inputs(
        units,
        pattern="democratic_appraisal",
        categories=CATEGORIES,
        waves=[
            (
                questionnaire,
                {
                    uid(1): tally(
                        FOUR,
                        by_point={
                            "A": {"满意": 30, "基本满意": 10, "不了解": 2},
                            "B": {"满意": 10, "基本满意": 10},
                        },
                    ),
                    uid(2): tally(FOUR, by_point={"A": {"满意": 10, "基本满意": 10, "不满意": 20}}),
                    uid(3): tally(FOUR, by_point={"A": {"满意": 40}}),
                    uid(4): tally(FOUR, by_point={"A": {"满意": 2}}),
                    uid(5): tally(FOUR, by_point={"A": {"满意": 20, "基本满意": 10}}),
                },
            ),
            (
                representatives,
                {
                    uid(1): tally(FOUR, counts={"满意": 6, "基本满意": 4}),
                    uid(2): tally(FOUR, counts={"满意": 1, "基本满意": 2, "不满意": 7}),
                },
            ),
            (rectification, {uid(1): tally(FOUR, counts={"满意": 8, "基本满意": 1, "不满意": 1})}),
        ],
        hotline={uid(1): 2},
        assessments={
            uid(1): {
                "主题实践活动成效": assessment("主题实践活动成效", "9", "10"),
                "组织领导和材料报送": assessment("组织领导和材料报送", "18", "20"),
            },
            uid(2): {
                "主题实践活动成效": assessment("主题实践活动成效", "5", "10"),
                "组织领导和材料报送": assessment("组织领导和材料报送", "10", "20"),
            },
        },
        findings={uid(1): [finding(1, "较重")]},
        cancellations={
            uid(3): [
                {"cancellation_id": "c-1", "reason": "人为干扰问卷测评", "decided_by": "市纠风办"}
            ]
        },
        history={
            uid(1): [history("优", ["advanced"], carried={"rectification_satisfaction": "80.00"})],
            uid(2): [history("差", ["criticised", "warning_talk"])],
        },
    )


def test_luohe_worked_example():
    """Worked by hand (weights: 问卷 0.40, 代表 0.20, 热线 0.05, 重点科室 0.10, 基层站所 0.10,
    主题实践 0.05, 组织材料 0.05, 上轮整改满意率 0.05, 本轮整改满意率 0 — carried forward).

    市民政局 (G1). 问卷 by survey point, targets A 60 : B 40. Valid answers A 40 (30 满意,
    10 基本满意; 2 不了解 not valid), B 20 (10, 10): achieved 40 : 20 of 60.
    w_A = 0.6 × 60 / 40 = 0.9, w_B = 0.4 × 60 / 20 = 1.2.
    Weighted 满意 30×0.9 + 10×1.2 = 39, 基本满意 10×0.9 + 10×1.2 = 21, total 60.
    问卷 = (39×100 + 21×80) / 60 = 5580 / 60 = 93.00 (unweighted it would be 93.33).
    代表 = (6×100 + 4×80) / 10 = 92.00. 热线 = 60 + 2×20 = 100.00.
    基层站所: its window S1 scores 93.33 (below) → mean 93.33. 重点科室: none → left out.
    主题实践 9/10 → 90.00; 组织材料 18/20 → 90.00; 上轮整改满意率 (history) 80.00;
    本轮整改满意率 (8+1)/10 = 90.00, weight 0, carried forward.
    Present weights 0.4+0.2+0.05+0.1+0.05+0.05+0.05+0 = 0.90, so each weight is /0.90:
    41.33 + 20.44 + 5.56 + 10.37 + 5.00 + 5.00 + 4.44 + 0.00 = 92.14;
    one 较重 finding −1.00 → 91.14. Rank 1 of 2 in 政府部门, ≥85 → 优 → 先进单位.

    市房管局 (G2). 问卷 (10×100 + 10×80 + 20×0)/40 = 45.00; 代表 (100+160)/10 = 26.00;
    热线 60.00; 主题实践 50.00; 组织材料 50.00; weights present 0.75:
    24.00 + 6.93 + 4.00 + 3.33 + 3.33 = 41.59 → 差 (<60), rank 2; history 差 → 差 twice:
    通报批评, 诫勉谈话, 建议调整领导班子.

    市交通局 (G3): result cancelled → no score, no rank, no grade; list 取消评议成绩.

    市供电公司 (P1): 2 questionnaires, both 满意 → 问卷 100.00 but 样本不足 (<30): its score
    (100×0.4/0.45 = 88.89, 热线 60×0.05/0.45 = 6.67 → 95.56) is shown, not ranked, not graded.

    婚姻登记窗口 (S1, sub-unit of G1, scored by 问卷 alone, reweighted over 0.40):
    (20×100 + 10×80)/30 = 93.33; ranked among sub-units only (1 of 1); 良 (≥80; the 优 rule's
    rank quota names no sub-unit category).
    """
    scheme = builtin_schemes()[("luohe-2yr-zhengfeng", 1)]
    results = compute_round(scheme, luohe_round())
    units = by_id(results)
    g1, g2, g3, p1, s1 = (units[uid(n)] for n in range(1, 6))

    q = component(g1, "questionnaire")
    assert q["value"] == "93.00" and q["weighted"] == "41.33" and q["sample"] == 60
    assert q["inputs"]["stratum_weights"] == {
        "30000000-0000-4000-8000-000000000001": {"A": "0.900000", "B": "1.200000"}
    }
    assert [
        component(g1, c)["weighted"]
        for c in (
            "representatives",
            "hotline",
            "key_sections",
            "stations",
            "theme",
            "organisation",
            "rectification_last",
            "rectification_satisfaction",
        )
    ] == ["20.44", "5.56", None, "10.37", "5.00", "5.00", "4.44", "0.00"]
    assert g1["deductions"][0]["points"] == "1.00"
    assert (g1["score"], g1["rank"], g1["grade"], g1["lists"]) == ("91.14", 1, "优", ["advanced"])
    assert g1["carried"] == {"rectification_satisfaction": "90.00"}

    assert (g2["score"], g2["rank"], g2["grade"]) == ("41.59", 2, "差")
    assert g2["lists"] == ["criticised", "warning_talk", "leadership_adjustment"]

    assert (g3["score"], g3["rank"], g3["grade"]) == (None, None, None)
    assert [o["code"] for o in g3["overrides"]] == ["cancelled"]
    assert g3["lists"] == ["result_cancelled"]

    assert (p1["score"], p1["rank"], p1["grade"], p1["valid_sample"]) == ("95.56", None, None, 2)
    assert "样本不足" in p1["flags"]

    assert (s1["score"], s1["rank"], s1["grade"], s1["lists"]) == ("93.33", 1, "良", [])
    assert s1["sub_unit"] and g1["rank"] == 1  # both first: never peers

    assert results["lists"] == {
        "advanced": [uid(1)],
        "criticised": [uid(2)],
        "warning_talk": [uid(2)],
        "leadership_adjustment": [uid(2)],
        "result_cancelled": [uid(3)],
    }
    assert [u["unit_id"] for u in results["units"]] == [uid(1), uid(2), uid(3), uid(4), uid(5)]
    assert "综合得分91.14分" in g1["explanation"] and "问卷测评群众满意度" in g1["explanation"]
