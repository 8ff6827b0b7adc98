"""Seed 003 (双评双比, 县文体局): the shipped scheme on a worked example."""

from __future__ import annotations

from services.scoring.engine.compute import compute_round
from services.scoring.engine.scheme import builtin_schemes
from tests.scoring.engine.builders import by_id, complaint, round_inputs, tally, uid, unit, wave

THREE = "three_level"


def test_wenti_worked_example():
    """Grades by majority of the members present (questionnaires received), 9 members:

    U1: 满意 5, 基本满意 3, 不满意 1 → 5/9 满意 > half → 满意 (rate 8/9 = 88.89) → 表彰.
    U2: 4, 2, 3 → 4/9 not over half; (4+2)/9 = 6/9 over half → 基本满意 (66.67).
    U3: 2, 2, 5 → 4/9 not over half either → 不满意 (44.44) → 通报批评, 问责.
    U4: 9 满意 → would be 满意 (100.00), but a complaint found true → 不满意 for the half
        year (an unfounded complaint against U1 changes nothing).
    U5: 3 满意 → 样本不足 (fewer than 5): no grade of its own, but vetoed → 不满意.
    Ranked by rate: U4 100.00 1st (an override keeps its place), U1 2nd, U2 3rd, U3 4th.
    """
    units = [unit(n, f"局属单位{n}", "局属单位") for n in range(1, 6)]
    w = wave(1, "representative_evaluation", THREE, [uid(n) for n in range(1, 6)], panel_size=9)
    inputs = round_inputs(
        units,
        pattern="double_appraisal",
        categories=["局属单位"],
        window=("2024-01-01", "2024-06-30"),
        waves=[
            (
                w,
                {
                    uid(1): tally(THREE, counts={"满意": 5, "基本满意": 3, "不满意": 1}),
                    uid(2): tally(THREE, counts={"满意": 4, "基本满意": 2, "不满意": 3}),
                    uid(3): tally(THREE, counts={"满意": 2, "基本满意": 2, "不满意": 5}),
                    uid(4): tally(THREE, counts={"满意": 9}),
                    uid(5): tally(THREE, counts={"满意": 3}),
                },
            )
        ],
        complaints={uid(1): [complaint(1, "unfounded")], uid(4): [complaint(2, "verified")]},
        vetoes={uid(5): [{"veto_id": "v-1", "basis": "安全生产", "authority": "县政府"}]},
    )
    results = compute_round(builtin_schemes()[("wenti-shuangping", 1)], inputs)
    got = [
        (u["score"], u["rank"], u["grade"]) for u in (by_id(results)[uid(n)] for n in range(1, 6))
    ]
    assert got == [
        ("88.89", 2, "满意"),
        ("66.67", 3, "基本满意"),
        ("44.44", 4, "不满意"),
        ("100.00", 1, "不满意"),
        ("100.00", None, "不满意"),
    ]
    u4 = by_id(results)[uid(4)]
    assert [o["code"] for o in u4["overrides"]] == ["verified_complaint"]
    assert "该半年直接定为“不满意”" in u4["explanation"]
    assert results["lists"] == {
        "commended": [uid(1)],
        "criticised": [uid(3), uid(4), uid(5)],
        "head_accountable": [uid(3), uid(4), uid(5)],
    }
