"""Grade rules are tried in order and the first that holds gives the grade, so a rule
whose every unit an earlier score-only rule already takes never gives its grade
(thresholds out of order): a new document is refused naming the rule; one registered
before the check still loads and scores as it did."""

from __future__ import annotations

from typing import Any

import pytest

from services.scoring.engine.compute import compute_round
from services.scoring.engine.scheme import Scheme, SchemeError
from tests.scoring.engine.builders import by_id, two_units_rated, uid
from tests.scoring.engine.schemes import survey_only

GRADES = ["优", "良", "中", "差"]


def _graded(*rules: dict[str, Any], otherwise: str = "差") -> dict[str, Any]:
    doc = survey_only(min_sample=0)
    doc["grading"] = {
        "grades": GRADES,
        "rules": [{"grade": r["grade"], "name": r["grade"], "when": r["when"]} for r in rules],
        "otherwise": otherwise,
    }
    return doc


SHADOWED = [
    pytest.param(
        [("优", {"min_score": 80}), ("良", {"min_score": 90})], 1, "优", id="higher threshold last"
    ),
    pytest.param(
        [("优", {"min_score": 80}), ("良", {"min_score": 80, "top": 3})],
        1,
        "优",
        id="same, narrowed",
    ),
    pytest.param([("优", {}), ("良", {"min_score": 60})], 1, "优", id="a rule that always holds"),
    pytest.param(
        [("优", {"min_score": 90}), ("中", {"below_score": 60}), ("差", {"below_score": 50})],
        2,
        "中",
        id="below_score out of order",
    ),
    pytest.param(
        [
            ("优", {"min_score": 60, "below_score": 80}),
            ("良", {"min_score": 65, "below_score": 70}),
        ],
        1,
        "优",
        id="a range inside a range",
    ),
]


@pytest.mark.parametrize(("rules", "shadowed", "by"), SHADOWED)
def test_a_rule_an_earlier_score_rule_always_takes_first_is_refused(
    rules: list[tuple[str, dict[str, Any]]], shadowed: int, by: str
) -> None:
    doc = _graded(*({"grade": g, "when": w} for g, w in rules))
    with pytest.raises(SchemeError) as caught:
        Scheme.from_new_document(doc)
    found = dict(caught.value.problems)
    where = f"grading.rules.{shadowed}.when"
    assert where in found, caught.value.problems
    assert "never applies" in found[where] and by in found[where]
    # Registered before the check: read back from the log, it loads as it always did.
    assert Scheme.from_document(doc).scheme_id == "test-survey"


ORDERED = [
    pytest.param(
        [("优", {"min_score": 90}), ("良", {"min_score": 80}), ("中", {"min_score": 60})],
        "差",
        id="thresholds best first",
    ),
    pytest.param(
        [("优", {"min_score": 85, "top": 20}), ("良", {"min_score": 90})],
        "差",
        id="an earlier rule asking for more than a score",
    ),
    pytest.param(
        [("差", {"below_score": 50}), ("中", {"below_score": 60})],
        "优",  # the scores from 60 up take the better grade (test_scheme_score_ranges.py)
        id="below_score lowest first",
    ),
    pytest.param(
        [("良", {"min_score": 60, "below_score": 80}), ("优", {"min_score": 70})],
        "差",
        id="overlapping but wider",
    ),
]


@pytest.mark.parametrize(("rules", "otherwise"), ORDERED)
def test_rules_each_of_which_can_apply_are_accepted(
    rules: list[tuple[str, dict[str, Any]]], otherwise: str
) -> None:
    doc = _graded(*({"grade": g, "when": w} for g, w in rules), otherwise=otherwise)
    assert Scheme.from_new_document(doc).grading is not None


def test_the_shadowed_rule_never_gives_its_grade_so_the_refusal_is_right() -> None:
    """优 ≥ 80 then 良 ≥ 90: a unit of 3 满意 (100.00) meets both and gets 优; one of
    1 满意 + 1 基本满意 (90.00) gets 优 too; 良 goes to nobody, whatever the scores."""
    doc = _graded(
        {"grade": "优", "when": {"min_score": 80}}, {"grade": "良", "when": {"min_score": 90}}
    )
    inputs = two_units_rated({"满意": 3}, {"满意": 1, "基本满意": 1})
    results = by_id(compute_round(Scheme.from_document(doc), inputs))
    assert [(results[uid(n)]["score"], results[uid(n)]["grade"]) for n in (1, 2)] == [
        ("100.00", "优"),
        ("90.00", "优"),
    ]


UNREACHABLE = [
    pytest.param({"min_score": 850}, "grading.rules.0.when.min_score", "100", id="850 for 85.0"),
    pytest.param({"below_score": 0}, "grading.rules.0.when.below_score", "0", id="below floor"),
    pytest.param(
        {"min_score": 80, "below_score": 60},
        "grading.rules.0.when.below_score",
        "min_score",
        id="range upside down",
    ),
    pytest.param(
        {"component_min": {"q": "900"}},
        "grading.rules.0.when.component_min.q",
        "100",
        id="component above 100",
    ),
    pytest.param(
        {"component_min": {"q": 90}, "component_below": {"q": 80}},
        "grading.rules.0.when.component_below.q",
        "component_min",
        id="component range upside down",
    ),
    pytest.param(
        {"any_of": [{"min_score": 90}, {"min_score": 101}]},
        "grading.rules.0.when.any_of.1.min_score",
        "100",
        id="inside any_of",
    ),
]


@pytest.mark.parametrize(("when", "where", "named"), UNREACHABLE)
def test_a_threshold_no_score_can_meet_is_refused_naming_it(
    when: dict[str, Any], where: str, named: str
) -> None:
    """A slip such as `min_score: 850` for 85.0 left 优 to nobody, silently: a new document
    is refused naming the threshold and the bound it misses; one registered before the
    check still loads."""
    doc = _graded({"grade": "优", "when": when})
    with pytest.raises(SchemeError) as caught:
        Scheme.from_new_document(doc)
    found = dict(caught.value.problems)
    assert where in found, caught.value.problems
    assert found[where].startswith("永不成立")
    assert "(never holds" in found[where] and named in found[where]
    assert Scheme.from_document(doc).scheme_id == "test-survey"


def test_a_list_threshold_past_the_schemes_own_ceiling_is_refused() -> None:
    """The bound is the scheme's arithmetic: with the default ceiling (100) a list of 110
    and over is refused, naming the list's threshold. With a ceiling of 120 it is still
    refused, by the highest score the components allow (no value is above 100)."""
    doc = _graded({"grade": "优", "when": {"min_score": 90}})
    doc["lists"] = [{"code": "star", "name": "标兵", "when": {"min_score": 110}}]
    with pytest.raises(SchemeError) as caught:
        Scheme.from_new_document(doc)
    assert [f for f, _ in caught.value.problems] == ["lists.0.when.min_score"]
    doc["arithmetic"] = {"ceiling": 120}
    with pytest.raises(SchemeError) as caught:
        Scheme.from_new_document(doc)
    [(field, reason)] = caught.value.problems
    assert field == "lists.0.when.min_score" and "no unit can score above 100" in reason
    doc["lists"][0]["when"]["min_score"] = 100
    assert Scheme.from_new_document(doc).lists[0].code == "star"


def test_thresholds_on_the_bounds_themselves_are_accepted() -> None:
    """100 and over: a perfect score; below 100, at least 0: every score that is not."""
    doc = _graded(
        {"grade": "优", "when": {"min_score": 100}},
        {"grade": "良", "when": {"min_score": 0, "below_score": 100}},
        {"grade": "中", "when": {"component_min": {"q": 100}, "component_below": {"q": "0.01"}}},
    )
    with pytest.raises(SchemeError) as caught:
        Scheme.from_new_document(doc)
    # Only 中's upside-down component range; the bounds themselves are fine.
    assert [f for f, _ in caught.value.problems] == ["grading.rules.2.when.component_below.q"]
    doc["grading"]["rules"].pop()
    assert Scheme.from_new_document(doc).grading is not None
