"""QA: a scheme document with a shape error (a wrong type, a missing key) was answered with
the shape errors only, hiding the rule problems of the parts that did parse. Now every
section and every list item that has its shape is held to the rules too, beside the shape
errors — but a rule that judges a part by a whole section (an unknown component, the
weights' sum) is not guessed at when part of that section has no shape."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from services.scoring.engine.scheme import Scheme, SchemeError
from tests.scoring.engine.schemes import survey_only
from tests.scoring.engine.test_scheme_rules import QA_FINDINGS, Change

SHAPE_ERRORS: dict[str, Change] = {
    "a top-level value of the wrong type": lambda d: d.update(version="2", description=5),
    "an unknown top-level key": lambda d: d.update(weights="1"),
    "a list item without its keys": lambda d: d["lists"].append({"code": "nameless"}),
    "a component of the wrong type": lambda d: d["components"].append(
        {"code": "broken", "source": "hotline", "weight": "heavy"}
    ),
}


def _problems(doc: dict[str, Any], new: bool = True) -> list[tuple[str, str]]:
    with pytest.raises(SchemeError) as caught:
        if new:
            Scheme.from_new_document(doc)
        else:
            Scheme.from_document(doc)
    return list(caught.value.problems)


@pytest.mark.parametrize("shape", sorted(SHAPE_ERRORS))
@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [pytest.param(c, f, r, id=name) for name, c, f, r in QA_FINDINGS],
)
def test_a_rule_problem_is_reported_beside_a_shape_error(
    shape: str, change: Change, field: str, reason: str
) -> None:
    doc = survey_only()
    change(doc)
    SHAPE_ERRORS[shape](doc)
    found = _problems(doc)
    assert any(f == field and reason in r for f, r in found), found
    # The shape errors first, then the rules, each once.
    assert [f for f, _ in found].index(field) > 0 and len(found) == len(set(found))
    # Read back as a registered document, the rules added later are not held against it.
    assert all(f != field for f, _ in _problems(doc, new=False))


def test_every_problem_in_order_shape_first() -> None:
    doc = survey_only()
    doc["version"] = True
    doc["components"][0]["level_weights"]["非常满意"] = 100
    doc["arithmetic"] = {"floor": 100, "ceiling": 0}
    doc["grading"]["grades"] = ["好", "好", "差"]
    doc["lists"][0]["when"]["top"] = 0
    doc["lists"].append({"code": "late", "name": "迟到", "when": {"sub_unit": "no"}})
    assert [f for f, _ in _problems(doc)] == [
        "version",
        "lists.1.when.sub_unit",
        "components.0.level_weights.非常满意",
        "arithmetic.floor",
        "grading.grades.1",
        "lists.0.when.top",
    ]


def test_what_reads_an_unshaped_part_is_not_guessed() -> None:
    """With a component unread, its code may be the one `ranking.ties`, the sample, a
    condition or the votes name, and the weights' sum is unknown: none of that is said.
    What the parts that have their shape hold against each other still is."""
    doc = survey_only()
    doc["components"][0]["weight"] = "0.5"
    doc["components"].append(
        {
            "code": "hot",
            "source": "hotline",
            "name": "热线",
            "weight": "heavy",  # the shape error: this component is unread
            "per_appearance": 5,
            "formula": "每次5分",
        }
    )
    doc["components"].append(copy.deepcopy(doc["components"][0]) | {"code": "q2"})
    doc["components"][2]["level_weights"]["满意"] = 1000  # a parsed item's own rule
    doc["ranking"] = {"ties": ["hot"]}
    doc["statistics"] = {"sample_component": "hot"}
    doc["grading"]["rules"][0]["when"] = {"component_min": {"hot": 50}}
    doc["lists"][0]["when"] = {"votes": {"component": "hot", "levels": ["满意"]}, "top": 0}
    doc["lists"].append({"code": "top", "name": "重复", "when": {}})  # a code used twice
    found = _problems(doc)
    assert [f for f, _ in found] == [
        "components.1.weight",
        "components.2.level_weights.满意",
        "lists.1.code",
        "lists.0.when.top",
    ], found


@pytest.mark.parametrize(
    "doc",
    [
        survey_only(components="not a list"),
        survey_only(components=[]),
        survey_only(components=[1, None, "x"]),
        survey_only(lists={"0": {}}, grading=["好"]),
        {"scheme_id": "only-id"},
        {"scheme_id": "x", "components": [{"source": "survey"}], "lists": [[]]},
    ],
)
def test_a_document_with_nothing_to_check_says_its_shape_only(doc: dict[str, Any]) -> None:
    found = _problems(doc)
    assert found and all(reason for _, reason in found)
    assert not any("sum to" in reason for _, reason in found)
