"""Revision 5: the explanation's parts add up to the score, every figure as it was.

A component counted as 0 for want of data (`when_missing: zero`) read 不计入, under a score
that counted it; a score held to the scheme's floor or ceiling was said after parts adding
up to more or less, nothing said of the limit. Each worked by hand on a small round, under
revisions 4 and 5: only the words (and so the digests) differ, and a stored revision-4 run
keeps its own words.
"""

from __future__ import annotations

from typing import Any

from services.scoring.engine.compute import compute_round
from services.scoring.engine.compute.revision import CURRENT
from tests.scoring.engine.builders import (
    assessment,
    by_id,
    finding,
    round_inputs,
    tally,
    uid,
    unit,
    wave,
)
from tests.scoring.engine.schemes import scheme, survey_only

WORDS = ("explanation", "result_digest")


def _round(
    doc: dict[str, Any], counts: dict[int, dict[str, int]], revision: int, **per_unit: Any
) -> dict[str, Any]:
    units = [unit(n, f"单位{n}", "甲类") for n in counts]
    w = wave(1, "satisfaction_survey", "four_level", [uid(n) for n in counts])
    tallies = {uid(n): tally("four_level", counts=c) for n, c in counts.items()}
    inputs = round_inputs(
        units, pattern="democratic_appraisal", categories=["甲类"], waves=[(w, tallies)], **per_unit
    )
    return compute_round(scheme(doc), inputs, revision)


def _both(doc: dict[str, Any], counts: dict[int, dict[str, int]], **per_unit: Any):
    before, now = _round(doc, counts, 4, **per_unit), _round(doc, counts, 5, **per_unit)

    def figures(results: dict[str, Any]) -> list[dict[str, Any]]:
        return [{k: v for k, v in u.items() if k not in WORDS} for u in results["units"]]

    assert figures(before) == figures(now)  # words only
    return by_id(before), by_id(now)


def _with_visits(when_missing: str) -> dict[str, Any]:
    """问卷测评 (0.5, `when_missing` as given) and 明察暗访 (0.5, the team's score ×100)."""
    doc = survey_only(min_sample=0)
    doc["components"][0] |= {"weight": "0.5", "when_missing": when_missing}
    doc["components"].append(
        {
            "code": "visits",
            "source": "assessment",
            "name": "明察暗访",
            "weight": "0.5",
            "assessment_code": "明察暗访",
            "formula": "考核组评分÷满分×100",
        }
    )
    return doc


VISITS = {"assessments": {uid(1): {"明察暗访": assessment("明察暗访", "20", "20")}}}


def test_the_current_revision_is_the_one_that_says_these_words() -> None:
    assert CURRENT == 5


def test_a_component_counted_as_zero_says_so_and_shows_its_part() -> None:
    """单位1: 3 × 不了解 (none valid), 明察暗访 20 of 20: 0 × 0.5 + 100 × 0.5 = 50.00."""
    before, now = _both(_with_visits("zero"), {1: {"不了解": 3}}, **VISITS)
    assert now[uid(1)]["score"] == "50.00"
    assert "有效问卷0份，不计入（" in before[uid(1)]["explanation"]
    said = now[uid(1)]["explanation"]
    assert (
        "「问卷测评」收到问卷3份（不了解3份），均不计为有效问卷，有效问卷0份，"
        "按0分计入（满意100、基本满意80、不满意0，取平均）×权重0.5=0.00分；"
        "「明察暗访」100.00分（考核组评分÷满分×100）×权重0.5=50.00分；综合得分50.00分"
    ) in said
    assert "不计入" not in said


def test_a_component_with_no_questionnaire_counted_as_zero_says_it_has_no_data() -> None:
    doc = _with_visits("zero")
    doc["components"][0]["wave_kind"] = "opinion_solicitation"  # no wave of this kind
    _, now = _both(doc, {1: {"满意": 3}}, **VISITS)
    assert "「问卷测评」无数据，按0分计入（" in now[uid(1)]["explanation"]
    assert "×权重0.5=0.00分" in now[uid(1)]["explanation"]


def test_excluded_and_required_components_keep_their_words() -> None:
    """exclude: not counted, the rest reweighted (100.00); no_score: no score at all."""
    _, now = _both(_with_visits("exclude"), {1: {"不了解": 3}}, **VISITS)
    said = now[uid(1)]["explanation"]
    assert "有效问卷0份，不计入（" in said and "按0分" not in said
    assert now[uid(1)]["score"] == "100.00" and "综合得分100.00分" in said
    _, now = _both(_with_visits("no_score"), {1: {"不了解": 3}}, **VISITS)
    said = now[uid(1)]["explanation"]
    assert "按0分" not in said and now[uid(1)]["score"] is None
    assert said.endswith("无综合得分：方案规定「问卷测评」无数据时不计算综合得分。")


def _limits(**arithmetic: Any) -> dict[str, Any]:
    doc = survey_only(min_sample=0, arithmetic=arithmetic)
    doc["deductions"] = [
        {
            "code": "visits",
            "source": "findings",
            "name": "暗访发现问题",
            "per_severity": {"严重": "100"},
            "formula": "严重问题每个扣100分",
        }
    ]
    return doc


def test_a_score_held_to_the_ceiling_or_the_floor_says_so() -> None:
    """Floor 10, ceiling 90. 单位1: 3 × 满意, 100.00, held to 90.00; 单位2: 3 × 基本满意 less
    one 严重 finding, 80.00 − 100 = −20.00, held to 10.00; 单位3: 1 满意 + 2 基本满意,
    86.67, within both."""
    counts = {1: {"满意": 3}, 2: {"基本满意": 3}, 3: {"满意": 1, "基本满意": 2}}
    findings = {"findings": {uid(2): [finding(1, "严重")]}}
    before, now = _both(_limits(floor=10, ceiling=90), counts, **findings)
    assert [now[uid(n)]["score"] for n in (1, 2, 3)] == ["90.00", "10.00", "86.67"]
    assert "上限" not in before[uid(1)]["explanation"]
    held = "「问卷测评」100.00分（满意100、基本满意80、不满意0，取平均）"
    held += "×权重1=100.00分，有效问卷3份；"
    held += "合计100.00分，高于上限，按上限90分计；综合得分90.00分"
    assert held in now[uid(1)]["explanation"]
    assert "合计-20.00分，低于下限，按下限10分计；综合得分10.00分" in now[uid(2)]["explanation"]
    assert "上限" not in now[uid(3)]["explanation"] and "下限" not in now[uid(3)]["explanation"]


def test_a_score_at_a_limit_it_was_not_held_to_says_nothing_of_it() -> None:
    """Ceiling 100 (the default): 3 × 满意 is 100.00 exactly, nothing held."""
    _, now = _both(_limits(), {1: {"满意": 3}})
    assert "上限" not in now[uid(1)]["explanation"]
