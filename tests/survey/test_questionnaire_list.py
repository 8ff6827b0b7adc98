"""GET /waves/{id}/questionnaires says when each questionnaire was collected (`collected_at`,
as pushed) and recorded (`recorded_at`: its stored event's time, the very text the
questionnaire's own read says), whether it came in a push or as a public vote; and keeps
those collected in a range (`collected_from`, `collected_to`, both ends included, compared
as instants whatever their offsets), paged like the whole list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.harness import ADMIN, Cluster
from tests.pages import assert_pages_match
from tests.survey.helpers import (
    COLLECTED_AT,
    CST,
    World,
    open_wave,
    push,
    questionnaire,
)


def _listed(cluster: Cluster, wave_id: str, **params: Any) -> list[dict[str, Any]]:
    cluster.wait_caught_up("survey", "survey")
    path = f"/waves/{wave_id}/questionnaires"
    response = cluster["survey"].get(path, params=params, headers=ADMIN)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


def _read(cluster: Cluster, wave_id: str, response_id: str) -> dict[str, Any]:
    path = f"/waves/{wave_id}/questionnaires/{response_id}"
    response = cluster["survey"].get(path, headers=ADMIN)
    assert response.status_code == 200, response.text
    read: dict[str, Any] = response.json()
    return read


def test_each_listed_questionnaire_says_when_it_was_collected_and_recorded(
    cluster: Cluster, world: World
) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    later = COLLECTED_AT + timedelta(hours=3)
    rows = [
        questionnaire("Q1", world.unit_ids),
        questionnaire("Q2", world.unit_ids, collected_at=later),
    ]
    before = datetime.now(UTC)
    pushed = push(cluster, wave_id, rows, world.agency.headers)
    assert pushed.status_code == 200, pushed.text
    after = datetime.now(UTC)

    listed = _listed(cluster, wave_id)
    assert [(q["questionnaire_id"], q["collected_at"]) for q in listed] == [
        ("Q1", COLLECTED_AT.isoformat()),
        ("Q2", later.isoformat()),
    ]
    for row in listed:
        recorded_at = datetime.fromisoformat(row["recorded_at"])
        assert recorded_at.utcoffset() is not None and before <= recorded_at <= after
        assert row["recorded_at"] == _read(cluster, wave_id, row["response_id"])["recorded_at"]


def test_a_public_vote_is_listed_with_when_it_was_recorded(cluster: Cluster, world: World) -> None:
    now = datetime.now(UTC)
    window = {"opens_at": (now - timedelta(days=1)).isoformat()}
    wave = open_wave(cluster, world, kind="online_public_voting", voter_check="none", **window)
    vote = {"voter": "13800138000", "ratings": {world.unit_ids[0]: "满意"}}
    voted = cluster["survey"].post(f"/public/waves/{wave['wave_id']}/votes", json=vote)
    assert voted.status_code == 201, voted.text

    (listed,) = _listed(cluster, wave["wave_id"])
    read = _read(cluster, wave["wave_id"], voted.json()["response_id"])
    assert listed["response_id"] == read["response_id"]
    assert (listed["collected_at"], listed["recorded_at"]) == (
        read["collected_at"],
        read["recorded_at"],
    )
    assert now <= datetime.fromisoformat(listed["recorded_at"]) <= datetime.now(UTC)


DAY = datetime(2024, 11, 5, tzinfo=CST)
LATE = {1: 3, 500: 1, 1001: 2, 1002: 4}
"""The questionnaires (by number) collected on the second day, at that hour: one early in
the id order, one in the middle and the last two, past the first thousand rows a page is
read in."""


def _collected(number: int) -> datetime:
    if number in LATE:
        return DAY + timedelta(days=1, hours=LATE[number])
    return DAY + timedelta(hours=9, seconds=number)


def test_the_list_keeps_those_collected_in_a_range_and_pages_through_them(
    cluster: Cluster, world: World
) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    rows = [
        questionnaire(f"Q{number:04d}", world.unit_ids, collected_at=_collected(number))
        for number in range(1003)
    ]
    pushed = push(cluster, wave_id, rows, world.agency.headers)
    assert pushed.status_code == 200 and pushed.json()["accepted"] == 1003, pushed.text
    cluster.wait_caught_up("survey", "survey")
    client, path = cluster["survey"], f"/waves/{wave_id}/questionnaires"

    second_day = {"collected_from": (DAY + timedelta(days=1)).isoformat()}
    late = [f"Q{number:04d}" for number in sorted(LATE)]
    for limit in (1, 3):
        found = assert_pages_match(client, path, ADMIN, second_day, limit=limit)
        assert [q["questionnaire_id"] for q in found] == late
    # Both ends are included; the bounds are instants, whatever offset they are written in.
    both = {
        "collected_from": _collected(500).astimezone(UTC).isoformat(),
        "collected_to": _collected(1).isoformat(),
    }
    found = assert_pages_match(client, path, ADMIN, both, limit=1)
    assert [q["questionnaire_id"] for q in found] == ["Q0001", "Q0500", "Q1001"]
    # Only an end: everything collected up to it, in id order.
    first_morning = {"collected_to": (DAY + timedelta(hours=9, seconds=2)).isoformat()}
    found = assert_pages_match(client, path, ADMIN, first_morning, limit=2)
    assert [q["questionnaire_id"] for q in found] == ["Q0000", "Q0002"]
    # The range narrows the other filters, never widens them.
    elsewhere = second_day | {"survey_point": "舞阳县某乡镇便民服务中心"}
    assert assert_pages_match(client, path, ADMIN, elsewhere) == []


def test_a_range_that_ends_before_it_starts_is_refused_naming_its_end(
    cluster: Cluster, world: World
) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    backwards = {
        "collected_from": (DAY + timedelta(days=1)).isoformat(),
        "collected_to": DAY.isoformat(),
    }
    response = cluster["survey"].get(
        f"/waves/{wave_id}/questionnaires", params=backwards, headers=ADMIN
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "validation_failed"
    [entry] = response.json()["detail"]
    assert (entry["field"], entry["code"]) == ("query.collected_to", "validation_failed")
    # A time without its offset is no instant: refused as any malformed parameter is.
    naive = cluster["survey"].get(
        f"/waves/{wave_id}/questionnaires",
        params={"collected_from": "2024-11-05T00:00:00"},
        headers=ADMIN,
    )
    assert naive.status_code == 422, naive.text
    assert [d["field"] for d in naive.json()["detail"]] == ["query.collected_from"]
