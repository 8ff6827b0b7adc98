"""Engine revisions (`compute.revision`): a correction of the computation applies from the
revision that brings it, new runs are computed under the current one, and a stored run is
recomputed under its own, so it replays to its own bytes.

Revision 2's corrections, each worked by hand on a small round, with what revision 1 gave:
component intervals rounded outwards, weighted parts from the exact value, tied units told
apart from the nearest other rank alike, a reweighted component's weight shown as carried.
"""

from __future__ import annotations

import copy
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

import pytest

from services.scoring.engine import stats
from services.scoring.engine.compute import compute_round
from services.scoring.engine.compute.revision import (
    CURRENT,
    KEY,
    UnknownRevision,
    revision_of,
)
from services.scoring.engine.scheme import builtin_schemes
from shared.contracts.scoring import RoundScored, RoundScoredV1
from tests.scoring.engine.builders import by_id, component, round_inputs, tally, uid, unit, wave
from tests.scoring.engine.schemes import scheme, survey_only
from tests.scoring.engine.test_scheme_luohe import luohe_round
from tests.scoring.engine.test_stats_bounded import LUOHE_RESULTS

D = Decimal
FOUR = {"满意": D(100), "基本满意": D(80), "不满意": D(0)}


def _round(counts_by_unit: dict[int, dict[str, int]], doc: dict[str, Any], revision: int):
    units = [unit(n, f"单位{n}", "甲类") for n in counts_by_unit]
    w = wave(1, "satisfaction_survey", "four_level", [uid(n) for n in counts_by_unit])
    tallies = {uid(n): tally("four_level", counts=c) for n, c in counts_by_unit.items()}
    inputs = round_inputs(
        units, pattern="democratic_appraisal", categories=["甲类"], waves=[(w, tallies)]
    )
    return compute_round(scheme(doc), inputs, revision)


# What a run records ------------------------------------------------------------------------


def test_new_runs_record_the_current_revision_and_first_revision_runs_record_none():
    doc = survey_only(min_sample=0)
    current = _round({1: {"满意": 3}}, doc, CURRENT)
    first = _round({1: {"满意": 3}}, doc, 1)
    assert current[KEY] == CURRENT == 5 and revision_of(current) == CURRENT
    assert KEY not in first and revision_of(first) == 1
    assert current["results_digest"] != first["results_digest"]


def test_a_run_stored_before_revisions_replays_to_its_digest_under_its_own_revision():
    """The shipped 漯河 round's digest as computed before revision 2: revision 1 still
    gives it byte for byte; revision 2 (a reweighted unit's words, among others) does not."""
    shipped = builtin_schemes()[("luohe-2yr-zhengfeng", 1)]
    assert compute_round(shipped, luohe_round(), 1)["results_digest"] == LUOHE_RESULTS
    assert compute_round(shipped, luohe_round())["results_digest"] != LUOHE_RESULTS


@pytest.mark.parametrize("recorded", [6, 0, "2", None, 2.0])
def test_a_revision_this_engine_does_not_have_is_refused_in_words(recorded):
    with pytest.raises(UnknownRevision) as caught:
        revision_of({KEY: recorded})
    assert "engine revision" in str(caught.value)
    with pytest.raises(UnknownRevision):
        compute_round(scheme(survey_only()), luohe_round(), 6)


def test_the_published_result_carries_its_revision_and_a_v1_message_reads_as_the_first():
    results = _round({1: {"满意": 3}}, survey_only(min_sample=0), CURRENT)
    assert RoundScored.model_validate(results).engine_revision == CURRENT
    old = {k: v for k, v in _round({1: {"满意": 3}}, survey_only(min_sample=0), 1).items()}
    v1 = RoundScoredV1.model_validate(old)
    upcast = RoundScored.model_validate(RoundScored.upcast_from_previous(v1.model_dump()))
    assert upcast.engine_revision == 1


# Revision 2's corrections ------------------------------------------------------------------


def test_a_component_interval_is_rounded_outwards_to_contain_the_exact_one():
    """1 满意 + 2 基本满意 at 100/80/0: m = 86.666…; the normal interval's exact bounds
    (75.998…, 97.335…) round half-up to 76.00 — leaving out 75.998 — and outwards to 75.99."""
    counts = {"满意": 1, "基本满意": 2}
    _, exact = stats.weighted_mean_interval(FOUR, {k: D(v) for k, v in counts.items()}, D(3))
    lo = exact.lo.quantize(D("0.01"), rounding=ROUND_FLOOR)
    hi = exact.hi.quantize(D("0.01"), rounding=ROUND_CEILING)
    assert str(lo) == "75.99" and str(hi) == "97.34"
    doc = survey_only(min_sample=0)
    now = by_id(_round({1: counts}, doc, CURRENT))[uid(1)]
    assert component(now, "q")["interval"] == ["75.99", "97.34"] == now["interval"]
    before = by_id(_round({1: counts}, doc, 1))[uid(1)]
    assert component(before, "q")["interval"] == ["76.00", "97.34"]
    assert before["interval"] == ["75.99", "97.34"]  # the composite's was always outwards


def _halves() -> dict[str, Any]:
    """Two halves of one wave: the weighted score and the satisfaction rate."""
    doc = survey_only(min_sample=0)
    weighted = doc["components"][0] | {"weight": "0.5"}
    rate = weighted | {
        "code": "r",
        "name": "满意率",
        "measure": "satisfaction_rate",
        "formula": "(满意+基本满意)/有效",
    }
    doc["components"] = [weighted, rate]
    return doc


def test_a_weighted_part_is_the_exact_value_times_its_weight_rounded_once():
    """1 满意 + 2 基本满意: q = 86.666… (shown 86.67), r = 100. q's part: 43.333… → 43.33
    (revision 1: 86.67 × 0.5 = 43.335 → 43.34); the score 93.333… → 93.33 (was 93.34)."""
    now = by_id(_round({1: {"满意": 1, "基本满意": 2}}, _halves(), CURRENT))[uid(1)]
    assert component(now, "q")["value"] == "86.67"
    assert component(now, "q")["weighted"] == "43.33"
    assert component(now, "r")["weighted"] == "50.00"
    assert now["score"] == "93.33"
    before = by_id(_round({1: {"满意": 1, "基本满意": 2}}, _halves(), 1))[uid(1)]
    assert component(before, "q")["weighted"] == "43.34"
    assert before["score"] == "93.34"


def _tie() -> dict[int, dict[str, int]]:
    """Units 1 and 2 tie at 90.00 ([83.80, 96.20] each, n = 10, sd 10); unit 3 (88.00,
    [81.57, 94.43]) is ranked next and overlaps both."""
    return {
        1: {"满意": 5, "基本满意": 5},
        2: {"满意": 5, "基本满意": 5},
        3: {"满意": 4, "基本满意": 6},
    }


def test_tied_units_are_told_apart_from_the_nearest_other_rank_alike():
    doc = survey_only(min_sample=0)
    flag = "indistinguishable_from_neighbours"
    now = by_id(_round(_tie(), doc, CURRENT))
    assert [now[uid(n)]["rank"] for n in (1, 2, 3)] == [1, 1, 3]
    assert [flag in now[uid(n)]["flags"] for n in (1, 2, 3)] == [True, True, True]
    before = by_id(_round(_tie(), doc, 1))
    # Revision 1: unit 1's only neighbour by unit id was its tie, so it went unflagged.
    assert [flag in before[uid(n)]["flags"] for n in (1, 2, 3)] == [False, True, True]


def test_tied_units_apart_from_every_other_rank_are_flagged_by_none():
    far = _tie() | {3: {"不满意": 10}}
    now = by_id(_round(far, survey_only(min_sample=0), CURRENT))
    flag = "indistinguishable_from_neighbours"
    assert [flag in now[uid(n)]["flags"] for n in (1, 2, 3)] == [False, False, False]


def test_a_reweighted_component_shows_the_weight_it_carried():
    """q 0.4 and r 0.05 have data, a representative evaluation of 0.55 has none: the rest
    share its weight, q carries 0.4/0.45 (86.666… × 0.888… = 77.04)."""
    doc = _halves()
    q, r = doc["components"]
    absent = q | {"code": "x", "name": "代表评议", "wave_kind": "representative_evaluation"}
    doc["components"] = [q | {"weight": "0.4"}, r | {"weight": "0.05"}, absent | {"weight": "0.55"}]
    counts = {1: {"满意": 1, "基本满意": 2}}
    now = by_id(_round(counts, copy.deepcopy(doc), CURRENT))[uid(1)]
    assert component(now, "q")["weighted"] == "77.04"
    assert "×权重0.4/0.45=77.04分" in now["explanation"]
    before = by_id(_round(counts, doc, 1))[uid(1)]
    assert "×权重0.4=" in before["explanation"]
