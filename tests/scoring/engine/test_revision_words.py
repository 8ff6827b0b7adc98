"""Revision 4: the explanation says what revision 3's words left out, every figure as it was.

A unit whose questionnaires were all 不了解 read 「问卷测评」无数据 (three were received);
a unit without a score read 无综合得分 alone; two units tied first each read 排第1名. Each
worked by hand on a small round, under revisions 3 and 4: only the words (and so the
digests) differ, and a stored revision-3 run keeps its own words.
"""

from __future__ import annotations

from typing import Any

from services.scoring.engine.compute import compute_round
from services.scoring.engine.compute.revision import CURRENT
from tests.scoring.engine.builders import by_id, round_inputs, tally, uid, unit, wave
from tests.scoring.engine.schemes import scheme, survey_only

WORDS = ("explanation", "result_digest")


def _round(counts_by_unit: dict[int, dict[str, int] | None], doc: dict[str, Any], revision: int):
    """Unit n rated with counts (None: named by the wave, no questionnaire for it)."""
    units = [unit(n, f"单位{n}", "甲类") for n in counts_by_unit]
    w = wave(1, "satisfaction_survey", "four_level", [uid(n) for n in counts_by_unit])
    tallies = {uid(n): tally("four_level", counts=c or {}) for n, c in counts_by_unit.items()}
    inputs = round_inputs(
        units, pattern="democratic_appraisal", categories=["甲类"], waves=[(w, tallies)]
    )
    return compute_round(scheme(doc), inputs, revision)


def _figures(results: dict[str, Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in u.items() if k not in WORDS} for u in results["units"]]


def _both(counts: dict[int, dict[str, int] | None], doc: dict[str, Any]):
    before, now = _round(counts, doc, 3), _round(counts, doc, 4)
    assert _figures(before) == _figures(now)  # words only
    return by_id(before), by_id(now)


def test_the_current_revision_is_the_one_that_says_these_words() -> None:
    assert CURRENT >= 4  # later revisions keep these words (revision 5: test_revision_5_words)


def test_a_unit_whose_every_answer_is_excluded_says_how_many_were_received() -> None:
    """单位1: 3 × 不了解, 0 valid of 3 received; 单位2: none received at all (still 无数据);
    单位3: 3 × 满意, 100.00."""
    before, now = _both({1: {"不了解": 3}, 2: None, 3: {"满意": 3}}, survey_only(min_sample=0))
    assert "「问卷测评」无数据，不计入" in before[uid(1)]["explanation"]
    assert before[uid(1)]["explanation"].endswith("无综合得分。")
    said = now[uid(1)]["explanation"]
    assert "「问卷测评」收到问卷3份（不了解3份），均不计为有效问卷，有效问卷0份，不计入" in said
    assert said.endswith("无综合得分：计入综合得分的成分均无数据。")
    assert "「问卷测评」无数据，不计入" in now[uid(2)]["explanation"]
    assert (now[uid(1)]["valid_sample"], now[uid(1)]["score"]) == (0, None)


def test_a_unit_without_a_required_component_says_the_scheme_requires_it() -> None:
    """when_missing: no_score: 单位1 has no valid questionnaire, so no score by the scheme's
    rule, flagged 缺少必需成分:q."""
    doc = survey_only(min_sample=0)
    doc["components"][0]["when_missing"] = "no_score"
    before, now = _both({1: {"不了解": 2}, 2: {"满意": 1}}, doc)
    assert now[uid(1)]["flags"] == ["缺少必需成分:q"]
    assert before[uid(1)]["explanation"].endswith("无综合得分。")
    assert now[uid(1)]["explanation"].endswith(
        "无综合得分：方案规定「问卷测评」无数据时不计算综合得分。"
    )


def test_units_sharing_a_rank_say_they_share_it() -> None:
    """单位1 and 单位2: 3 × 满意 each, 100.00, both rank 1 (equal: shared); 单位3: 3 × 基本满意,
    80.00, rank 3, shared with nobody."""
    counts = {1: {"满意": 3}, 2: {"满意": 3}, 3: {"基本满意": 3}}
    before, now = _both(counts, survey_only(min_sample=0))
    assert [now[uid(n)]["rank"] for n in (1, 2, 3)] == [1, 1, 3]
    for n in (1, 2):
        assert "在甲类中排第1名" in before[uid(n)]["explanation"]
        assert "在甲类中与另1个单位同分，并列第1名" in now[uid(n)]["explanation"]
    assert "在甲类中排第3名" in now[uid(3)]["explanation"]
    assert "并列" not in now[uid(3)]["explanation"]


def test_a_cancelled_unit_says_its_result_was_cancelled_not_that_it_lacks_data() -> None:
    """单位1: 3 × 满意, but its result cancelled (人为干扰问卷测评): no score, for that
    reason, though its component has data."""
    doc = survey_only(min_sample=0)
    doc["overrides"] = [
        {
            "code": "cancelled",
            "name": "取消评议成绩",
            "when": "cancellation",
            "effect": "cancel",
            "reason": "违反评议纪律的，取消评议成绩",
        }
    ]
    units = [unit(1, "单位1", "甲类"), unit(2, "单位2", "甲类")]
    w = wave(1, "satisfaction_survey", "four_level", [uid(1), uid(2)])
    tallies = {uid(n): tally("four_level", counts={"满意": 3}) for n in (1, 2)}
    cancelled = {"cancellation_id": "c-1", "reason": "人为干扰问卷测评", "decided_by": "县纠风办"}
    inputs = round_inputs(
        units,
        pattern="democratic_appraisal",
        categories=["甲类"],
        waves=[(w, tallies)],
        cancellations={uid(1): [cancelled]},
    )
    said = by_id(compute_round(scheme(doc), inputs, 4))[uid(1)]
    assert said["score"] is None
    assert said["explanation"].endswith("无综合得分：评议成绩已取消。")
    assert "成分均无数据" not in said["explanation"]
