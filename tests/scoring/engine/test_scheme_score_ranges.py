"""Slips in a scheme's score thresholds that the checks once let through, each giving every
unit, or the best ones, a grade or a list nobody meant (found by trying the API as an
office would): a threshold every score meets (`below_score: 600` for 60.0), a rule an
earlier one covers once the arithmetic's floor is counted (中 ≥ 0 before 差 < 60), grades
against their thresholds (差 ≥ 90 before 好 ≥ 60), a per-category rank of 0 and a vote
share above 1. A new document is refused naming the place; one registered before these
checks still loads and scores as it did (`Scheme.from_document`)."""

from __future__ import annotations

from typing import Any

import pytest

from services.scoring.engine.compute import compute_round
from services.scoring.engine.scheme import Scheme, SchemeError
from tests.scoring.engine.builders import by_id, two_units_rated, uid
from tests.scoring.engine.schemes import survey_only

GRADES = ["优", "良", "中", "差"]


def _graded(*rules: tuple[str, dict[str, Any]], otherwise: str = "差") -> dict[str, Any]:
    doc = survey_only(min_sample=0)
    doc["grading"] = {
        "grades": GRADES,
        "rules": [{"grade": grade, "name": grade, "when": when} for grade, when in rules],
        "otherwise": otherwise,
    }
    return doc


def _refused(doc: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(SchemeError) as caught:
        Scheme.from_new_document(doc)
    # Registered before the checks: read back from the log, it loads as it always did.
    assert Scheme.from_document(doc).scheme_id == "test-survey"
    return dict(caught.value.problems)


def test_a_below_score_past_the_ceiling_holds_for_every_score() -> None:
    doc = _graded(("差", {"below_score": 600}), ("优", {"min_score": 85}), otherwise="中")
    doc["lists"] = [{"code": "criticised", "name": "通报批评", "when": {"below_score": 600}}]
    found = _refused(doc)
    for where in ("grading.rules.0.when.below_score", "lists.0.when.below_score"):
        assert found[where].startswith("总是成立: 分数至多为 100"), found
        assert "(always holds" in found[where]
    # The rule after it is never reached: every unit is 差 and criticised.
    assert "never applies" in found["grading.rules.1.when"]
    doc["grading"]["rules"][0]["when"]["below_score"] = 100  # all but a perfect score: fine
    doc["lists"][0]["when"]["below_score"] = 60
    doc["grading"]["rules"].reverse()
    assert Scheme.from_new_document(doc).grading is not None


def test_a_rule_covering_every_score_from_the_floor_shadows_the_rest() -> None:
    """中 ≥ 0 holds for every score when the floor is 0: 差 < 60 after it is never given.
    With a floor of -10 the scores from -10 to 0 are left to 差, so it may apply."""
    doc = _graded(("中", {"min_score": 0}), ("差", {"below_score": 60}), otherwise="差")
    found = _refused(doc)
    assert (
        "never applies" in found["grading.rules.1.when"]
        and "min_score 0" in found["grading.rules.1.when"]
    )
    doc["arithmetic"] = {"floor": -10}
    assert Scheme.from_new_document(doc).grading is not None


INVERTED = [
    pytest.param([("差", {"min_score": 90}), ("优", {"min_score": 60})], "中", 1, id="min"),
    pytest.param([("优", {"below_score": 60}), ("差", {"below_score": 75})], "中", 0, id="below"),
    pytest.param([("优", {"below_score": 60}), ("差", {"min_score": 80})], "中", 0, id="apart"),
    pytest.param([("差", {"min_score": 90})], "优", 0, id="min, otherwise better"),
    pytest.param([("优", {"below_score": 60})], "差", 0, id="below, otherwise worse"),
]


@pytest.mark.parametrize(("rules", "otherwise", "rule"), INVERTED)
def test_grades_against_their_thresholds_are_refused(
    rules: list[tuple[str, dict[str, Any]]], otherwise: str, rule: int
) -> None:
    found = _refused(_graded(*rules, otherwise=otherwise))
    where = f"grading.rules.{rule}.when"
    assert where in found, found
    assert found[where].startswith("等级与分数线相反") and "grades against" in found[where]


def test_the_inverted_grades_are_what_the_refusal_says() -> None:
    """差 ≥ 90 before 优 ≥ 60, as registered before the check: the best unit gets 差."""
    doc = _graded(("差", {"min_score": 90}), ("优", {"min_score": 60}), otherwise="中")
    inputs = two_units_rated({"满意": 3}, {"满意": 1, "基本满意": 2})
    results = by_id(compute_round(Scheme.from_document(doc), inputs))
    assert [(results[uid(n)]["score"], results[uid(n)]["grade"]) for n in (1, 2)] == [
        ("100.00", "差"),
        ("86.67", "优"),
    ]


def test_a_rank_of_zero_in_a_category_is_refused() -> None:
    doc = _graded(("优", {"top": {"甲类": 0, "*": 3}}))
    doc["lists"] = [{"code": "worst", "name": "末位", "when": {"bottom": {"*": 0}}}]
    found = _refused(doc)
    assert found["grading.rules.0.when.top.甲类"].startswith("至少为 1 (名次 ≤ 0 永不成立)")
    assert "lists.0.when.bottom.*" in found
    assert "grading.rules.0.when.top.*" not in found


def test_a_vote_share_of_one_or_more_never_holds() -> None:
    doc = _graded(("优", {"votes": {"component": "q", "levels": ["满意"], "more_than": 1}}))
    found = _refused(doc)
    assert found["grading.rules.0.when.votes.more_than"].startswith("永不成立: 比例不会超过 1")
    doc["grading"]["rules"][0]["when"]["votes"]["more_than"] = "0.99"
    assert Scheme.from_new_document(doc).grading is not None
