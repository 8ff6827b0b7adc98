"""What a new county office meets first, in its own words: a wave's kind and a
questionnaire's channel named in Chinese as an upload names them (the code stored and
shown), refusals that list each allowed value as `code（中文）`, a close without a body
told the field it lacks, a window's bounds written as an office writes them, and an answer
off the scale quoted back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.contracts.survey import CHANNEL_LABELS
from tests.harness import ADMIN, Cluster
from tests.survey.helpers import World, open_wave, push, questionnaire

CHANNELS_LISTED = (
    "survey_point（测评点）、paper（纸质问卷）、online（网上）、"
    "service_hall_device（服务大厅评价器）、phone（电话）"
)
KINDS_LISTED = (
    "opinion_solicitation（征求意见）、satisfaction_survey（问卷测评）、"
    "representative_evaluation（代表评议）、half_year_evaluation（半年集中评议）、"
    "online_public_voting（网上公开评议（大数据评议））、"
    "rectification_satisfaction（整改落实情况满意率测评）"
)
CHOICE_ENGLISH = "(should be one of these codes, or its Chinese name)"


def _detail(response: Any) -> list[tuple[str, str, str]]:
    assert response.status_code == 422, response.text
    return [(d["field"], d["reason"], d["code"]) for d in response.json()["detail"]]


def test_a_wave_takes_its_kind_and_channels_by_their_chinese_names(
    cluster: Cluster, world: World
) -> None:
    wave = open_wave(cluster, world, kind="问卷测评", channels=["网上", "纸质问卷", "phone"])
    assert wave["kind"] == "satisfaction_survey"
    assert wave["channels"] == ["online", "paper", "phone"]
    read = cluster["survey"].get(f"/waves/{wave['wave_id']}", headers=ADMIN).json()
    assert (read["kind"], read["channels"]) == ("satisfaction_survey", ["online", "paper", "phone"])


def test_a_wave_kind_or_channel_refused_lists_each_code_with_its_chinese_name(
    cluster: Cluster, world: World
) -> None:
    body = {
        "name": "2026年上半年民主评议问卷测评",
        "jurisdiction_id": world.county_id,
        "agency_id": world.agency.principal_id,
        "unit_ids": world.unit_ids,
        "kind": "问卷",
        "channels": ["微信"],
    }
    refused = cluster["survey"].post("/waves", json=body, headers=world.county_office.headers)
    assert _detail(refused) == [
        ("body.kind", f"须为以下之一: {KINDS_LISTED} {CHOICE_ENGLISH}", "literal_error"),
        ("body.channels.0", f"须为以下之一: {CHANNELS_LISTED} {CHOICE_ENGLISH}", "literal_error"),
    ]


@pytest.mark.parametrize("channel", ["网上", "online", " 网 上 ", "ＯＮＬＩＮＥ"])
def test_a_push_takes_a_channel_by_the_names_an_upload_takes(
    cluster: Cluster, world: World, channel: str
) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    row = questionnaire("C-1", world.unit_ids) | {"channel": channel}
    pushed = push(cluster, wave_id, [row], world.agency.headers)
    assert pushed.status_code == 200, pushed.text
    assert (pushed.json()["accepted"], pushed.json()["problems"]) == (1, [])
    cluster.wait_caught_up("survey", "survey")
    (stored,) = cluster["survey"].get(f"/waves/{wave_id}/questionnaires", headers=ADMIN).json()
    assert stored["channel"] == "online"  # the code is what is stored and published


def test_every_channel_label_an_upload_reads_a_push_reads(cluster: Cluster, world: World) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    rows = [
        questionnaire(f"L-{code.value}", world.unit_ids) | {"channel": label}
        for code, label in CHANNEL_LABELS.items()
    ]
    pushed = push(cluster, wave_id, rows, world.agency.headers)
    assert pushed.status_code == 200, pushed.text
    assert (pushed.json()["accepted"], pushed.json()["problems"]) == (len(rows), [])


def test_a_push_s_unknown_channel_lists_each_code_with_its_chinese_name(
    cluster: Cluster, world: World
) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    row = questionnaire("C-2", world.unit_ids) | {"channel": "微信"}
    pushed = push(cluster, wave_id, [row], world.agency.headers)
    assert pushed.status_code == 200, pushed.text
    assert pushed.json()["problems"] == [
        {
            "row": 0,
            "questionnaire_id": "C-2",
            "field": "questionnaires.0.channel",
            "reason": f"须为以下之一: {CHANNELS_LISTED} {CHOICE_ENGLISH}",
            "code": "literal_error",
        }
    ]


def test_the_openapi_schema_lists_the_codes_and_their_chinese_names(cluster: Cluster) -> None:
    schemas = cluster["survey"].get("/openapi.json").json()["components"]["schemas"]
    kind = schemas["WaveIn"]["properties"]["kind"]
    assert kind["enum"][:6] == [
        "opinion_solicitation",
        "satisfaction_survey",
        "representative_evaluation",
        "half_year_evaluation",
        "online_public_voting",
        "rectification_satisfaction",
    ]
    assert "问卷测评" in kind["enum"]
    channel = schemas["WaveIn"]["properties"]["channels"]["items"]
    assert channel["enum"] == [*(c.value for c in CHANNEL_LABELS), *CHANNEL_LABELS.values()]


def test_a_close_without_a_body_names_the_reason_it_lacks(cluster: Cluster, world: World) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    path = f"/waves/{wave_id}/close"
    headers = world.county_office.headers
    missing = [("body.reason", "必填 (Field required)", "missing")]
    assert _detail(cluster["survey"].post(path, headers=headers)) == missing
    assert _detail(cluster["survey"].post(path, json={}, headers=headers)) == missing
    closed = cluster["survey"].post(path, json={"reason": "问卷回收完毕"}, headers=headers)
    assert closed.status_code == 200, closed.text
    operation = (
        cluster["survey"].get("/openapi.json").json()["paths"]["/waves/{wave_id}/close"]["post"]
    )
    assert operation["requestBody"]["required"] is True


def test_the_window_s_bounds_read_as_an_office_writes_them(cluster: Cluster, world: World) -> None:
    wave_id = open_wave(
        cluster,
        world,
        opens_at="2024-12-31T16:00:00Z",  # 2025-01-01 00:00 in Beijing
        closes_at="2025-06-30T23:59:59.999999+08:00",  # a round's last day, to its end
    )["wave_id"]
    early = questionnaire("W-1", world.unit_ids) | {"collected_at": "2024-12-31T23:00:00+08:00"}
    late = questionnaire("W-2", world.unit_ids) | {"collected_at": "2025-07-01T08:00:00+08:00"}
    pushed = push(cluster, wave_id, [early, late], world.agency.headers)
    assert pushed.status_code == 200, pushed.text
    assert [(p["field"], p["reason"], p["code"]) for p in pushed.json()["problems"]] == [
        (
            "questionnaires.0.collected_at",
            "采集时间早于本次评议开始 2025-01-01 00:00:00（北京时间） "
            "(collected before the wave's window opens at 2025-01-01 00:00:00, Beijing time)",
            "outside_window",
        ),
        (
            "questionnaires.1.collected_at",
            "采集时间晚于本次评议结束 2025-06-30 23:59:59（北京时间） "
            "(collected after the wave's window closed at 2025-06-30 23:59:59, Beijing time)",
            "outside_window",
        ),
    ]


def test_an_answer_off_the_scale_is_quoted_clipped(cluster: Cluster, world: World) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    unit = world.unit_ids[0]
    long = "很" * 300
    rows = [
        questionnaire("S-1", world.unit_ids) | {"ratings": {unit: "很好"}},
        questionnaire("S-2", world.unit_ids) | {"ratings": {unit: long}},
        questionnaire("S-3", world.unit_ids) | {"ratings": {unit: 7}},
    ]
    pushed = push(cluster, wave_id, rows, world.agency.headers)
    assert pushed.status_code == 200, pushed.text
    english = "(not an answer on the wave's scale (四级：满意/基本满意/不满意/不了解))"
    clipped = "很" * 182 + "… (300 characters)"
    assert [p["reason"] for p in pushed.json()["problems"]] == [
        f"不是本次评议量表上的答案：“很好” {english}",
        f"不是本次评议量表上的答案：“{clipped}” {english}",
        f"不是本次评议量表上的答案：“7” {english}",
    ]


def test_a_voter_reads_the_scale_reason_whatever_the_answer_quoted(
    cluster: Cluster, world: World
) -> None:
    now = datetime.now(UTC)
    public = open_wave(
        cluster,
        world,
        kind="网上公开评议（大数据评议）",
        voter_check="none",
        opens_at=(now - timedelta(hours=1)).isoformat(),
        closes_at=(now + timedelta(days=1)).isoformat(),
    )["wave_id"]
    unit = world.unit_ids[0]
    # The answer quoted holds " (", which once began the English the voter's words keep.
    vote = {"voter": "13800138000", "ratings": {unit: "很 (好"}}
    refused = cluster["survey"].post(f"/public/waves/{public}/votes", json=vote)
    assert _detail(refused) == [
        (
            f"ratings.{unit}",
            "请从本次评议的选项中选择 "
            "(not an answer on the wave's scale (四级：满意/基本满意/不满意/不了解))",
            "invalid_questionnaire",
        )
    ]
