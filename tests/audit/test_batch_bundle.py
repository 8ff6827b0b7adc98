"""`pingyi audit verify` on a survey log whose pushes are `survey.batch.recorded` parts (v1,
one object per questionnaire, or v2, in columns): an untouched bundle is identical, and one
answer changed inside a part is named by its questionnaire, at its part's position, as it
would be in a log of single recordings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pingyi.audit_bundle import read_bundle, write_bundle
from pingyi.audit_search import pieces, without
from pingyi.audit_verify import engine, verify_bundle
from services.scoring.engine import score_round
from shared.contracts import IntegrationMessage
from shared.contracts.survey import Flag
from shared.contracts.survey_batch import (
    BatchQuestionnaire,
    BatchRecorded,
    BatchRecordedV1,
    row_chars,
)
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
SCHEME = survey_only(min_sample=1)
FLAGGED = (3, 10)
"""Questionnaires recorded with flags (their extras name them by index in a v2 part)."""
VERSIONS = pytest.mark.parametrize("version", [1, 2])


def _part(first: int, end: int, part: int, parts: int, version: int) -> BatchRecorded:
    make = BatchRecorded.of_questionnaires if version == 2 else BatchRecordedV1
    return make(
        wave_id=uid(WAVE),
        batch_id=uid("b1"),
        agency_id=uid("agency"),
        part=part,
        parts=parts,
        questionnaires=tuple(
            BatchQuestionnaire(
                response_id=uid(f"q{i}"),
                questionnaire_id=f"Q-{i:04d}",
                survey_point=None,
                collected_at=IN_WINDOW,
                row=("满意", "不满意" if i % 7 == 0 else "满意", "基本满意"),
                flags=(Flag(code="burst", detail="集中提交"),) if i in FLAGGED else (),
            )
            for i in range(first, end)
        ),
    )


def _log(version: int) -> list[IntegrationMessage]:
    registry, survey = Feed("registry"), Feed("survey")
    build_registry(registry)
    survey(wave(WAVE, UNITS, groups=(), points=()))
    survey(_part(0, 30, 1, 2, version))
    survey(_part(30, 50, 2, 2, version))
    survey(closed(WAVE))
    return registry.messages + survey.messages


def _forged(messages: list[IntegrationMessage], questionnaire_id: str) -> int:
    """The questionnaire's answer about the second unit becomes 基本满意, which nobody else
    gave it (so that it alone explains the difference); its part's position."""
    for message in messages:
        payload = message.payload
        for q in payload.get("questionnaires") or []:
            if q["questionnaire_id"] == questionnaire_id:
                q["row"][1] = "基本满意"
                return message.position
        ids = payload.get("questionnaire_ids") or []
        if questionnaire_id in ids:
            j, rows = ids.index(questionnaire_id), payload["rows"]
            char = row_chars(payload["levels"])["基本满意"]
            rows[j] = rows[j][:1] + char + rows[j][2:]
            return message.position
    raise AssertionError(f"no {questionnaire_id}")


def _bundle(path: Path, messages: list[IntegrationMessage], results: dict[str, Any]) -> Path:
    by_origin: dict[str, list[bytes]] = {}
    for message in messages:
        by_origin.setdefault(message.origin, []).append(message.encode())
    read_to = {m.origin: m.position for m in messages}  # each origin's last
    about = {"campaign_id": str(CAMPAIGN), "round": ROUND, "read_to": read_to}
    write_bundle(path, scheme=SCHEME, messages=by_origin, results=results, about=about)
    return path


def _results(messages: list[IntegrationMessage]) -> dict[str, Any]:
    return score_round(SCHEME, messages, campaign_id=str(CAMPAIGN), round=ROUND)


@VERSIONS
def test_a_log_of_parts_verifies_identically(tmp_path: Path, version: int) -> None:
    messages = _log(version)
    bundle = read_bundle(_bundle(tmp_path / "b.zip", messages, _results(messages)))
    assert verify_bundle(bundle, engine()).identical


@VERSIONS
def test_an_answer_changed_inside_a_part_is_named_by_its_questionnaire(
    tmp_path: Path, version: int
) -> None:
    messages = _log(version)
    honest = _results(messages)
    forged = [m.model_copy(deep=True) for m in messages]
    position = _forged(forged, "Q-0034")
    verdict = verify_bundle(read_bundle(_bundle(tmp_path / "f.zip", forged, honest)), engine())
    assert not verdict.identical
    [unit] = verdict.units
    assert unit.unit_id == sid("市供电公司")
    [component] = unit.components
    assert [m.label() for m in component.messages] == [
        f"survey 位置 {position} survey.batch.recorded questionnaire_id=Q-0034 "
        f"(survey position {position} survey.batch.recorded questionnaire_id=Q-0034)"
    ]


@VERSIONS
def test_a_part_less_some_questionnaires_keeps_its_place_and_the_others(version: int) -> None:
    messages = _log(version)
    found = pieces(messages)
    parts = [i for i, m in enumerate(messages) if m.event_type == "survey.batch.recorded"]
    assert len(found) == len(messages) - len(parts) + 50
    first = parts[0]
    shorter = list(without(messages, {(first, 0), (first, 5)}))[first]
    assert shorter.position == messages[first].position
    payload = dict(shorter.payload)
    if version == 1:
        payload = BatchRecorded.upcast_from_previous(payload)
    part = BatchRecorded.model_validate(payload)
    ids = [r.questionnaire_id for r in part.responses()]
    assert len(ids) == 28 and "Q-0000" not in ids and "Q-0005" not in ids and "Q-0001" in ids
    assert [r.questionnaire_id for r in part.responses() if r.flags] == ["Q-0003", "Q-0010"]
    assert len(list(without(messages, {(first, None)}))) == len(messages) - 1
    every = {(first, j) for j in range(30)}
    assert len(list(without(messages, every))) == len(messages) - 1


@pytest.mark.parametrize("budget", [6, 60])
def test_a_search_cut_short_by_its_budget_says_what_it_found_and_where_the_rest_lies(
    tmp_path: Path, budget: int
) -> None:
    """A difference the survey contract does not narrow (a questionnaire gone from its part:
    no message gives the answer the results counted) is bisected over every candidate, and
    at demo scale that outruns the budget: the auditor is told what the counts say, what
    was found so far and which positions remain, never nothing."""
    messages = _log(2)
    honest = _results(messages)
    part = next(i for i, m in enumerate(messages) if m.event_type == "survey.batch.recorded")
    forged = list(without([m.model_copy(deep=True) for m in messages], {(part, 20)}))
    bundle = read_bundle(_bundle(tmp_path / "f.zip", forged, honest))
    units = verify_bundle(bundle, engine(), budget=budget).units
    [unit] = [u for u in units if u.unit_id == sid("市供电公司")]
    [component] = unit.components
    assert component.messages == []
    said = component.searched
    assert said.startswith(
        "审计包的结果为该单位计入的回答多于其消息所给 (1 × 满意): 可能有问卷被删除, "
        "或其回答被去掉 (the bundle's results count more answers for this unit than its "
        "messages give (1 × 满意): a questionnaire may have been removed, or its answer "
        f"taken out); 查找在 {budget} 次重算的预算处停止; "
    ), said
    assert f" (search stopped at its budget of {budget} recomputations; " in said, said
    assert re.search(r"; 尚未查找: .*survey 位置 \d+–\d+ 中的 \d+ 个候选 \(", said), said
    assert re.search(
        r"; not yet searched: \d+ candidates in .*survey positions \d+–\d+\)$", said
    ), said
    if budget == 60:  # far enough to have found some, named by their questionnaires
        assert re.search(r"; 找到 \d+ 条影响它的消息 \(前 10 条: registry 位置 ", said), said
        assert re.search(r"; \d+ messages found that touch it \(first 10: registry position ", said)
        assert "survey.batch.recorded questionnaire_id=Q-0000" in said, said
