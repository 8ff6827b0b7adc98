"""Every refusal a voter can meet on the public routes reads Chinese first, English after
(services/survey/application/voting.py): the voter is the public, on a phone, and was
answered in English alone ("voting on this wave is closed", "no such wave", "unit is not
evaluated in this wave"…). Field and code are as before: a client still reads them by
rule."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.harness import Cluster
from tests.survey.helpers import World, open_wave
from tests.survey.test_voters import with_check

NOW = datetime.now(UTC)
DAY = timedelta(days=1)
CHINESE_FIRST = re.compile(r"^[0-9 ]*[\u4e00-\u9fff]")
"""A reason whose first words are Chinese (a count may come first: `2 处问题…`)."""


def _wave(cluster: Cluster, world: World, opens_at: datetime, closes_at: datetime) -> str:
    wave = open_wave(
        cluster,
        world,
        kind="online_public_voting",
        voter_check="none",  # unchecked voters: codes are tests/survey/test_voter_codes.py
        channels=["online"],
        opens_at=opens_at.isoformat(),
        closes_at=closes_at.isoformat(),
    )
    wave_id: str = wave["wave_id"]
    return wave_id


def _refused(response: Any, status: int, error: str, fields: list[str | None]) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["error"] == error
    assert [entry["field"] for entry in body["detail"]] == fields
    reasons = [entry["reason"] for entry in body["detail"]]
    if "reason" in body:
        reasons.append(body["reason"])
    for reason in reasons:
        assert CHINESE_FIRST.match(reason), reason
        assert re.search(r"\([0-9 ]*[A-Za-z]", reason), f"English after the Chinese: {reason}"
    return body


@pytest.mark.parametrize(
    ("ratings", "voter", "fields"),
    [
        ({0: "满意"}, "12345678901", ["voter"]),
        ({0: "满意"}, "110105194912310021", ["voter"]),  # a wrong check character
        ({0: "满意"}, with_check("11010519000230002"), ["voter"]),  # no such day
        ({0: "很好"}, "13800138000", ["ratings.0"]),
        ({"other": "满意"}, "13800138000", ["ratings.other"]),
        ({"other": "满意", 0: None}, "13800138000", ["ratings.other", "ratings.0"]),
    ],
)
def test_a_vote_refused_for_what_it_says_is_told_in_chinese(
    cluster: Cluster,
    world: World,
    ratings: dict[Any, Any],
    voter: str,
    fields: list[str | None],
) -> None:
    wave_id = _wave(cluster, world, NOW - DAY, NOW + DAY)
    unit = {0: world.unit_ids[0], "other": world.other_county_unit_id}
    vote = {"voter": voter, "ratings": {unit[k]: v for k, v in ratings.items()}}
    answer = cluster["survey"].post(f"/public/waves/{wave_id}/votes", json=vote)
    named = [
        None if f is None else f.replace(".0", f".{unit[0]}").replace(".other", f".{unit['other']}")
        for f in fields
    ]
    body = _refused(answer, 422, "invalid_questionnaire", named)
    if len(fields) == 2:
        assert body["reason"].startswith("2 处问题")
        assert [e["context"]["code_detail"] for e in body["detail"]] == [
            "unknown_unit_in_wave",
            "scale",
        ]


def test_a_second_vote_is_told_in_chinese(cluster: Cluster, world: World) -> None:
    survey = cluster["survey"]
    wave_id = _wave(cluster, world, NOW - DAY, NOW + DAY)
    vote = {"voter": "13800138000", "ratings": {world.unit_ids[0]: "满意"}}
    assert survey.post(f"/public/waves/{wave_id}/votes", json=vote).status_code == 201
    again = survey.post(
        f"/public/waves/{wave_id}/votes", json=vote | {"voter": "+86 138 0013 8000"}
    )
    body = _refused(again, 409, "already_voted", ["ratings"])
    # A wave without codes names no unit: whoever typed the number need not be its owner.
    assert "unit_ids" not in body["detail"][0].get("context", {})


def test_a_vote_outside_the_window_is_told_when_in_china_time(
    cluster: Cluster, world: World
) -> None:
    survey = cluster["survey"]
    vote = {"voter": "13800138000", "ratings": {world.unit_ids[0]: "满意"}}
    opens_at = datetime(2099, 3, 1, 0, 30, tzinfo=UTC)
    early = _wave(cluster, world, opens_at, opens_at + DAY)
    body = _refused(
        survey.post(f"/public/waves/{early}/votes", json=vote), 409, "not_open_yet", ["wave_id"]
    )
    assert "2099年3月1日 08:30（北京时间）开始" in body["detail"][0]["reason"]
    closes_at = datetime(2026, 1, 31, 16, 5, tzinfo=UTC)
    late = _wave(cluster, world, closes_at - DAY, closes_at)
    body = _refused(
        survey.post(f"/public/waves/{late}/votes", json=vote), 409, "wave_closed", ["wave_id"]
    )
    assert "已于2026年2月1日 00:05（北京时间）结束" in body["detail"][0]["reason"]
    closed = _wave(cluster, world, NOW - DAY, NOW + DAY)
    office = world.county_office.headers
    assert survey.post(f"/waves/{closed}/close", json={"reason": "结束"}, headers=office).is_success
    _refused(
        survey.post(f"/public/waves/{closed}/votes", json=vote), 409, "wave_closed", ["wave_id"]
    )


def test_a_private_wave_and_a_missing_one_are_one_chinese_answer(
    cluster: Cluster, world: World
) -> None:
    survey = cluster["survey"]
    private = open_wave(cluster, world)["wave_id"]
    missing = "00000000-0000-4000-8000-000000000000"
    vote = {"voter": "13800138000", "ratings": {world.unit_ids[0]: "满意"}}
    answers = [
        survey.get(f"/public/waves/{private}"),
        survey.get(f"/public/waves/{missing}"),
        survey.post(f"/public/waves/{private}/votes", json=vote),
        survey.post(f"/public/waves/{missing}/votes", json=vote),
    ]
    bodies = [_refused(a, 404, "wave_not_found", ["wave_id"]) for a in answers]
    assert all(body == bodies[0] for body in bodies)
