"""Every component value and score is out of 100 (QA): level weights on a 0–1 scale (the
retired 满意 1 / 基本满意 0.8 / 不满意 0) scored every unit at most 1.00 and graded it 差;
thresholds typed as shares (`min_score: 0.85`) gave the top grade to every unit; a
threshold above the highest score the components allow gave its grade to nobody. A new
document is refused naming the path, Chinese first; one registered before still loads and
scores as it did. Pydantic's reasons are Chinese first too, and `85。5` names its mark."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from services.scoring.engine.compute import compute_round
from services.scoring.engine.scheme import Scheme, SchemeError, builtin_schemes
from tests.scoring.engine.builders import by_id, round_inputs, tally, uid, unit, wave
from tests.scoring.engine.schemes import survey_only

RETIRED = {"满意": 1, "基本满意": "0.8", "不满意": 0}


def _graded(*rules: tuple[str, dict[str, Any]], lists: tuple[dict[str, Any], ...] = ()) -> Any:
    doc = survey_only(min_sample=0)
    doc["grading"] = {
        "grades": ["好", "中", "差"],
        "rules": [{"grade": g, "name": g, "when": when} for g, when in rules],
        "otherwise": "差",
    }
    doc["lists"] = list(lists)
    return doc


def _refused(doc: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(SchemeError) as refused:
        Scheme.from_new_document(doc)
    return dict(refused.value.problems)


def _is_chinese_first(reason: str) -> bool:
    return "\u4e00" <= reason[0] <= "\u9fff"


def test_level_weights_on_a_0_to_1_scale_are_refused_naming_the_path() -> None:
    doc = survey_only(min_sample=0)
    doc["components"][0]["level_weights"] = RETIRED
    found = _refused(doc)
    reason = found["components.0.level_weights"]
    assert _is_chinese_first(reason) and "points out of 100" in reason
    # The 90 to reach: no unit can score above 1, and that is said where the grade is.
    assert "never holds: no unit can score above 1" in found["grading.rules.0.when.min_score"]


def test_a_numeric_factor_on_a_0_to_1_scale_is_refused_at_the_factor() -> None:
    doc = survey_only(min_sample=0)
    component = doc["components"][0]
    component |= {"scale": "numeric_10", "numeric_factor": "0.1", "level_weights": {}}
    component |= {"excluded": [], "satisfied": ["9", "10"]}
    assert "points out of 100" in _refused(doc)["components.0.numeric_factor"]
    component["numeric_factor"] = "10"
    assert Scheme.from_new_document(doc).components[0].weights()["10"] == 100


def test_a_0_to_1_component_beside_others_is_still_refused_by_its_weights() -> None:
    """Weighted with a 0–100 component the score can reach 90, but the survey's part is
    still out of 1."""
    doc = survey_only(min_sample=0)
    doc["components"][0] |= {"level_weights": RETIRED, "weight": "0.5"}
    doc["components"].append(
        {
            "code": "tasks",
            "source": "tasks",
            "name": "督办任务",
            "weight": "0.5",
            "formula": "完成率",
        }
    )
    assert list(_refused(doc)) == ["components.0.level_weights"]


def test_a_threshold_above_the_highest_reachable_score_is_refused() -> None:
    doc = _graded(("好", {"min_score": 90}), ("中", {"min_score": 60}))
    doc["components"][0]["level_weights"] = {"满意": 80, "基本满意": 60, "不满意": 0}
    found = _refused(doc)
    assert list(found) == ["grading.rules.0.when.min_score"]
    assert found["grading.rules.0.when.min_score"].startswith("达不到: 本方案的得分至多为 80")
    # With a component that reaches 100 (a missing one shares its weight out), 90 is reachable.
    doc["components"][0]["weight"] = "0.5"
    doc["components"].append(
        {"code": "t", "source": "tasks", "name": "督办", "weight": "0.5", "formula": "完成率"}
    )
    assert Scheme.from_new_document(doc).grading is not None


@pytest.mark.parametrize(
    ("rules", "lists", "paths"),
    [
        pytest.param(
            [("好", {"min_score": "0.85"}), ("中", {"min_score": "0.6"})],
            (),
            ["grading.rules.0.when.min_score", "grading.rules.1.when.min_score"],
            id="grades",
        ),
        pytest.param(
            [("好", {"min_score": "0.85"}), ("中", {"below_score": "0.85", "min_score": 0})],
            ({"code": "x", "name": "通报", "when": {"any_of": [{"below_score": "0.6"}]}},),
            [
                "grading.rules.0.when.min_score",
                "grading.rules.1.when.below_score",
                "lists.0.when.any_of.0.below_score",
            ],
            id="below, lists and any_of",
        ),
    ],
)
def test_thresholds_on_a_0_to_1_scale_are_refused_naming_each(
    rules: list[tuple[str, dict[str, Any]]], lists: tuple[dict[str, Any], ...], paths: list[str]
) -> None:
    found = _refused(_graded(*rules, lists=lists))
    assert list(found) == paths
    for reason in found.values():
        assert _is_chinese_first(reason)
        assert "thresholds are points out of 100, e.g. 85 for 85%" in reason
    assert "请写成 85" in found["grading.rules.0.when.min_score"]


def test_a_threshold_below_1_beside_thresholds_in_points_is_kept() -> None:
    """Only a scheme whose every threshold is a share reads as shares typed for points."""
    doc = _graded(("好", {"min_score": 85}), ("中", {"min_score": "0.5"}))
    assert Scheme.from_new_document(doc).grading is not None


def test_a_scheme_registered_before_the_rules_still_loads_and_scores_as_it_did() -> None:
    doc = _graded(("好", {"min_score": "0.85"}), ("中", {"min_score": "0.6"}))
    doc["components"][0]["level_weights"] = RETIRED
    with pytest.raises(SchemeError):
        Scheme.from_new_document(copy.deepcopy(doc))
    stored = Scheme.from_document(doc)  # as replay and audit verify read the log
    w = wave(1, "satisfaction_survey", "four_level", [uid(1)])
    inputs = round_inputs(
        [unit(1, "甲", "甲类")],
        pattern="democratic_appraisal",
        categories=["甲类"],
        waves=[(w, {uid(1): tally("four_level", counts={"满意": 3})})],
    )
    result = by_id(compute_round(stored, inputs))[uid(1)]
    assert (result["score"], result["grade"]) == ("1.00", "好")


def test_every_shipped_scheme_passes_the_new_rules() -> None:
    for key, shipped in builtin_schemes().items():
        again = Scheme.from_new_document(shipped.document())
        assert again.scheme_hash == shipped.scheme_hash, key


@pytest.mark.parametrize("mark", ["。", "，", "．"])
def test_a_decimal_with_a_full_width_point_is_named_chinese_first(mark: str) -> None:
    doc = survey_only(min_sample=0)
    doc["grading"]["rules"][0]["when"]["min_score"] = f"85{mark}5"
    reason = _refused(doc)["grading.rules.0.when.min_score"]
    assert reason.startswith("须为数字 (Input should be a valid decimal)")
    assert f"「{mark}」是全角标点" in reason and "85.5" in reason


def test_pydantic_reasons_are_chinese_first() -> None:
    doc = survey_only(min_sample=0)
    del doc["title"]
    doc["components"][0]["weight"] = "一"
    found = _refused(doc)
    assert found["title"] == "必填 (Field required)"
    assert found["components.0.weight"] == "须为数字 (Input should be a valid decimal)"
    assert Decimal(str(survey_only()["components"][0]["weight"])) == 1
