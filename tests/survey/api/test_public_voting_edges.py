"""A citizen voting from a phone, the odd ways (services/survey/api/public.py): one number
however it is written, answers nobody can count, text with NUL, bidi controls or emoji, a
body too large, HEAD and OPTIONS, a keyed retry after the close. Each is answered with a
status and a body naming the field, never a 500, and only a `201` records anything: the
wave's questionnaires are exactly the votes answered `201`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.harness import Cluster
from tests.survey.helpers import World, open_wave

NOW = datetime.now(UTC)
DAY = timedelta(days=1)


def _public_wave(cluster: Cluster, world: World) -> str:
    wave = open_wave(
        cluster,
        world,
        kind="online_public_voting",
        voter_check="none",  # unchecked voters: codes are tests/survey/test_voter_codes.py
        channels=["online"],
        opens_at=(NOW - DAY).isoformat(),
        closes_at=(NOW + DAY).isoformat(),
    )
    wave_id: str = wave["wave_id"]
    return wave_id


def _recorded(cluster: Cluster, world: World, wave_id: str) -> list[dict[str, Any]]:
    """The wave's questionnaires, from the wave view once it has applied every vote."""
    cluster.wait_caught_up("survey", "survey")
    listed = cluster["survey"].get(
        f"/waves/{wave_id}/questionnaires", headers=world.county_office.headers
    )
    assert listed.status_code == 200, listed.text
    rows: list[dict[str, Any]] = listed.json()
    return rows


def _fields(answer: Any) -> list[str | None]:
    return [entry["field"] for entry in answer.json()["detail"]]


def test_one_number_however_written_votes_once_per_unit(cluster: Cluster, world: World) -> None:
    survey = cluster["survey"]
    wave_id = _public_wave(cluster, world)
    url = f"/public/waves/{wave_id}/votes"
    first, second = world.unit_ids[0], world.unit_ids[1]
    assert survey.post(url, json={"voter": "13800138000", "ratings": {first: "满意"}}).is_success
    for written in (
        "138 0013 8000",
        "+86 13800138000",
        "１３８００１３８０００",
        "+８６ 138-0013-8000",
    ):
        again = survey.post(url, json={"voter": written, "ratings": {first: "不满意"}})
        assert again.status_code == 409 and again.json()["error"] == "already_voted", written
    # A unit not voted on yet is the number's to vote on, however written.
    other = survey.post(url, json={"voter": "+86 138 0013 8000", "ratings": {second: "满意"}})
    assert other.status_code == 201, other.text
    # A vote naming a unit voted on and a new one records nothing; on a wave without codes
    # it names no unit (whoever typed the number need not be its owner).
    both = survey.post(
        url, json={"voter": "13800138000", "ratings": {world.unit_ids[2]: "满意", first: "满意"}}
    )
    assert both.status_code == 409 and both.json()["error"] == "already_voted"
    assert "unit_ids" not in both.json()["detail"][0].get("context", {})
    assert len(_recorded(cluster, world, wave_id)) == 2


def test_answers_nobody_can_count_are_refused_and_nothing_is_recorded(
    cluster: Cluster, world: World
) -> None:
    survey = cluster["survey"]
    wave_id = _public_wave(cluster, world)
    url = f"/public/waves/{wave_id}/votes"
    units = world.unit_ids

    def vote(ratings: Any, voter: str = "13900139000", **extra: Any) -> Any:
        return survey.post(url, json={"voter": voter, "ratings": ratings} | extra)

    assert _fields(vote({})) == ["body.ratings"]
    assert _fields(vote(dict.fromkeys(units))) == [f"ratings.{u}" for u in units]
    assert _fields(vote(dict.fromkeys(units, ""))) == [f"ratings.{u}" for u in units]
    assert _fields(vote({world.other_county_unit_id: "满意"})) == [
        f"ratings.{world.other_county_unit_id}"
    ]
    assert _fields(vote({units[0]: "满意\x00"})) == [f"ratings.{units[0]}"]
    assert _fields(vote({units[0]: "\u202e满意"})) == [f"ratings.{units[0]}"]
    assert _fields(vote({units[0]: "满意😀"})) == [f"ratings.{units[0]}"]
    assert _fields(vote({units[0]: "满意"}, voter="1390013\x009000")) == ["body.voter"]
    assert _fields(vote({units[0]: "满意"}, voter="\u202e13900139000")) == ["body.voter"]
    # A vote carries no free text: a comment (CJK, emoji) is named, not dropped unseen.
    assert _fields(vote({units[0]: "满意"}, comment="服务很好👍")) == ["body.comment"]
    for refused in (vote({}), vote({units[0]: "满意"}, comment="好")):
        assert refused.status_code == 422
    huge = survey.post(
        url,
        content=b'{"voter": "13900139000", "ratings": {}, "x": "' + b"a" * 2_000_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert huge.status_code == 413 and _fields(huge) == ["body"]
    assert _recorded(cluster, world, wave_id) == []


def test_a_vote_of_bu_liaojie_everywhere_is_a_vote(cluster: Cluster, world: World) -> None:
    # 不了解 is an answer of the scale: the vote is recorded (and its units claimed), and
    # scoring leaves those answers out of the rates, as for any questionnaire.
    survey = cluster["survey"]
    wave_id = _public_wave(cluster, world)
    url = f"/public/waves/{wave_id}/votes"
    vote = {"voter": "13700137000", "ratings": dict.fromkeys(world.unit_ids, "不了解")}
    taken = survey.post(url, json=vote)
    assert taken.status_code == 201 and taken.json()["units"] == 3
    (row,) = _recorded(cluster, world, wave_id)
    assert (row["channel"], row["status"]) == ("online", "counted")


def test_head_and_options_on_the_public_routes(cluster: Cluster, world: World) -> None:
    # OPTIONS is a preflight only for the origins PINGYI_PUBLIC_ORIGINS names
    # (tests/shared/test_public_origins.py); otherwise it is a method the route lacks.
    survey = cluster["survey"]
    wave = f"/public/waves/{_public_wave(cluster, world)}"
    head = survey.head(wave)
    assert head.status_code == 200 and head.content == b""
    for path, allowed in ((wave, "GET"), (f"{wave}/votes", "POST")):
        options = survey.options(path)
        assert options.status_code == 405 and options.headers["allow"] == allowed
        assert options.json()["error"] == "method_not_allowed"
    assert survey.get(f"{wave}/votes").status_code == 405


def test_a_keyed_retry_after_the_close_answers_the_first_vote(
    cluster: Cluster, world: World
) -> None:
    survey = cluster["survey"]
    wave_id = _public_wave(cluster, world)
    url = f"/public/waves/{wave_id}/votes"
    key = {"Idempotency-Key": "3f0c6a4e-5a0b-4e49-9a51-2a8f0e6c1d7b"}
    vote = {"voter": "13600136000", "ratings": {world.unit_ids[0]: "满意"}}
    first = survey.post(url, json=vote, headers=key)
    assert first.status_code == 201, first.text
    closed = survey.post(
        f"/waves/{wave_id}/close", json={"reason": "结束"}, headers=world.county_office.headers
    )
    assert closed.status_code == 200, closed.text
    again = survey.post(url, json=vote | {"voter": "+86 136 0013 6000"}, headers=key)
    assert (again.status_code, again.json()) == (201, first.json())
    other = survey.post(url, json=vote | {"ratings": {world.unit_ids[0]: "不满意"}}, headers=key)
    assert other.status_code == 409 and _fields(other) == ["Idempotency-Key"]
    assert len(_recorded(cluster, world, wave_id)) == 1
