"""Seed 001 (作风建设/行政效能, 大庆): the shipped scheme on a worked example."""

from __future__ import annotations

from services.scoring.engine.compute import compute_round
from services.scoring.engine.scheme import builtin_schemes
from tests.scoring.engine.builders import (
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

FIVE = "five_level"


def _task(n: int, completed: bool, accountability: int = 0) -> dict:
    return {
        "task_id": f"t-{n}",
        "kind": "task",
        "completed": completed,
        "accountability": accountability,
    }


def test_daqing_worked_example():
    """Weights: 万人评议 0.40, 督办任务 0.30, 月检查和明察暗访 0.30 (base 100).

    K1: 万人评议 20 非常满意 + 10 满意 → (2000 + 800)/30 = 93.33; tasks 2/2 → 100.00;
        no findings → 100.00. 37.33 + 30.00 + 30.00 = 97.33 → 优秀, 1st → 表彰.
    K2: (10×100 + 10×80 + 10×60)/30 = 80.00; tasks 3/4 → 75.00; one 较重 (暗访) −5 → 95.00
        (a 严重 found by 明察 is not a method of this rule). 32.00 + 22.50 + 28.50 = 83.00;
        one verified complaint −2, one accountability −1 → 80.00 → 良好, 2nd.
    K3: (10×80 + 10×60 + 10×20)/30 = 53.33; tasks 0/2 → 0.00; 严重 (月检查) −10 and 较重
        (电话暗访) −5 → 85.00. 21.33 + 0.00 + 25.50 = 46.83; complaints: verified −2 ×2,
        partly −1 → −5; accountability 4 → capped at −3 → 38.83 → 差, last: 末位告诫,
        重点监督.
    """
    units = [unit(n, f"科室{n}", "科室") for n in (1, 2, 3)]
    w = wave(1, "satisfaction_survey", FIVE, [uid(1), uid(2), uid(3)])
    inputs = round_inputs(
        units,
        pattern="ten_thousand_appraisal",
        categories=["科室"],
        waves=[
            (
                w,
                {
                    uid(1): tally(FIVE, counts={"非常满意": 20, "满意": 10}),
                    uid(2): tally(FIVE, counts={"非常满意": 10, "满意": 10, "一般": 10}),
                    uid(3): tally(FIVE, counts={"满意": 10, "一般": 10, "不满意": 10}),
                },
            )
        ],
        tasks={
            uid(1): [_task(1, True), _task(2, True)],
            uid(2): [_task(3, True), _task(4, True), _task(5, True), _task(6, False, 1)],
            uid(3): [_task(7, False, 4), _task(8, False)],
        },
        findings={
            uid(2): [finding(1, "较重", "暗访"), finding(2, "严重", "明察")],
            uid(3): [finding(3, "严重", "月检查"), finding(4, "较重", "电话暗访")],
        },
        complaints={
            uid(2): [complaint(1, "verified")],
            uid(3): [
                complaint(2, "verified"),
                complaint(3, "verified"),
                complaint(4, "partly_verified"),
                complaint(5, "unfounded"),
            ],
        },
    )
    results = compute_round(builtin_schemes()[("daqing-zuofeng-xiaoneng", 1)], inputs)
    k1, k2, k3 = (by_id(results)[uid(n)] for n in (1, 2, 3))
    assert [component(k2, c)["value"] for c in ("public", "tasks", "checks")] == [
        "80.00",
        "75.00",
        "95.00",
    ]
    assert [d["points"] for d in k3["deductions"]] == ["5.00", "3.00"]
    assert k3["deductions"][1]["uncapped"] == "4.00"
    assert [(u["score"], u["rank"], u["grade"]) for u in (k1, k2, k3)] == [
        ("97.33", 1, "优秀"),
        ("80.00", 2, "良好"),
        ("38.83", 3, "差"),
    ]
    assert results["lists"] == {
        "best": [uid(1)],
        "last_place_warning": [uid(3)],
        "key_supervision": [uid(3)],
    }
