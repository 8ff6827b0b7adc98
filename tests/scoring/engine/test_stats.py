"""Honest statistics: intervals checked against published figures and hand calculation,
rank ranges, post-stratification weights, and a tiny sample not ranked as comparable."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.scoring.engine import stats
from services.scoring.engine.compute import compute_round
from tests.scoring.engine.builders import by_id, round_inputs, tally, uid, unit, wave
from tests.scoring.engine.schemes import scheme, survey_only

D = Decimal


@pytest.mark.parametrize(
    ("successes", "n", "lo", "hi"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857, Table I, method 3 (Wilson score).
        (81, 263, "0.2553", "0.3662"),
        (15, 148, "0.0624", "0.1605"),
        (0, 20, "0.0000", "0.1611"),
        (1, 29, "0.0061", "0.1718"),
    ],
)
def test_wilson_matches_published_figures(successes, n, lo, hi):
    interval = stats.wilson(successes, n, stats.Z_95)
    assert interval is not None
    assert interval.lo.quantize(D("0.0001")) == D(lo)
    assert interval.hi.quantize(D("0.0001")) == D(hi)


def test_wilson_of_nothing_is_none_and_of_everything_reaches_one():
    assert stats.wilson(0, 0) is None
    interval = stats.wilson(29, 29)
    assert interval is not None and interval.hi == 1 and interval.lo < 1


def test_weighted_mean_interval_by_hand():
    """100 answers: 50 at 100 points, 50 at 0. Mean 50; variance 0.5×50² + 0.5×50² = 2500;
    sd 50; half width 1.96 × 50 / sqrt(100) = 9.8 → [40.2, 59.8]."""
    result = stats.weighted_mean_interval(
        {"满意": D(100), "不满意": D(0)}, {"满意": D(50), "不满意": D(50)}, D(100)
    )
    assert result is not None
    mean, interval = result
    assert mean == 50 and interval == stats.Interval(D("40.2"), D("59.8"))


def test_weighted_mean_interval_is_cut_to_the_weights_range():
    result = stats.weighted_mean_interval({"a": D(100), "b": D(0)}, {"a": D(1), "b": D(0)}, D(1))
    assert result is not None and result[1] == stats.Interval(D(100), D(100))


def test_post_stratification_weights_match_targets_and_keep_the_total():
    """Targets 60 : 40, achieved 40 : 20 → w = 0.6×60/40 = 0.9 and 0.4×60/20 = 1.2; the
    group nobody targeted ("") keeps 1; a targeted group nobody answered in is absent."""
    weights = stats.post_stratification_weights(
        {"A": 40, "B": 20, "": 5, "C": 0}, {"A": D(60), "B": D(40), "C": D(10)}
    )
    assert weights == {"A": D("0.9"), "B": D("1.2"), "": D(1)}
    assert 40 * weights["A"] + 20 * weights["B"] == 60


def test_kish_effective_size():
    """(40×0.9 + 20×1.2)² / (40×0.81 + 20×1.44) = 3600 / 61.2 = 58.8235…"""
    n_eff = stats.kish_effective_size([(40, D("0.9")), (20, D("1.2"))])
    assert n_eff.quantize(D("0.0001")) == D("58.8235")


def test_rank_ranges_from_overlapping_intervals():
    """A [90, 96] is above C's [70, 80] for sure but overlaps B [85, 92]: A is 1st or 2nd,
    B 1st or 2nd, C 3rd for sure."""
    ranked = [
        stats.Ranked("A", stats.Interval(D(90), D(96))),
        stats.Ranked("B", stats.Interval(D(85), D(92))),
        stats.Ranked("C", stats.Interval(D(70), D(80))),
    ]
    assert stats.rank_ranges(ranked) == {"A": (1, 2), "B": (1, 2), "C": (3, 3)}


def _two_units(small: dict[str, int], large: dict[str, int]):
    units = [unit(1, "小样本单位", "甲类"), unit(2, "大样本单位", "甲类")]
    w = wave(1, "satisfaction_survey", "four_level", [uid(1), uid(2)])
    return round_inputs(
        units,
        pattern="democratic_appraisal",
        categories=["甲类"],
        waves=[
            (
                w,
                {
                    uid(1): tally("four_level", counts=small),
                    uid(2): tally("four_level", counts=large),
                },
            )
        ],
    )


def test_two_answers_at_100_do_not_outrank_500_at_95():
    """2 × 满意 → 100.00 but 样本不足 (min 30): shown, not ranked, not graded, not listed.
    500 answers, 375 满意 + 125 基本满意 → (37500 + 10000)/500 = 95.00, ranked 1st."""
    inputs = _two_units({"满意": 2}, {"满意": 375, "基本满意": 125})
    units = by_id(compute_round(scheme(survey_only()), inputs))
    small, large = units[uid(1)], units[uid(2)]
    assert (small["score"], small["rank"], small["grade"], small["lists"]) == (
        "100.00",
        None,
        None,
        [],
    )
    assert "样本不足" in small["flags"] and small["valid_sample"] == 2
    assert (large["score"], large["rank"], large["grade"], large["lists"]) == (
        "95.00",
        1,
        "好",
        ["top"],
    )


def test_without_a_minimum_the_tiny_sample_ranks_but_its_range_says_how_little_it_means():
    """With min_sample 0 the two units are ranked, but the 2-answer unit's interval is
    degenerate at 100 (no spread) while the other's is [94.65, 95.35]: distinct. With 1 of 2
    基本满意 (90, sd 10, half width 1.96×10/√2 = 13.86) its interval [76.14, 100] spans the
    other unit: both rank ranges are 1–2 and both are flagged indistinguishable."""
    inputs = _two_units({"满意": 1, "基本满意": 1}, {"满意": 375, "基本满意": 125})
    units = by_id(compute_round(scheme(survey_only(min_sample=0)), inputs))
    small, large = units[uid(1)], units[uid(2)]
    assert small["interval"] == ["76.14", "100.00"]
    assert (large["rank"], small["rank"]) == (1, 2)
    assert large["rank_range"] == [1, 2] and small["rank_range"] == [1, 2]
    assert "indistinguishable_from_neighbours" in small["flags"]
    assert "indistinguishable_from_neighbours" in large["flags"]
