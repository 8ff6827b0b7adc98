"""The satisfaction scheme, worked by hand on tiny cases."""

from __future__ import annotations

import decimal
from typing import Any

import pytest

from services.scoring.counting import add_ratings, empty_counts, roster_entry
from services.scoring.scheme import (
    SATISFACTION_V1,
    Scheme,
    SchemeError,
    build_inputs,
    compute,
    results_digest,
    score_unit,
)
from shared.canonical import digest

UNIT = "00000000-0000-0000-0000-0000000000a1"
OTHER = "00000000-0000-0000-0000-0000000000b2"


def unit(counts: dict[str, int]) -> dict[str, Any]:
    return {
        "unit_id": UNIT,
        "name": "舞阳县公安局",
        "category": "政府部门及其它机构",
        "counts": counts,
    }


def test_rate_and_score_by_hand() -> None:
    # 3 满意, 1 基本满意, 1 不满意 are valid (5); the 2 不了解 are not.
    # rate = (3 + 1) / 5 * 100 = 80; score = (3*1 + 1*0.8 + 1*0) / 5 * 100 = 76.
    result = score_unit(SATISFACTION_V1, unit({"满意": 3, "基本满意": 1, "不满意": 1, "不了解": 2}))
    assert result["valid_count"] == 5
    assert result["satisfaction_rate"] == "80.00"
    assert result["score"] == "76.00"
    assert result["counts"] == {"满意": 3, "基本满意": 1, "不满意": 1, "不了解": 2}


def test_half_rounds_up_not_to_even() -> None:
    # 1 of 32 satisfied: 3.125 exactly. Half-up gives 3.13 where banker's rounding gives 3.12.
    result = score_unit(SATISFACTION_V1, unit({"满意": 1, "不满意": 31}))
    assert result["satisfaction_rate"] == "3.13"
    assert result["score"] == "3.13"
    # 1 基本满意 of 32: score 0.8 / 32 * 100 = 2.5; rate still 3.125 -> 3.13.
    basic = score_unit(SATISFACTION_V1, unit({"基本满意": 1, "不满意": 31}))
    assert (basic["satisfaction_rate"], basic["score"]) == ("3.13", "2.50")


def test_repeating_fractions_round_to_two_places() -> None:
    # 2 of 3: 66.666... -> 66.67; score (1 + 0.8) / 3 * 100 = 60 exactly.
    result = score_unit(SATISFACTION_V1, unit({"满意": 1, "基本满意": 1, "不满意": 1}))
    assert result["satisfaction_rate"] == "66.67"
    assert result["score"] == "60.00"


def test_unknown_answers_do_not_move_the_score() -> None:
    base = score_unit(SATISFACTION_V1, unit({"满意": 2, "不满意": 1}))
    more = score_unit(SATISFACTION_V1, unit({"满意": 2, "不满意": 1, "不了解": 40}))
    assert (base["satisfaction_rate"], base["score"]) == (more["satisfaction_rate"], more["score"])
    assert more["valid_count"] == 3


def test_no_valid_answers_gives_no_score() -> None:
    for counts in ({}, {"不了解": 7}):
        result = score_unit(SATISFACTION_V1, unit(counts))
        assert result["valid_count"] == 0
        assert result["satisfaction_rate"] is None
        assert result["score"] is None


def test_perfect_and_zero() -> None:
    assert score_unit(SATISFACTION_V1, unit({"满意": 9}))["score"] == "100.00"
    assert score_unit(SATISFACTION_V1, unit({"不满意": 9}))["score"] == "0.00"


def test_result_does_not_depend_on_the_callers_decimal_context() -> None:
    counts = {"满意": 1, "基本满意": 1, "不满意": 1}
    expected = score_unit(SATISFACTION_V1, unit(counts))
    with decimal.localcontext() as ctx:
        ctx.prec = 2
        ctx.rounding = decimal.ROUND_DOWN
        assert score_unit(SATISFACTION_V1, unit(counts)) == expected


def test_result_digest_covers_the_result_without_itself() -> None:
    result = score_unit(SATISFACTION_V1, unit({"满意": 3, "不满意": 1}))
    body = {k: v for k, v in result.items() if k != "result_digest"}
    assert result["result_digest"] == digest(body)


def test_result_digest_is_pinned() -> None:
    """The canonical encoding of a result is part of what auditors rely on: pin one."""
    result = score_unit(SATISFACTION_V1, unit({"满意": 3, "基本满意": 1, "不满意": 1, "不了解": 2}))
    assert result["result_digest"] == (
        "sha256:c36dd563c1799395113cef3691b7944a9bd5dbb13d24799c17e726c75a26a587"
    )


def test_scheme_hash_is_pinned() -> None:
    """Changing the v1 definition must come with a new version: stored runs name this hash."""
    assert SATISFACTION_V1.scheme_hash == (
        "sha256:7a59dc22392fe549902b1602ac6dc4d1d260608cf9e12794f10dffd7cd4b0044"
    )
    assert SATISFACTION_V1.scheme_hash == digest(SATISFACTION_V1.definition)
    assert SATISFACTION_V1.ref() == {
        "scheme_id": "satisfaction",
        "version": 1,
        "scheme_hash": SATISFACTION_V1.scheme_hash,
    }


def test_digests_are_stable_across_runs_and_orders() -> None:
    counts = empty_counts([OTHER, UNIT])
    add_ratings(counts, {UNIT: "满意", OTHER: "不满意"})
    add_ratings(counts, {OTHER: "基本满意", UNIT: "不了解"})
    roster = {
        UNIT: roster_entry("舞阳县公安局", "政府部门及其它机构", "j"),
        OTHER: roster_entry("舞阳县供电公司", "公共服务行业", "j"),
    }
    wave = {"wave_id": "w", "jurisdiction_id": "j", "name": "测评", "unit_ids": [OTHER, UNIT]}
    reordered = wave | {"unit_ids": [UNIT, OTHER]}
    first = build_inputs(wave, roster, counts, 2)
    second = build_inputs(reordered, dict(reversed(list(roster.items()))), counts, 2)
    assert digest(first) == digest(second)
    assert [u["unit_id"] for u in first["units"]] == sorted([UNIT, OTHER])
    results = compute(SATISFACTION_V1, first)
    assert results == compute(SATISFACTION_V1, second)
    assert results_digest(results) == digest(results)
    assert [r["score"] for r in results] == ["100.00", "40.00"]


def test_inputs_refuse_units_missing_from_the_roster() -> None:
    wave = {"wave_id": "w", "jurisdiction_id": "j", "name": "测评", "unit_ids": [UNIT]}
    with pytest.raises(SchemeError, match=UNIT):
        build_inputs(wave, {}, empty_counts([UNIT]), 0)


def test_ratings_of_units_outside_the_wave_are_not_counted() -> None:
    counts = empty_counts([UNIT])
    add_ratings(counts, {UNIT: "满意", OTHER: "满意"})
    assert counts == {UNIT: {"满意": 1, "基本满意": 0, "不满意": 0, "不了解": 0}}


def test_a_changed_definition_changes_hash_and_results() -> None:
    changed = Scheme(
        dict(SATISFACTION_V1.definition)
        | {"weights": {"满意": "1", "基本满意": "0.6", "不满意": "0"}}
    )
    assert changed.key == SATISFACTION_V1.key
    assert changed.scheme_hash != SATISFACTION_V1.scheme_hash
    counts = {"满意": 1, "基本满意": 1}
    assert score_unit(changed, unit(counts))["score"] == "80.00"
    assert score_unit(SATISFACTION_V1, unit(counts))["score"] == "90.00"


def test_a_scheme_must_place_every_rating() -> None:
    broken = dict(SATISFACTION_V1.definition) | {"excluded": []}
    with pytest.raises(SchemeError):
        Scheme(broken)


def test_the_scheme_keeps_its_own_copy_of_the_definition() -> None:
    definition = dict(SATISFACTION_V1.definition)
    definition["weights"] = dict(definition["weights"])
    scheme = Scheme(definition)
    definition["weights"]["基本满意"] = "0.1"
    assert scheme.scheme_hash == SATISFACTION_V1.scheme_hash
