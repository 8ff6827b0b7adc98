"""An answer that is not on the wave's scale is one mistake, answered alike wherever answers
are taken: another scale's answer (非常满意 on a four-level wave), an answer on no scale at
all (很好) and a value that is no text (a list) all read `scale`, at the answer's own field,
with a reason naming the wave's scale and its answers in Chinese. In a push's row and an
upload's cell that is a row problem; a correction or a public vote, one questionnaire, is
refused `422 invalid_questionnaire` with the same field, reason and `code_detail` (a vote's
reason with Chinese words for the voter before it), never pydantic's `validation_failed` for
some and the wave's refusal for the others."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import openpyxl
import pytest

from shared.tabular import XLSX
from tests.harness import ADMIN, Cluster
from tests.survey.helpers import World, created, open_wave, push, questionnaire
from tests.survey.module_world import cluster as cluster  # the fixture
from tests.survey.module_world import world as world  # the fixture

ENGLISH = "not an answer on the wave's scale (四级：满意/基本满意/不满意/不了解)"
WRONG = {"another_scale": "非常满意", "no_scale": "很好", "not_text": ["满意"]}
QUOTED = {"非常满意": "非常满意", "很好": "很好", str(["满意"]): '["满意"]'}
"""The value read, as the reason quotes it: a text as it is, anything else as its JSON."""


def four_level(wrong: Any) -> str:
    return f"不是本次评议量表上的答案：“{QUOTED[str(wrong)]}” ({ENGLISH})"


NAMES = ["舞阳县公安局", "舞阳县教育局", "舞阳县供电公司"]
Said = tuple[str, str, str]
"""(field within the questionnaire, reason, code) of the one problem found."""


@pytest.fixture(scope="module")
def wave_id(cluster: Cluster, world: World) -> str:
    """A four-level wave whose template rates one dimension (服务态度, `attitude`)."""
    template = {
        "jurisdiction_id": world.county_id,
        "name": "四级问卷",
        "scale": "four_level",
        "dimensions": [{"code": "attitude", "name": "服务态度"}],
    }
    response = cluster["survey"].post(
        "/templates", json=template, headers=world.county_office.headers
    )
    return str(open_wave(cluster, world, template_id=created(response)["template_id"])["wave_id"])


def _row_said(problem: dict[str, Any], prefix: str) -> Said:
    assert problem["field"].startswith(prefix), problem
    return problem["field"].removeprefix(prefix), problem["reason"], problem["code"]


def _one_row_problem(answered: Any, prefix: str) -> Said:
    assert answered.status_code == 200, answered.text
    (problem,) = answered.json()["problems"]
    return _row_said(problem, prefix)


def _refusal_said(refused: Any) -> Said:
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["error"] == "invalid_questionnaire"
    (detail,) = body["detail"]
    assert detail["code"] == "invalid_questionnaire"
    return detail["field"], detail["reason"], detail["context"]["code_detail"]


@pytest.mark.parametrize("kind", sorted(WRONG))
def test_a_push_says_it_at_the_answer(
    cluster: Cluster, world: World, wave_id: str, kind: str
) -> None:
    unit = world.unit_ids[0]
    wrong = WRONG[kind]
    rated = questionnaire(f"{kind}-R", world.unit_ids) | {"ratings": {unit: wrong}}
    compact = questionnaire(f"{kind}-C", []) | {"row": [wrong, "满意", None]}
    dimension = questionnaire(f"{kind}-D", [unit]) | {
        "dimension_ratings": {unit: {"attitude": wrong}}
    }
    answered = push(cluster, wave_id, [rated, compact, dimension], world.agency.headers)
    assert answered.status_code == 200, answered.text
    assert answered.json()["accepted"] == 0
    said = [
        _row_said(problem, f"questionnaires.{index}.")
        for index, problem in enumerate(answered.json()["problems"])
    ]
    assert said == [
        (f"ratings.{unit}", four_level(wrong), "scale"),
        (f"ratings.{unit}", four_level(wrong), "scale"),  # a compact row's answer is its unit's
        (f"dimension_ratings.{unit}.attitude", four_level(wrong), "scale"),
    ]
    # All or nothing: the same problems, refusing the push.
    refused = cluster["survey"].post(
        f"/waves/{wave_id}/questionnaires:batch",
        json={"questionnaires": [rated], "all_or_nothing": True},
        headers=world.agency.headers,
    )
    assert refused.status_code == 422, refused.text
    (problem,) = refused.json()["detail"]
    assert _row_said(problem, "questionnaires.0.") == said[0]


def _csv(rows: list[list[str]]) -> bytes:
    return ("\r\n".join(",".join(row) for row in rows) + "\r\n").encode("utf-8")


def _xlsx(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("form", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", ["another_scale", "no_scale"])
def test_an_upload_says_it_at_the_cell(
    cluster: Cluster, world: World, wave_id: str, kind: str, form: str
) -> None:
    header = ["问卷编号", "采集时间", "测评点", *NAMES, f"{NAMES[0]}|服务态度"]
    fixed, wrong = ["2026-05-12 10:30", "舞阳县政务服务中心"], str(WRONG[kind])
    rows = [
        header,
        [f"{kind}-U1", *fixed, wrong, "满意", "", ""],
        [f"{kind}-U2", *fixed, "满意", "", "", wrong],
    ]
    content, content_type = (_csv(rows), "text/csv") if form == "csv" else (_xlsx(rows), XLSX)
    answered = cluster["survey"].post(
        f"/waves/{wave_id}/questionnaires:upload",
        content=content,
        headers=world.agency.headers | {"Content-Type": content_type},
    )
    assert answered.status_code == 200, answered.text
    problems = answered.json()["problems"]
    unit = world.unit_ids[0]
    assert [_row_said(p, f"rows.{p['row']}.") for p in problems] == [
        (f"ratings.{unit}", four_level(wrong), "scale"),
        (f"dimension_ratings.{unit}.attitude", four_level(wrong), "scale"),
    ]
    assert [p["column"] for p in problems] == [NAMES[0], f"{NAMES[0]}|服务态度"]


@pytest.fixture(scope="module")
def recorded(cluster: Cluster, world: World, wave_id: str) -> str:
    """A questionnaire of the wave, to correct."""
    pushed = push(cluster, wave_id, [questionnaire("Q-1", world.unit_ids)], world.agency.headers)
    assert pushed.status_code == 200, pushed.text
    cluster.wait_caught_up("survey", "survey")
    listed = cluster["survey"].get(f"/waves/{wave_id}/questionnaires", headers=ADMIN).json()
    (mine,) = [q for q in listed if q["questionnaire_id"] == "Q-1"]
    return str(mine["response_id"])


@pytest.mark.parametrize("kind", sorted(WRONG))
def test_a_correction_says_it_as_a_push_does(
    cluster: Cluster, world: World, wave_id: str, recorded: str, kind: str
) -> None:
    path = f"/waves/{wave_id}/questionnaires/{recorded}/corrections"
    unit = world.unit_ids[0]
    overall = {"ratings": {unit: WRONG[kind]}, "reason": "按纸质问卷更正"}
    refused = cluster["survey"].post(path, json=overall, headers=world.agency.headers)
    assert _refusal_said(refused) == (f"ratings.{unit}", four_level(WRONG[kind]), "scale")
    dimension = {
        "ratings": {unit: "满意"},
        "dimension_ratings": {unit: {"attitude": WRONG[kind]}},
        "reason": "按纸质问卷更正",
    }
    refused = cluster["survey"].post(path, json=dimension, headers=world.agency.headers)
    assert _refusal_said(refused) == (
        f"dimension_ratings.{unit}.attitude",
        four_level(WRONG[kind]),
        "scale",
    )


@pytest.mark.parametrize("kind", sorted(WRONG))
def test_a_public_vote_says_it_as_a_push_does(cluster: Cluster, world: World, kind: str) -> None:
    now = datetime.now(UTC)
    public = open_wave(
        cluster,
        world,
        kind="online_public_voting",
        voter_check="none",  # unchecked voters: codes are tests/survey/test_voter_codes.py
        opens_at=(now - timedelta(hours=1)).isoformat(),
        closes_at=(now + timedelta(days=1)).isoformat(),
    )["wave_id"]
    unit = world.unit_ids[0]
    vote = {"voter": "13800138000", "ratings": {unit: WRONG[kind]}}
    refused = cluster["survey"].post(f"/public/waves/{public}/votes", json=vote)
    # The reason lists the answers: a voter, who has no key for GET /waves, needs no route.
    # A voter reads it Chinese first, the push's reason after (tests/survey/api/
    # test_public_refusals.py).
    assert _refusal_said(refused) == (
        f"ratings.{unit}",
        f"请从本次评议的选项中选择 ({ENGLISH})",
        "scale",
    )
