"""The rules between a scheme's parts (`engine/scheme/checks/`) say each problem Chinese
first, as every refusal does (`shared.reasons`), with the English they always said kept
after it in brackets: offices write schemes, and a reason in English alone was read by
none of them (QA). One document breaking many rules at once, every problem checked."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from services.scoring.engine.scheme import Scheme, SchemeError
from tests.scoring.engine.schemes import survey_only

CHINESE_FIRST = re.compile(r"^[\u4e00-\u9fff]|^\S+ [\u4e00-\u9fff]")
"""Chinese first: the first word (a code, a grade or a figure may lead) followed by
Chinese."""


def _broken() -> dict[str, Any]:
    doc = survey_only()
    component = doc["components"][0]
    component["weight"] = "0.5"  # the weights sum to 0.75
    component["level_weights"] = {"满意": "100", "不满意": "0", "非常满意": "100"}
    component["excluded"] = ["不了解", "满意"]  # weighted and excluded; 基本满意 missing
    component["satisfied"] = ["满意", "基本满意"]
    doc["components"].append(copy.deepcopy(component) | {"weight": "0.25"})  # q twice
    doc["grading"] = {
        "grades": ["好", "好", "差"],
        "rules": [
            {"grade": "好", "name": "至少80", "when": {"min_score": "80"}},
            {"grade": "优", "name": "至少90", "when": {"min_score": "90", "grades": ["好"]}},
        ],
        "otherwise": "中",
    }
    doc["arithmetic"] = {"floor": 100, "ceiling": 0}
    doc["ranking"] = {"ties": ["nope"]}
    doc["overrides"] = [
        {"code": "x", "name": "x", "when": "veto", "effect": "grade", "reason": "x"}
    ]
    doc["lists"] = [
        {
            "code": "top",
            "name": "第一名",
            "when": {
                "top": 0,
                "consecutive": 2,
                "component_min": {"nope": 50, "q": 120},
                "component_below": {"q": 0},
                "overrides": ["nope"],
                "previously_listed": ["nope"],
                "votes": {"component": "nope", "levels": ["满意"]},
            },
        }
    ]
    return doc


def test_every_rule_problem_reads_chinese_first_with_its_english_after() -> None:
    with pytest.raises(SchemeError) as refused:
        Scheme.from_new_document(_broken())
    problems = dict(refused.value.problems)
    # Enough of the rules to be sure the test reaches them (each named by its path).
    for where in (
        "components",
        "components.1.code",
        "components.0.excluded.1",
        "components.0.level_weights",
        "components.0.level_weights.非常满意",
        "grading.grades.1",
        "grading.rules.1.grade",
        "grading.rules.1.when",
        "grading.otherwise",
        "arithmetic.floor",
        "ranking.ties.0",
        "overrides.0.grade",
        "lists.0.when.top",
        "lists.0.when.consecutive",
        "lists.0.when.component_min.nope",
        "lists.0.when.component_min.q",
        "lists.0.when.component_below.q",
        "lists.0.when.overrides.0",
        "lists.0.when.previously_listed.0",
        "lists.0.when.votes.component",
    ):
        assert where in problems, (where, problems)
    english_only = {w: r for w, r in problems.items() if not CHINESE_FIRST.search(r)}
    assert english_only == {}
    # The English each always said, kept after the Chinese (substring checks still hold).
    assert "(the weights must sum to 1, they sum to 0.75)" in problems["components"]
    assert "(code q used twice)" in problems["components.1.code"]
    assert "(unknown component nope)" in problems["ranking.ties.0"]
    assert "(中 is not one of grading.grades)" in problems["grading.otherwise"]
