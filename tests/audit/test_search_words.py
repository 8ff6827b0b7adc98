"""How `pingyi audit verify` words what its search found: each message named, each set of
questionnaires and each search that found no single message, Chinese first and the English
after it whole (a script that matched the English still finds it)."""

from __future__ import annotations

from pathlib import Path

from pingyi.audit_bundle import read_bundle
from pingyi.audit_narrow import MessageRef, Suspects
from pingyi.audit_search import without
from pingyi.audit_verify import engine, verify_bundle
from tests.audit.test_batch_bundle import _bundle, _log, _results

A = MessageRef("survey", 4, "survey.batch.recorded", "questionnaire_id=Q-0001")
B = MessageRef("survey", 6, "survey.batch.recorded", "questionnaire_id=Q-0002")


def test_a_message_is_named_chinese_first_with_its_english_whole() -> None:
    assert A.label() == (
        "survey 位置 4 survey.batch.recorded questionnaire_id=Q-0001 "
        "(survey position 4 survey.batch.recorded questionnaire_id=Q-0001)"
    )


def test_a_questionnaire_only_closer_and_once_absent_is_said_chinese_first() -> None:
    said = Suspects([A], "基本满意", (), exact=False, untried=3).said()
    assert said == (
        "它给该单位的回答是 基本满意; 审计包的结果表明它原本不存在 "
        "(照此更改, 该指标重算后更接近审计包的 (但不完全相同)); "
        "另有 3 份给出该回答的问卷未试 (预算已用尽) "
        "(it gives this unit 基本满意; the bundle's results imply it was not there at all "
        "(so changed, the component is recomputed closer to the bundle's (not exactly)); "
        "3 more giving it not tried (the budget ran out))"
    )


def test_a_set_of_questionnaires_names_its_first_in_each_language() -> None:
    said = Suspects([A, B], "基本满意", ("满意", "不满意"), exact=True, untried=0).said(shown=1)
    assert said == (
        "2 份问卷同样与之相符, 无一更甚: 每份给该单位的回答都是 基本满意, "
        "审计包的结果表明其中一份原为 满意 或 不满意 (照此更改, 该指标重算后与审计包的完全相同); "
        "前 1 份: survey 位置 4 survey.batch.recorded questionnaire_id=Q-0001 "
        "(2 questionnaires are equally consistent with it, none more than another: each gives "
        "this unit 基本满意, and the bundle's results imply one of them was 满意 or 不满意 "
        "(so changed, the component is recomputed exactly as the bundle's); "
        "first 1: survey position 4 survey.batch.recorded questionnaire_id=Q-0001)"
    )


def test_a_search_that_finds_no_single_message_lists_those_that_touch_it(tmp_path: Path) -> None:
    """A questionnaire gone from its part, and a budget to spare: the bisection finishes,
    no message alone explains the missing answer, and the first ten that touch the
    component are named in each language."""
    messages = _log(2)
    honest = _results(messages)
    part = next(i for i, m in enumerate(messages) if m.event_type == "survey.batch.recorded")
    forged = list(without([m.model_copy(deep=True) for m in messages], {(part, 20)}))
    bundle = read_bundle(_bundle(tmp_path / "f.zip", forged, honest))
    [unit, *_] = verify_bundle(bundle, engine()).units
    [component] = unit.components
    said = component.searched
    chinese, english = said.split(" (no single message explains it; ", 1)
    assert "; 没有哪一条消息能单独解释它; 50 条消息影响它: registry 位置 22 " in chinese, said
    assert chinese.count(" 位置 ") == 10 and " position " not in chinese, said
    assert english.startswith("50 messages touch it: registry position 22 "), said
    assert english.count(" position ") == 10 and english.endswith(")"), said
