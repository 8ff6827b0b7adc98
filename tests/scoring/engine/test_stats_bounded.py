"""The bounded interval for a weighted score (`statistics.score_interval: bounded`): the
Wilson interval of the mean scaled to [0, 1] by the level weights' range. It never
collapses to a point, unlike the normal interval that stays the default so every stored
run replays as it was computed."""

from __future__ import annotations

import copy
import typing
from decimal import Decimal

import pytest

from services.scoring.engine import stats
from services.scoring.engine.compute import compute_round
from services.scoring.engine.compute.explain import BOUNDED_WORDS
from services.scoring.engine.scheme import Scheme, SchemeError, builtin_schemes
from services.scoring.engine.scheme.parts import Statistics
from tests.scoring.engine.builders import by_id, round_inputs, tally, uid, unit, wave
from tests.scoring.engine.schemes import scheme, survey_only
from tests.scoring.engine.test_scheme_luohe import luohe_round

D = Decimal
FOUR = {"满意": D(100), "基本满意": D(80), "不满意": D(0)}


def _close(a: Decimal, b: Decimal) -> bool:
    """Equal to 20 places: the expected side is worked under the default 28 digits, and
    forty digits reached by two paths may differ in the last."""
    places = D("1e-20")
    return a.quantize(places, context=stats.STATS) == b.quantize(places, context=stats.STATS)


def _bounded(weights, counts, n):
    result = stats.bounded_mean_interval(weights, {k: D(v) for k, v in counts.items()}, D(n))
    assert result is not None
    return result


def test_three_answers_all_at_the_top_level_give_a_wide_interval_not_a_point():
    """QA's case: 3 × 满意. The normal interval has no spread to work with and is the point
    100; the bounded one at t = 1 is [1 / (1 + z²/n), 1] = [3 / 6.8416, 1] → [43.849…, 100]."""
    _, normal = stats.weighted_mean_interval(FOUR, {"满意": D(3)}, D(3)) or (None, None)
    assert normal == stats.Interval(D(100), D(100))
    mean, interval = _bounded(FOUR, {"满意": 3}, 3)
    assert mean == 100 and interval.hi == 100
    assert _close(interval.lo, 100 * D(3) / D("6.8416"))


@pytest.mark.parametrize(
    "counts",
    [
        {"满意": 3},
        {"不满意": 2},
        {"满意": 1, "基本满意": 1},
        {"满意": 375, "基本满意": 125},
        {"满意": 5, "基本满意": 3, "不满意": 2},
        {"基本满意": 1},
    ],
)
@pytest.mark.parametrize("n", [1, 3, 30, 500])
def test_contains_the_mean_and_stays_within_the_weights_range(counts, n):
    mean, interval = _bounded(FOUR, counts, n)
    assert D(0) <= interval.lo <= mean <= interval.hi <= D(100)
    assert interval.lo < interval.hi  # never a point: the weights have a range


def test_stays_within_a_range_that_does_not_start_at_zero():
    """Weights 60–100: t = (m − 60) / 40. All at the lowest level, t = 0 and the interval
    starts exactly at 60 (not 59.99…), and never reaches below it."""
    weights = {"满意": D(100), "基本满意": D(75), "不满意": D(60)}
    mean, interval = _bounded(weights, {"不满意": 4}, 4)
    assert mean == 60 and interval.lo == 60 and D(60) < interval.hi < D(100)
    mean, interval = _bounded(weights, {"满意": 1, "基本满意": 2}, 3)
    assert D(60) < interval.lo < mean < interval.hi < D(100)


def test_on_a_two_level_scale_it_is_the_wilson_interval_of_the_rate():
    """Two levels at 90 and 40: the score is 40 + 50 × the share at 90, so its bounded
    interval is 40 + 50 × Wilson(7 of 10)."""
    weights = {"满意": D(90), "不满意": D(40)}
    _, interval = _bounded(weights, {"满意": 7, "不满意": 3}, 10)
    wilson = stats.wilson(7, 10)
    assert wilson is not None
    assert _close(interval.lo, 40 + 50 * wilson.lo)
    assert _close(interval.hi, 40 + 50 * wilson.hi)


def test_weights_all_equal_leave_nothing_to_be_uncertain_about():
    assert _bounded({"a": D(80), "b": D(80)}, {"a": 2}, 2)[1] == stats.Interval(D(80), D(80))
    assert stats.bounded_mean_interval(FOUR, {}, D(3)) is None
    assert stats.bounded_mean_interval(FOUR, {"满意": D(3)}, D(0)) is None


def test_every_method_a_scheme_may_name_has_a_formula():
    field = Statistics.model_fields["score_interval"]
    assert set(typing.get_args(field.annotation)) == set(stats.SCORE_INTERVALS)
    assert field.default == "normal"


# The scheme language -------------------------------------------------------------------


def test_the_method_is_a_declared_part_of_the_scheme_and_its_hash():
    plain = Scheme.from_new_document(survey_only())
    normal = Scheme.from_new_document(survey_only(statistics={"score_interval": "normal"}))
    bounded = Scheme.from_new_document(survey_only(statistics={"score_interval": "bounded"}))
    assert plain.statistics.score_interval == "normal"
    assert normal.scheme_hash == plain.scheme_hash  # spelling out the default
    assert bounded.statistics.score_interval == "bounded"
    assert bounded.scheme_hash != plain.scheme_hash
    assert bounded.document()["statistics"] == {"score_interval": "bounded"}


@pytest.mark.parametrize("value", ["wilson", "", 1, None])
@pytest.mark.parametrize("read", [Scheme.from_document, Scheme.from_new_document])
def test_an_unknown_method_is_refused_by_its_path(read, value):
    with pytest.raises(SchemeError) as caught:
        read(survey_only(statistics={"z": "1.96", "score_interval": value}))
    assert [f for f, _ in caught.value.problems] == ["statistics.score_interval"]
    assert "normal" in caught.value.reason and "bounded" in caught.value.reason


LUOHE_HASH = "sha256:64d2d52558d9d0965b4f50209ec7bc1847eb102b91a42257995e282b9c011793"
LUOHE_RESULTS = "sha256:df79a1d854a746d588f9882deb6c724a95443f08535b124355449d62b5bc78cd"
"""The shipped 漯河 scheme's hash and its worked round's results digest, as computed before
the method could be chosen: stored runs must replay to these bytes."""


def test_a_shipped_scheme_hashes_and_computes_as_before_under_the_default():
    shipped = builtin_schemes()[("luohe-2yr-zhengfeng", 1)]
    assert shipped.statistics.score_interval == "normal"
    doc = copy.deepcopy(shipped.document())
    doc["statistics"]["score_interval"] = "normal"
    spelt_out = Scheme.from_new_document(doc)
    assert shipped.scheme_hash == spelt_out.scheme_hash == LUOHE_HASH
    inputs = luohe_round()
    # Under the engine revision those runs were computed with (engine/test_revision.py).
    assert compute_round(shipped, inputs, 1)["results_digest"] == LUOHE_RESULTS
    assert compute_round(spelt_out, inputs, 1)["results_digest"] == LUOHE_RESULTS
    doc["statistics"]["score_interval"] = "bounded"
    bounded = compute_round(Scheme.from_new_document(doc), inputs, 1)
    assert bounded["results_digest"] != LUOHE_RESULTS


# A round ---------------------------------------------------------------------------------


def _two_units(method: str):
    units = [unit(1, "小样本单位", "甲类"), unit(2, "大样本单位", "甲类")]
    w = wave(1, "satisfaction_survey", "four_level", [uid(1), uid(2)])
    inputs = round_inputs(
        units,
        pattern="democratic_appraisal",
        categories=["甲类"],
        waves=[
            (
                w,
                {
                    uid(1): tally("four_level", counts={"满意": 3}),
                    uid(2): tally("four_level", counts={"满意": 375, "基本满意": 125}),
                },
            )
        ],
    )
    doc = survey_only(min_sample=0, statistics={"score_interval": method})
    return by_id(compute_round(scheme(doc), inputs))


def test_bounded_round_worked_by_hand():
    """满意 100 / 基本满意 80 / 不满意 0 (floor 0, ceiling 100), z = 1.96, z² = 3.8416.

    Small unit, 3 × 满意: m = 100, t = 1. Wilson at p = 1: lo = 1 / (1 + z²/n)
    = 1 / (1 + 1.28053) = 0.438494 → [43.849…, 100], published outwards [43.84, 100.00].
    (The normal interval: variance 0, the point [100.00, 100.00].)

    Large unit, 375 满意 + 125 基本满意: m = 95, t = 0.95, n = 500.
    denominator 1 + 3.8416/500 = 1.0076832; centre (0.95 + 3.8416/1000) / 1.0076832
    = 0.946569; spread² 0.95 × 0.05 / 500 + 3.8416 / (4 × 500²) = 0.0000988416, its root
    0.0099419; half 1.96 × 0.0099419 / 1.0076832 = 0.019337 → [0.927231, 0.965906]
    → [92.72, 96.60]. (Normal: sd 8.66, half 0.759 → [94.24, 95.76].)

    Under the normal interval the 3-questionnaire unit is 1st for certain (rank range 1–1);
    under the bounded one its interval spans the other's: both rank 1–2, indistinguishable.
    """
    normal = _two_units("normal")
    small, large = normal[uid(1)], normal[uid(2)]
    assert small["interval"] == ["100.00", "100.00"] and small["rank_range"] == [1, 1]
    assert large["interval"] == ["94.24", "95.76"]

    bounded = _two_units("bounded")
    small, large = bounded[uid(1)], bounded[uid(2)]
    assert (small["score"], large["score"]) == ("100.00", "95.00")  # scores do not move
    assert small["interval"] == ["43.84", "100.00"]
    assert large["interval"] == ["92.72", "96.60"]
    assert (small["rank"], large["rank"]) == (1, 2)
    assert small["rank_range"] == [1, 2] and large["rank_range"] == [1, 2]
    assert "indistinguishable_from_neighbours" in small["flags"]
    assert small["components"][0]["inputs"]["interval_method"] == "bounded"


def test_the_scheme_words_state_the_bounded_method_only_when_it_is_used():
    assert BOUNDED_WORDS in _two_units("bounded")[uid(1)]["explanation"]
    normal = _two_units("normal")[uid(1)]
    assert "有界" not in normal["explanation"]
    assert "interval_method" not in normal["components"][0]["inputs"]


def test_with_post_stratification_it_uses_the_effective_sample():
    """Targets 甲 50 : 乙 50; achieved 6 × 满意 in 甲 and 2 × 基本满意 in 乙 (8 valid).
    w_甲 = 0.5 × 8 / 6 = 2/3, w_乙 = 0.5 × 8 / 2 = 2: weighted 4 满意 + 4 基本满意, m = 90.
    n_eff = (6 × 2/3 + 2 × 2)² / (6 × 4/9 + 2 × 4) = 64 / (32/3) = 6, not 8: the interval
    is the bounded one at n = 6, wider than at n = 8."""
    w = wave(1, "satisfaction_survey", "four_level", [uid(1)], groups={"甲": 50, "乙": 50})
    by_group = {"甲": {"满意": 6}, "乙": {"基本满意": 2}}
    inputs = round_inputs(
        [unit(1, "单位", "甲类")],
        pattern="democratic_appraisal",
        categories=["甲类"],
        waves=[(w, {uid(1): tally("four_level", by_group=by_group)})],
    )
    doc = survey_only(min_sample=0, statistics={"score_interval": "bounded"})
    doc["components"][0]["weighting"] = "by_group"
    result = by_id(compute_round(scheme(doc), inputs))[uid(1)]
    component = result["components"][0]
    assert component["inputs"]["effective_sample"] == "6.000000"
    assert result["score"] == "90.00"
    at_six = _bounded(FOUR, {"满意": 4, "基本满意": 4}, 6)[1]
    at_eight = _bounded(FOUR, {"满意": 4, "基本满意": 4}, 8)[1]
    assert result["interval"] == [_floor(at_six.lo), _ceiling(at_six.hi)]
    assert at_six.lo < at_eight.lo and result["interval"] != [
        _floor(at_eight.lo),
        _ceiling(at_eight.hi),
    ]


def _floor(value: Decimal) -> str:
    return str(value.quantize(D("0.01"), rounding="ROUND_FLOOR"))


def _ceiling(value: Decimal) -> str:
    return str(value.quantize(D("0.01"), rounding="ROUND_CEILING"))
