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

from shared.contracts.registry import CHINA
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
    reason = body["detail"][0]["reason"]
    assert "尚未开始投票，2099-03-01 08:30:00（北京时间）开始" in reason
    assert "(voting on this wave opens at 2099-03-01 08:30:00, Beijing time)" in reason
    closes_at = datetime(2026, 1, 31, 16, 5, tzinfo=UTC)
    late = _wave(cluster, world, closes_at - DAY, closes_at)
    body = _refused(
        survey.post(f"/public/waves/{late}/votes", json=vote), 409, "wave_closed", ["wave_id"]
    )
    reason = body["detail"][0]["reason"]
    assert "已于2026-02-01 00:05:00（北京时间）结束" in reason
    assert "(voting on this wave closed at 2026-02-01 00:05:00, Beijing time)" in reason
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


def test_a_round_that_ended_is_told_as_an_office_writes_its_last_second(
    cluster: Cluster, world: World
) -> None:
    """A round's last day ends at 23:59:59.999999 as stored; a vote and a code request
    after it read the bound as an office writes it, in both languages, never the stored
    `23:59:59.999999+08:00`."""
    survey = cluster["survey"]
    closes_at = datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=CHINA)
    unchecked = _wave(cluster, world, closes_at - DAY, closes_at)
    vote = {"voter": "13800138000", "ratings": {world.unit_ids[0]: "满意"}}
    checked = open_wave(
        cluster,
        world,
        kind="online_public_voting",
        channels=["online"],
        opens_at=(closes_at - DAY).isoformat(),
        closes_at=closes_at.isoformat(),
    )["wave_id"]
    answers = [
        survey.post(f"/public/waves/{unchecked}/votes", json=vote),
        survey.post(f"/public/waves/{checked}/codes", json={"voter": "13800138000"}),
    ]
    for answer in answers:
        reason = _refused(answer, 409, "wave_closed", ["wave_id"])["detail"][0]["reason"]
        assert reason == (
            "本次评议投票已于2026-06-30 23:59:59（北京时间）结束 "
            "(voting on this wave closed at 2026-06-30 23:59:59, Beijing time)"
        )


@pytest.mark.parametrize("voter", ["11010519491231002x", "12345678901"])
def test_a_code_asked_for_no_mobile_number_is_an_invalid_code_request(
    cluster: Cluster, world: World, voter: str
) -> None:
    """A code request is no questionnaire: an ID number (or no number at all) is refused as
    what it is, `invalid_code_request` on `voter`, not `invalid_questionnaire`."""
    checked = open_wave(
        cluster,
        world,
        kind="online_public_voting",
        channels=["online"],
        opens_at=(NOW - DAY).isoformat(),
        closes_at=(NOW + DAY).isoformat(),
    )["wave_id"]
    asked = cluster["survey"].post(f"/public/waves/{checked}/codes", json={"voter": voter})
    body = _refused(asked, 422, "invalid_code_request", ["voter"])
    assert body["detail"][0]["code"] == "invalid_code_request"
