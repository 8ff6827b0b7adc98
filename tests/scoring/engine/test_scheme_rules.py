"""The rules added to the scheme language after schemes were first registered (QA's findings):
a new document (registered, tried in what-if, shipped) must follow them, every problem is
named by its path, and a document registered before them still loads — read back from the
log, it gives the results it gave."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from services.scoring.engine.compute import compute_round
from services.scoring.engine.scheme import SCHEMES_DIR, Scheme, SchemeError, load_scheme
from services.scoring.engine.scheme.checks import NEW
from tests.scoring.engine.builders import round_inputs, tally, uid, unit, wave
from tests.scoring.engine.schemes import survey_only

Change = Callable[[dict[str, Any]], None]


def _survey(doc: dict[str, Any]) -> dict[str, Any]:
    component: dict[str, Any] = doc["components"][0]
    return component


def _hotline(doc: dict[str, Any], base: int, maximum: int) -> None:
    _survey(doc)["weight"] = "0.5"
    doc["components"].append(
        {
            "code": "hotline",
            "source": "hotline",
            "name": "政风行风热线上线",
            "weight": "0.5",
            "base": base,
            "per_appearance": 5,
            "maximum": maximum,
            "formula": "基础分加每次上线5分",
        }
    )


def _sub_units(doc: dict[str, Any], categories: list[str]) -> None:
    _survey(doc)["weight"] = "0.5"
    doc["components"].append(
        {
            "code": "windows",
            "source": "sub_units",
            "name": "基层站所和窗口单位",
            "weight": "0.5",
            "categories": categories,
            "formula": "所属窗口单位得分的平均",
        }
    )
    doc["sub_units"] = {"components": ["q"]}


def _votes(doc: dict[str, Any], levels: list[str]) -> None:
    doc["grading"]["rules"][0]["when"] = {
        "votes": {"component": "q", "levels": levels, "more_than": "0.5"}
    }


def _tally(doc: dict[str, Any], base: int) -> None:
    _survey(doc)["weight"] = "0.5"
    rule = {"source": "tasks", "name": "督办任务", "formula": "每项未完成扣2分"}
    doc["components"].append(
        {
            "code": "daily",
            "source": "tally",
            "name": "日常工作",
            "weight": "0.5",
            "base": base,
            "rules": [rule | {"code": "t"}, rule | {"code": "t"}],
            "formula": "100分起扣",
        }
    )


QA_FINDINGS: list[tuple[str, Change, str, str]] = [
    (
        "level_weights level not on the scale",
        lambda d: _survey(d)["level_weights"].update({"非常满意": 100}),
        "components.0.level_weights.非常满意",
        "not a level of scale four_level",
    ),
    (
        "level_weights above 100",
        lambda d: _survey(d)["level_weights"].update({"满意": 1000}),
        "components.0.level_weights.满意",
        "on 0–100",
    ),
    (
        "floor above ceiling",
        lambda d: d.update(arithmetic={"floor": 100, "ceiling": 0}),
        "arithmetic.floor",
        "below ceiling",
    ),
    (
        "a grade listed twice",
        lambda d: d["grading"].update(grades=["好", "良", "良", "中", "差"]),
        "grading.grades.2",
        "listed twice",
    ),
    (
        "votes on a level the scale does not have",
        lambda d: _votes(d, ["非常满意"]),
        "grading.rules.0.when.votes.levels.0",
        "not a level of q's scale",
    ),
    (
        "a hotline base above its maximum",
        lambda d: _hotline(d, base=90, maximum=10),
        "components.1.base",
        "above maximum",
    ),
    (
        "a hotline maximum above 100",
        lambda d: _hotline(d, base=60, maximum=120),
        "components.1.maximum",
        "at most 100",
    ),
    (
        "sub_units naming no category",
        lambda d: _sub_units(d, []),
        "components.1.categories",
        "names no category",
    ),
    ("top 0", lambda d: d["lists"][0]["when"].update(top=0), "lists.0.when.top", "at least 1"),
    (
        "bottom as an empty mapping",
        lambda d: d["lists"][0]["when"].update(bottom={}),
        "lists.0.when.bottom",
        "names no category",
    ),
    ("a tally base above 100", lambda d: _tally(d, base=150), "components.1.base", "at most 100"),
    (
        "a tally rule code twice",
        lambda d: _tally(d, base=100),
        "components.1.rules.1.code",
        "used twice",
    ),
    (
        "numeric_factor on a worded scale",
        lambda d: _survey(d).update(numeric_factor=10),
        "components.0.numeric_factor",
        "not numeric",
    ),
]


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [pytest.param(c, f, r, id=name) for name, c, f, r in QA_FINDINGS],
)
def test_a_new_document_follows_the_new_rules_and_an_old_one_still_loads(
    change: Change, field: str, reason: str
) -> None:
    doc = survey_only()
    change(doc)
    with pytest.raises(SchemeError) as caught:
        Scheme.from_new_document(doc)
    assert (field, caught.value.problems[0][1]) in caught.value.problems, caught.value.problems
    found = dict(caught.value.problems)
    assert field in found, caught.value.problems
    assert reason in found[field]
    # Registered before the rule: read back from the log, it loads as it always did.
    assert Scheme.from_document(doc).scheme_id == "test-survey"


def test_numbers_must_be_numbers() -> None:
    """`true` is not 1 and "2" is not 2: where the document holds a count or a flag, a value
    of another type is refused by name, in old documents and new (stored documents are the
    model's own dumps, which hold numbers)."""
    doc = survey_only()
    doc["version"] = True
    _survey(doc)["min_sample"] = True
    doc["lists"][0]["when"]["top"] = "1"
    doc["grading"]["rules"][0]["when"]["sub_unit"] = "no"
    with pytest.raises(SchemeError) as caught:
        Scheme.from_document(doc)
    fields = [field for field, _ in caught.value.problems]
    assert {
        "version",
        "components.0.min_sample",
        "lists.0.when.top",
        "grading.rules.0.when.sub_unit",
    } <= set(fields), caught.value.problems
    assert "version" in str(caught.value)
    doc["version"] = "2"
    with pytest.raises(SchemeError) as again:
        Scheme.from_document(doc)
    assert again.value.field == "version" and "integer" in again.value.reason


def test_every_problem_is_reported_not_only_the_first() -> None:
    doc = survey_only()
    _survey(doc)["level_weights"].update({"非常满意": 100, "满意": 1000})
    doc["arithmetic"] = {"floor": 100, "ceiling": 0}
    doc["grading"]["grades"] = ["好", "好", "差"]
    doc["lists"][0]["when"]["top"] = 0
    with pytest.raises(SchemeError) as caught:
        Scheme.from_new_document(doc)
    assert [field for field, _ in caught.value.problems] == [
        "components.0.level_weights.满意",
        "components.0.level_weights.非常满意",
        "arithmetic.floor",
        "grading.grades.1",
        "lists.0.when.top",
    ]
    shape = survey_only()
    shape.update(version=0, unknown=1)
    _survey(shape)["weight"] = "heavy"
    with pytest.raises(SchemeError) as wrong:
        Scheme.from_new_document(shape)
    assert {field for field, _ in wrong.value.problems} == {
        "version",
        "unknown",
        "components.0.weight",
    }


def test_a_bounded_value_stays_on_0_to_100() -> None:
    """What QA saw: 满意 worth 1000 points made a component value of 909.07. Read back (a
    document registered before the rule) it still computes as it did."""
    doc = survey_only(min_sample=0)
    _survey(doc)["level_weights"]["满意"] = 1000
    old = Scheme.from_document(doc)
    assert old.component("q").weights()["满意"] == 1000  # type: ignore[union-attr]
    with pytest.raises(SchemeError):
        Scheme.from_new_document(doc)


def test_the_shipped_schemes_and_the_test_schemes_follow_every_rule() -> None:
    """The shipped files are read under every rule (a release that broke one would not
    start); the test suites' scheme documents follow them too."""
    from tests.scoring.rounds.helpers import SCHEME

    for path in sorted(SCHEMES_DIR.glob("*.yaml")):
        shipped = load_scheme(path)
        assert Scheme.from_new_document(shipped.document()).scheme_hash == shipped.scheme_hash
    for doc in (survey_only(), SCHEME):
        Scheme.from_new_document(copy.deepcopy(doc))
    assert len(NEW) >= 8


def test_a_stored_document_reads_back_as_itself() -> None:
    """Every stored document is the model's dump: read back it is the same scheme, its
    counts numbers (so strict counts never refuse one)."""
    for path in sorted(SCHEMES_DIR.glob("*.yaml")):
        scheme = load_scheme(path)
        again = Scheme.from_document(scheme.document())
        assert again == scheme and again.scheme_hash == scheme.scheme_hash


def test_an_old_document_with_an_unknown_level_scores_as_it_did() -> None:
    """A level the scale does not have was never counted: read back, the same results."""
    doc = survey_only(min_sample=0)
    with_unknown = copy.deepcopy(doc)
    _survey(with_unknown)["level_weights"]["非常满意"] = 100
    inputs = _inputs()
    plain = compute_round(Scheme.from_document(doc), inputs)
    old = compute_round(Scheme.from_document(with_unknown), inputs)
    scores = [u["score"] for u in plain["units"]]
    assert scores == ["75.00", "80.00"] or sorted(scores) == ["75.00", "80.00"]
    assert [u["score"] for u in old["units"]] == scores


def _inputs() -> Any:
    units = [unit(1, "甲局", "政府部门"), unit(2, "乙局", "政府部门")]
    survey = wave(1, "satisfaction_survey", "four_level", [uid(1), uid(2)])
    tallies = {
        uid(1): tally("four_level", counts={"满意": 3, "不满意": 1}),
        uid(2): tally("four_level", counts={"基本满意": 2, "不了解": 1}),
    }
    return round_inputs(
        units, pattern="民主评议", categories=["政府部门"], waves=[(survey, tallies)]
    )
