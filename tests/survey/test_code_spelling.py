"""A survey point or respondent group code written with what an input method adds —
full-width ＷＹ－０１, ｕｓｅｒ, a space around — is the wave's code it reads as in NFKC, on a
push and an upload, and is stored as the wave's code: a re-push of it is a duplicate and its
counts land on the wave's point and group. A code that reads as none of the wave's is
refused as ever, the reason naming the wave's codes (memory mode, registry and survey
running; the campaign world of `test_campaign_api`)."""

from __future__ import annotations

from typing import Any

from tests.harness import Cluster
from tests.survey.helpers import World
from tests.survey.test_campaign_api import _push, _q, _wave, world

__all__ = ["world"]  # the campaign world, a fixture used by name (the cluster: conftest.py)

NAMES = ["舞阳县公安局", "舞阳县教育局", "舞阳县供电公司"]


def _listed(cluster: Cluster, world: World, wave_id: str) -> dict[str, dict[str, Any]]:
    cluster.wait_caught_up("survey", "survey")
    listed = (
        cluster["survey"]
        .get(f"/waves/{wave_id}/questionnaires", headers=world.agency.headers)
        .json()
    )
    return {q["questionnaire_id"]: q for q in listed}


def _progress(cluster: Cluster, world: World, wave_id: str) -> dict[str, Any]:
    cluster.wait_caught_up("survey", "survey")
    answer = cluster["survey"].get(f"/waves/{wave_id}/progress", headers=world.agency.headers)
    assert answer.status_code == 200, answer.text
    progress: dict[str, Any] = answer.json()
    return progress


def test_a_push_takes_a_code_as_the_wave_writes_it(cluster: Cluster, world: World) -> None:
    wave_id = _wave(cluster, world)["wave_id"]
    spelt = [
        _q(world, "F-1", 1, survey_point="ＷＹ－０１", group="ｕｓｅｒ"),
        _q(world, "F-2", 2, "基本满意", survey_point=" WY-01\u3000", group="supervisor "),
    ]
    answered = _push(cluster, world, wave_id, spelt)
    assert answered.status_code == 200, answered.text
    assert (answered.json()["accepted"], answered.json()["problems"]) == (2, [])
    listed = _listed(cluster, world, wave_id)
    assert [(q["survey_point"], q["group"]) for q in listed.values()] == [
        ("WY-01", "user"),
        ("WY-01", "supervisor"),
    ]
    progress = _progress(cluster, world, wave_id)
    assert progress["by_point"]["WY-01"]["collected"] == 2
    assert progress["by_group"]["user"]["collected"] == 1
    assert progress["by_group"]["supervisor"]["collected"] == 1
    # The same questionnaires, with the wave's codes or spelt as before: recorded already.
    for again in ([_q(world, "F-1", 1)], spelt[1:]):
        repeated = _push(cluster, world, wave_id, again)
        assert repeated.status_code == 200, repeated.text
        assert (repeated.json()["accepted"], repeated.json()["duplicates"]) == (0, 1)


def test_a_code_that_reads_as_none_of_the_wave_s_is_refused(cluster: Cluster, world: World) -> None:
    wave_id = _wave(cluster, world)["wave_id"]
    rows = [
        _q(world, "N-1", 1, survey_point="ＷＹ－１"),
        _q(world, "N-2", 2, group="ｕｓｅｒｓ"),
    ]
    answered = _push(cluster, world, wave_id, rows)
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert body["accepted"] == 0
    problems = {p["field"]: p for p in body["problems"]}
    assert set(problems) == {"questionnaires.0.survey_point", "questionnaires.1.group"}
    point = problems["questionnaires.0.survey_point"]
    assert (point["code"], point["reason"]) == (
        "unknown_point",
        "不是本次评议的测评点 (not one of the wave's survey points: WY-01（舞阳县政务服务中心）)",
    )
    assert problems["questionnaires.1.group"]["reason"].endswith(
        ": user（服务对象）、supervisor（监督员）、public（群众）)"
    )


def test_an_upload_takes_a_code_as_the_wave_writes_it(cluster: Cluster, world: World) -> None:
    wave_id = _wave(cluster, world)["wave_id"]
    lines = [
        ",".join(["问卷编号", "采集时间", "测评点", "渠道", "群体", *NAMES]),
        ",".join(
            ["U-1", "2026-03-05 10:00", "ＷＹ－０１", "测评点", "ｐｕｂｌｉｃ", "满意", "", ""]
        ),
        ",".join(["U-2", "2026-03-05 10:01", "WY-02", "测评点", "user", "满意", "", ""]),
    ]
    uploaded = cluster["survey"].post(
        f"/waves/{wave_id}/questionnaires:upload?filename=问卷.csv",
        content=("\n".join(lines) + "\n").encode("utf-8"),
        headers=world.agency.headers | {"Content-Type": "text/csv"},
    )
    assert uploaded.status_code == 200, uploaded.text
    body = uploaded.json()
    assert body["accepted"] == 1
    assert [(p["row"], p["field"], p["code"]) for p in body["problems"]] == [
        (3, "rows.3.survey_point", "unknown_point")
    ]
    listed = _listed(cluster, world, wave_id)
    assert (listed["U-1"]["survey_point"], listed["U-1"]["group"]) == ("WY-01", "public")
    assert _progress(cluster, world, wave_id)["by_point"]["WY-01"]["collected"] == 1
