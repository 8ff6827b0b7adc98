"""`pingyi audit verify` at demo scale: 600 questionnaires in four `survey.batch.recorded`
parts, every one answering the unit whose component differs — more than the 400
recomputations the search may spend bisecting them. What the contract says narrows it: the
questionnaires that gave the unit the level the recomputation gained, tried once per class of
alike questionnaires by changing the answer to the level it lost. The forged questionnaire is
named when it alone is consistent; when others gave the unit the same answer and are alike in
all the round reads, the report names the set, the answer and what the results imply."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from pingyi.audit_bundle import read_bundle, write_bundle
from pingyi.audit_search import pieces, without
from pingyi.audit_verify import BUDGET, Verdict, engine, verify_bundle
from services.scoring.engine import score_round
from shared.contracts import IntegrationMessage
from shared.contracts.survey import RespondentGroup
from shared.contracts.survey_batch import BatchQuestionnaire, BatchRecorded, BatchRecordedV1
from tests.audit.stores import set_in_part
from tests.scoring.engine.schemes import survey_only
from tests.scoring.engine.test_fold_builders import (
    CAMPAIGN,
    IN_WINDOW,
    ROUND,
    Feed,
    closed,
    sid,
    uid,
    wave,
)
from tests.scoring.engine.test_fold_world import build_registry

WAVE = "测评"
UNITS = ["市公安局", "市供电公司", "市住建局"]
UNIT = 1
"""The unit whose answers are forged: 市供电公司, the wave's second."""
COUNT, PART = 600, 150
GROUPS = ("企业", "群众")
VERSIONS = pytest.mark.parametrize("version", [1, 2])


def _answer(i: int, some_fair: bool) -> str:
    """What questionnaire i gives 市供电公司: 满意 mostly, 不满意 every 7th and, with
    `some_fair`, 基本满意 every 10th of group 群众 (the odd-numbered ones)."""
    if some_fair and i % 10 == 9:
        return "基本满意"
    return "不满意" if i % 7 == 0 else "满意"


def _log(version: int, some_fair: bool, weighted: bool = False) -> list[IntegrationMessage]:
    registry, survey = Feed("registry"), Feed("survey")
    build_registry(registry)
    # Half the questionnaires each, against targets of 30% and 70%: weighted apart.
    groups = tuple(
        RespondentGroup(code=g, name=g, target_percent=t)
        for g, t in zip(GROUPS, (30, 70), strict=True)
    )
    survey(wave(WAVE, UNITS, groups=groups if weighted else (), points=()))
    make = BatchRecorded.of_questionnaires if version == 2 else BatchRecordedV1
    for part, first in enumerate(range(0, COUNT, PART), start=1):
        questionnaires = tuple(
            BatchQuestionnaire(
                response_id=uid(f"q{i}"),
                questionnaire_id=f"Q-{i:04d}",
                survey_point=None,
                collected_at=IN_WINDOW,
                row=("满意", _answer(i, some_fair), "基本满意"),
                group=GROUPS[i % 2],
            )
            for i in range(first, first + PART)
        )
        survey(
            make(
                wave_id=uid(WAVE),
                batch_id=uid("b1"),
                agency_id=uid("agency"),
                part=part,
                parts=COUNT // PART,
                questionnaires=questionnaires,
            )
        )
    survey(closed(WAVE))
    return registry.messages + survey.messages


def _scheme(weighted: bool = False) -> dict[str, Any]:
    scheme = survey_only(min_sample=1)
    if weighted:
        scheme["components"][0]["weighting"] = "by_group"
    return scheme


def _forged(messages: list[IntegrationMessage], questionnaire_id: str, answer: str) -> int:
    """The bundle's copy with that questionnaire's answer about the unit changed; the
    position of its part."""
    for message in messages:
        if message.event_type == "survey.batch.recorded" and set_in_part(
            message.payload, questionnaire_id, UNIT, answer
        ):
            return message.position
    raise AssertionError(f"no {questionnaire_id}")


def _verdict(
    tmp_path: Path,
    honest: list[IntegrationMessage],
    forged: list[IntegrationMessage],
    scheme: dict[str, Any],
    budget: int = BUDGET,
) -> Verdict:
    results = score_round(scheme, honest, campaign_id=str(CAMPAIGN), round=ROUND)
    by_origin: dict[str, list[bytes]] = {}
    for message in forged:
        by_origin.setdefault(message.origin, []).append(message.encode())
    about = {
        "campaign_id": str(CAMPAIGN),
        "round": ROUND,
        "read_to": {m.origin: m.position for m in forged},
    }
    path = tmp_path / "bundle.zip"
    write_bundle(path, scheme=scheme, messages=by_origin, results=results, about=about)
    return verify_bundle(read_bundle(path), engine(), budget)


def _component(verdict: Verdict) -> Any:
    """The difference in 市供电公司's component (the only unit that differs, unless a whole
    questionnaire went)."""
    assert not verdict.identical
    [unit] = [u for u in verdict.units if u.unit_id == sid("市供电公司")]
    [component] = unit.components
    return component


@VERSIONS
def test_the_one_questionnaire_consistent_with_the_difference_is_named(
    tmp_path: Path, version: int
) -> None:
    """Q-0321 said 满意; the bundle says 基本满意, which no other questionnaire gave the
    unit. Bisecting 600 touching questionnaires would outrun the budget."""
    honest = _log(version, some_fair=False)
    assert len(pieces(honest)) > BUDGET
    forged = copy.deepcopy(honest)
    position = _forged(forged, "Q-0321", "基本满意")
    component = _component(_verdict(tmp_path, honest, forged, _scheme()))
    named = "survey.batch.recorded questionnaire_id=Q-0321"
    label = f"survey 位置 {position} {named} (survey position {position} {named})"
    assert [m.label() for m in component.messages] == [label]
    assert component.searched == ""
    said = component.suspects.said()
    assert said == (
        "它给该单位的回答是 基本满意; 审计包的结果表明它原为 满意 "
        "(照此更改, 该指标重算后与审计包的完全相同) "
        "(it gives this unit 基本满意; the bundle's results imply it was 满意 "
        "(so changed, the component is recomputed exactly as the bundle's))"
    ), said


@VERSIONS
def test_questionnaires_alike_with_the_same_answer_are_named_as_a_set(
    tmp_path: Path, version: int
) -> None:
    """Q-0324 said 满意; the bundle says 基本满意, as 60 other questionnaires of its kind
    did: any one of the 61 changed back reproduces the results, and the report says so."""
    honest = _log(version, some_fair=True)
    forged = copy.deepcopy(honest)
    _forged(forged, "Q-0324", "基本满意")
    verdict = _verdict(tmp_path, honest, forged, _scheme())
    component = _component(verdict)
    assert component.messages == []  # none is claimed
    suspects = component.suspects
    fair = sorted({f"Q-{i:04d}" for i in range(COUNT) if i % 10 == 9} | {"Q-0324"})
    assert [ref.subject for ref in suspects.refs] == [f"questionnaire_id={q}" for q in fair]
    assert (suspects.answer, suspects.implied, suspects.exact) == ("基本满意", ("满意",), True)
    said = suspects.said()
    assert said.startswith(
        "61 份问卷同样与之相符, 无一更甚: 每份给该单位的回答都是 基本满意, "
        "审计包的结果表明其中一份原为 满意 (照此更改, 该指标重算后与审计包的完全相同); "
        "前 5 份: survey 位置 "
    ), said
    assert (
        " (61 questionnaires are equally consistent with it, none more than another: each gives "
        "this unit 基本满意, and the bundle's results imply one of them was 满意 (so changed, "
        "the component is recomputed exactly as the bundle's); first 5: survey position "
    ) in said
    assert said.count("questionnaire_id=Q-0009; ") == 2, said
    assert f"    问卷 questionnaires: {said}" in verdict.lines()


def test_what_the_round_reads_besides_the_answer_tells_alike_answers_apart(
    tmp_path: Path,
) -> None:
    """Post-stratified by respondent group (weighted apart): Q-0324 (企业) is the only 企业
    questionnaire giving 基本满意, the other 60 are 群众, so only it, changed back,
    reproduces the results."""
    honest = _log(2, some_fair=True, weighted=True)
    forged = copy.deepcopy(honest)
    position = _forged(forged, "Q-0324", "基本满意")
    component = _component(_verdict(tmp_path, honest, forged, _scheme(weighted=True)))
    named = "survey.batch.recorded questionnaire_id=Q-0324"
    label = f"survey 位置 {position} {named} (survey position {position} {named})"
    assert [m.label() for m in component.messages] == [label]
    assert component.suspects.exact


def test_a_removed_questionnaire_is_said_and_the_search_goes_on_by_bisection(
    tmp_path: Path,
) -> None:
    """No message of the bundle gives the answer the results counted: the counts say what
    is missing, and the bisection reports how far its budget took it."""
    honest = _log(2, some_fair=False)
    part = next(i for i, m in enumerate(honest) if m.event_type == "survey.batch.recorded")
    forged = list(without(copy.deepcopy(honest), {(part, 5)}))  # Q-0005 gave 满意
    component = _component(_verdict(tmp_path, honest, forged, _scheme(), budget=40))
    assert component.messages == [] and component.suspects is None
    assert component.searched.startswith(
        "审计包的结果为该单位计入的回答多于其消息所给 (1 × 满意): 可能有问卷被删除, "
        "或其回答被去掉 (the bundle's results count more answers for this unit than its "
        "messages give (1 × 满意): a questionnaire may have been removed, or its answer "
        "taken out); 查找在 40 次重算的预算处停止; "
    ), component.searched
    assert "(search stopped at its budget of 40 recomputations; " in component.searched
