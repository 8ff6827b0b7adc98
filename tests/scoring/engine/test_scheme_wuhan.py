"""Seed 004 (履职尽责督促检查, 武汉开发区): the shipped scheme on a worked example."""

from __future__ import annotations

from services.scoring.engine.compute import compute_round
from services.scoring.engine.scheme import builtin_schemes
from tests.scoring.engine.builders import (
    assessment,
    by_id,
    complaint,
    component,
    finding,
    round_inputs,
    tally,
    uid,
    unit,
    wave,
)

THREE = "three_level"
ECON, PUBLIC = "经济社会发展类", "公共服务企业类"


def _order(n: int, rerating: str | None = None, escalations: tuple[str, ...] = ()) -> dict:
    return {
        "order_id": f"o-{n}",
        "status": "accepted",
        "escalations": list(escalations),
        "second_handling": False,
        "rerating": rerating,
    }


def _daily(score: str) -> dict:
    return {"日常工作": assessment("日常工作", score, "20")}


def test_wuhan_worked_example():
    """Weights: 明察暗访 0.30, 网上投票 0.15, 曝光问题办理 0.05, 集中评议 0.30, 日常工作 0.20.
    Points 满意 100, 基本满意 60, 不满意 0.

    E1: 明察暗访 100 − 2 (一般) − 3 (recorded on the problem list) = 95.00;
        投票 (30×100 + 10×60)/50 = 72.00; 曝光 100.00; 集中 (30×100 + 10×60)/40 = 90.00;
        日常 18/20 = 90.00. 28.50 + 10.80 + 5.00 + 27.00 + 18.00 = 89.30 → 合格, 1st.
    E2: 100 − 10 − 10 = 80.00; 投票 (10×100)/50 = 20.00; 曝光 100 − 10 (media, verified)
        − 10 (fix rated 不满意) = 80.00; 集中 (1000 + 600)/40 = 40.00; 日常 12/20 = 60.00.
        24.00 + 3.00 + 4.00 + 12.00 + 12.00 = 55.00 → 不合格, 2nd → 整改通知, 约谈.
    F1: 100.00; 投票 100.00; 曝光 100.00; 集中 (3600 + 240)/40 = 96.00; 日常 19/20 = 95.00.
        30.00 + 15.00 + 5.00 + 28.80 + 19.00 = 97.80 → 优秀, 1st of its category; an order
        escalated to 约谈 puts it on the 约谈 list only.
    """
    units = [
        unit(1, "区发改局", ECON),
        unit(2, "区商务局", ECON),
        unit(3, "开发区供电公司", PUBLIC),
    ]
    ids = [uid(1), uid(2), uid(3)]
    voting = wave(1, "online_public_voting", THREE, ids)
    concentrated = wave(2, "representative_evaluation", THREE, ids, panel_size=200)
    inputs = round_inputs(
        units,
        pattern="duty_inspection",
        categories=[ECON, "城市管理和执法监督类", PUBLIC],
        waves=[
            (
                voting,
                {
                    uid(1): tally(THREE, counts={"满意": 30, "基本满意": 10, "不满意": 10}),
                    uid(2): tally(THREE, counts={"满意": 10, "不满意": 40}),
                    uid(3): tally(THREE, counts={"满意": 50}),
                },
            ),
            (
                concentrated,
                {
                    uid(1): tally(THREE, counts={"满意": 30, "基本满意": 10}),
                    uid(2): tally(THREE, counts={"满意": 10, "基本满意": 10, "不满意": 20}),
                    uid(3): tally(THREE, counts={"满意": 36, "基本满意": 4}),
                },
            ),
        ],
        findings={
            uid(1): [finding(1, "一般", "明察"), finding(2, "较重", "暗访", "3")],
            uid(2): [finding(3, "严重", "暗访"), finding(4, "严重", "明察")],
        },
        complaints={uid(2): [complaint(1, "verified", "媒体曝光")]},
        rectification={uid(2): [_order(1, "不满意")], uid(3): [_order(2, None, ("催办", "约谈"))]},
        assessments={uid(1): _daily("18"), uid(2): _daily("12"), uid(3): _daily("19")},
    )
    results = compute_round(builtin_schemes()[("wuhan-lvzhi-ducha", 1)], inputs)
    e1, e2, f1 = (by_id(results)[u] for u in ids)
    assert [
        component(e2, c)["value"]
        for c in ("inspections", "online_voting", "exposure", "concentrated", "daily")
    ] == ["80.00", "20.00", "80.00", "40.00", "60.00"]
    assert component(e1, "inspections")["inputs"]["deductions"][0]["points"] == "5.00"
    assert [(u["score"], u["rank"], u["grade"]) for u in (e1, e2, f1)] == [
        ("89.30", 1, "合格"),
        ("55.00", 2, "不合格"),
        ("97.80", 1, "优秀"),
    ]
    assert results["lists"] == {"rectification_notice": [uid(2)], "interview": [uid(2), uid(3)]}
