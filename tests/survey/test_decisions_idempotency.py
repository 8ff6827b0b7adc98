"""Decisions about questionnaires, the close and public votes, through HTTP in memory mode:
a retry with the same Idempotency-Key and body answers as the first time (the same status
and body), the same key with another body is refused naming the key; a quarantine review
names every questionnaire it cannot decide; an agency reads only its own batches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from tests.harness import ADMIN, Cluster
from tests.survey.helpers import World, open_wave, push, questionnaire


def _keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    return headers | {"Idempotency-Key": key}


def _pushed(cluster: Cluster, world: World, wave_id: str, *ids: str) -> dict[str, Any]:
    rows = [questionnaire(qid, world.unit_ids) for qid in ids]
    response = push(cluster, wave_id, rows, world.agency.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _response_ids(cluster: Cluster, world: World, wave_id: str) -> dict[str, str]:
    cluster.wait_caught_up("survey", "survey")
    listed = cluster["survey"].get(f"/waves/{wave_id}/questionnaires", headers=ADMIN).json()
    return {q["questionnaire_id"]: q["response_id"] for q in listed}


def _refused_key(response: Any) -> None:
    assert response.status_code == 409, response.text
    assert response.json()["detail"][0]["field"] == "Idempotency-Key"


def _same(first: Any, again: Any) -> None:
    assert first.status_code == again.status_code, (first.text, again.text)
    assert first.json() == again.json()


# --- corrections, voids, withdrawals and the close -------------------------------------------


def test_a_correction_retried_with_its_key_answers_as_the_first(
    cluster: Cluster, world: World
) -> None:
    survey = cluster["survey"]
    wave_id = open_wave(cluster, world)["wave_id"]
    _pushed(cluster, world, wave_id, "Q-1", "Q-2")
    ids = _response_ids(cluster, world, wave_id)
    path = f"/waves/{wave_id}/questionnaires/{ids['Q-1']}/corrections"
    body = {"ratings": {world.unit_ids[0]: "不满意"}, "reason": "按纸质问卷更正"}
    headers = _keyed(world.agency.headers, "corr-1")

    first = survey.post(path, json=body, headers=headers)
    assert first.status_code == 200 and first.json()["version"] == 2, first.text
    _same(first, survey.post(path, json=body, headers=headers))
    # The same key with other answers, or for another questionnaire: refused, nothing kept.
    other = body | {"ratings": {world.unit_ids[0]: "基本满意"}}
    _refused_key(survey.post(path, json=other, headers=headers))
    elsewhere = f"/waves/{wave_id}/questionnaires/{ids['Q-2']}/corrections"
    _refused_key(survey.post(elsewhere, json=body, headers=headers))
    versions = survey.get(f"{path[: -len('/corrections')]}/versions", headers=ADMIN).json()
    assert [v["version"] for v in versions["versions"]] == [1, 2]
    # Without a key a repeat is a new request, refused as before: it changes nothing.
    unkeyed = survey.post(path, json=body, headers=world.agency.headers)
    assert unkeyed.status_code == 409 and unkeyed.json()["error"] == "decision_conflict"


def test_a_key_belongs_to_its_caller(cluster: Cluster, world: World) -> None:
    """An office using the agency's key makes its own decision, not a replay of the agency's."""
    survey = cluster["survey"]
    wave_id = open_wave(cluster, world)["wave_id"]
    _pushed(cluster, world, wave_id, "Q-1")
    path = f"/waves/{wave_id}/questionnaires/{_response_ids(cluster, world, wave_id)['Q-1']}"
    body = {"ratings": {world.unit_ids[0]: "不满意"}, "reason": "更正"}
    by_agency = survey.post(
        f"{path}/corrections", json=body, headers=_keyed(world.agency.headers, "k")
    )
    assert by_agency.status_code == 200
    by_office = survey.post(
        f"{path}/corrections", json=body, headers=_keyed(world.county_office.headers, "k")
    )
    assert by_office.status_code == 409 and by_office.json()["error"] == "decision_conflict"


def test_a_void_retried_with_its_key_answers_as_the_first(cluster: Cluster, world: World) -> None:
    survey = cluster["survey"]
    wave_id = open_wave(cluster, world)["wave_id"]
    _pushed(cluster, world, wave_id, "Q-1")
    path = f"/waves/{wave_id}/questionnaires/{_response_ids(cluster, world, wave_id)['Q-1']}/void"
    headers = _keyed(world.county_office.headers, "void-1")

    first = survey.post(path, json={"reason": "重复录入"}, headers=headers)
    assert first.status_code == 200 and first.json()["status"] == "voided", first.text
    _same(first, survey.post(path, json={"reason": "重复录入"}, headers=headers))
    _refused_key(survey.post(path, json={"reason": "另一理由"}, headers=headers))
    unkeyed = survey.post(path, json={"reason": "重复录入"}, headers=world.county_office.headers)
    assert unkeyed.status_code == 409 and unkeyed.json()["error"] == "decision_conflict"
    # The refusal names the questionnaire it is about.
    assert unkeyed.json()["detail"][0]["field"] == "response_id", unkeyed.text


def test_a_withdrawal_and_a_close_retried_with_their_keys_answer_as_the_first(
    cluster: Cluster, world: World
) -> None:
    survey = cluster["survey"]
    wave_id = open_wave(cluster, world)["wave_id"]
    batch_id = _pushed(cluster, world, wave_id, "Q-1")["batch_id"]
    office = world.county_office.headers

    withdraw = f"/waves/{wave_id}/batches/{batch_id}/withdraw"
    first = survey.post(withdraw, json={"reason": "代填"}, headers=_keyed(office, "wd-1"))
    assert first.status_code == 200 and first.json()["withdrawn"] is True, first.text
    _same(first, survey.post(withdraw, json={"reason": "代填"}, headers=_keyed(office, "wd-1")))
    _refused_key(survey.post(withdraw, json={"reason": "其他"}, headers=_keyed(office, "wd-1")))

    close = f"/waves/{wave_id}/close"
    closed = survey.post(close, json={"reason": "回收完毕"}, headers=_keyed(office, "close-1"))
    assert closed.status_code == 200 and closed.json()["status"] == "closed", closed.text
    _same(
        closed, survey.post(close, json={"reason": "回收完毕"}, headers=_keyed(office, "close-1"))
    )
    _refused_key(survey.post(close, json={"reason": "提前结束"}, headers=_keyed(office, "close-1")))
    unkeyed = survey.post(close, json={"reason": "回收完毕"}, headers=office)
    assert unkeyed.status_code == 409 and unkeyed.json()["error"] == "wave_closed"


def test_an_accreditation_retried_with_its_key_answers_as_the_first(
    cluster: Cluster, world: World
) -> None:
    survey = cluster["survey"]
    wave_id = open_wave(cluster, world)["wave_id"]
    path = f"/waves/{wave_id}/agencies"
    office = world.county_office.headers
    body = {"agency_id": world.other_agency.principal_id, "quota": 50}
    first = survey.post(path, json=body, headers=_keyed(office, "acc-1"))
    assert first.status_code == 200, first.text
    _same(first, survey.post(path, json=body, headers=_keyed(office, "acc-1")))
    _refused_key(survey.post(path, json=body | {"quota": 60}, headers=_keyed(office, "acc-1")))
    unkeyed = survey.post(path, json=body, headers=office)
    assert unkeyed.status_code == 422, unkeyed.text  # accredited already


# --- quarantine review --------------------------------------------------------------------


def _quarantine_wave(cluster: Cluster, world: World) -> tuple[str, dict[str, str], list[str]]:
    """A wave with Q-0 counted and Q-1 … Q-3 in quarantine (a burst at one point)."""
    wave_id = open_wave(cluster, world, integrity={"burst_size": 2, "burst_seconds": 60})["wave_id"]
    pushed = _pushed(cluster, world, wave_id, "Q-0", "Q-1", "Q-2", "Q-3")
    ids = _response_ids(cluster, world, wave_id)
    quarantined = sorted(pushed["quarantined_questionnaire_ids"])
    assert len(quarantined) >= 2 and "Q-0" not in quarantined, pushed
    return wave_id, ids, quarantined


def test_a_review_naming_a_questionnaire_twice_is_refused_naming_the_repeat(
    cluster: Cluster, world: World
) -> None:
    wave_id, ids, quarantined = _quarantine_wave(cluster, world)
    twice = ids[quarantined[0]]
    review = {"response_ids": [twice, twice], "decision": "release", "reason": "核实正常"}
    path = f"/waves/{wave_id}/quarantine:review"
    for _ in range(2):  # refused for what it is, not as a race to retry
        refused = cluster["survey"].post(path, json=review, headers=world.county_office.headers)
        assert refused.status_code == 422, refused.text
        detail = refused.json()["detail"][0]
        assert detail["field"] == "response_ids.1" and "response_ids.0" in detail["reason"]
    once = review | {"response_ids": [twice]}
    assert (
        cluster["survey"].post(path, json=once, headers=world.county_office.headers).status_code
        == 200
    )


def test_a_review_names_the_questionnaire_it_cannot_decide(cluster: Cluster, world: World) -> None:
    wave_id, ids, quarantined = _quarantine_wave(cluster, world)
    path = f"/waves/{wave_id}/quarantine:review"
    named = [ids[q] for q in quarantined]
    counted = ids["Q-0"]
    review = {"response_ids": [*named, counted], "decision": "reject", "reason": "代填"}
    refused = cluster["survey"].post(path, json=review, headers=world.county_office.headers)
    assert refused.status_code == 409 and refused.json()["error"] == "decision_conflict"
    detail = refused.json()["detail"][0]
    assert detail["field"] == f"response_ids.{len(named)}" and counted in detail["reason"]
    unknown = str(uuid4())
    missing = review | {"response_ids": [named[0], unknown]}
    refused = cluster["survey"].post(path, json=missing, headers=world.county_office.headers)
    assert refused.status_code == 404
    assert refused.json()["detail"][0]["field"] == "response_ids.1"
    assert unknown in refused.json()["detail"][0]["reason"]

    # All or none: nothing was decided; a keyed review then answers its retry the same.
    headers = _keyed(world.county_office.headers, "review-1")
    fine = review | {"response_ids": named}
    first = cluster["survey"].post(path, json=fine, headers=headers)
    assert first.status_code == 200 and len(first.json()["response_ids"]) == len(named)
    _same(first, cluster["survey"].post(path, json=fine, headers=headers))
    _refused_key(cluster["survey"].post(path, json=fine | {"decision": "release"}, headers=headers))


def test_a_review_names_every_questionnaire_it_cannot_decide(
    cluster: Cluster, world: World
) -> None:
    """Not only the first: a counted one and a missing one are both named, each by its
    place, id, reason and code; the review is 409 (one cannot be decided as asked) and
    decides none, not even those it could."""
    wave_id, ids, quarantined = _quarantine_wave(cluster, world)
    path = f"/waves/{wave_id}/quarantine:review"
    counted, unknown = ids["Q-0"], str(uuid4())
    review = {
        "response_ids": [ids[quarantined[0]], counted, ids[quarantined[1]], unknown],
        "decision": "release",
        "reason": "核实正常",
    }
    refused = cluster["survey"].post(path, json=review, headers=world.county_office.headers)
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["error"] == "decision_conflict"
    assert [(d["field"], d["code"]) for d in body["detail"]] == [
        ("response_ids.1", "decision_conflict"),
        ("response_ids.3", "questionnaire_not_found"),
    ]
    assert counted in body["detail"][0]["reason"] and unknown in body["detail"][1]["reason"]
    # Two missing ones: both named, and the review is what each of them is (404).
    missing = review | {"response_ids": [unknown, ids[quarantined[0]], str(uuid4())]}
    refused = cluster["survey"].post(path, json=missing, headers=world.county_office.headers)
    assert refused.status_code == 404, refused.text
    assert [d["field"] for d in refused.json()["detail"]] == ["response_ids.0", "response_ids.2"]
    # Nothing was decided: every quarantined one is still there to release.
    fine = review | {"response_ids": [ids[q] for q in quarantined]}
    released = cluster["survey"].post(path, json=fine, headers=world.county_office.headers)
    assert released.status_code == 200, released.text


def test_every_repeat_in_a_review_is_named(cluster: Cluster, world: World) -> None:
    wave_id, ids, quarantined = _quarantine_wave(cluster, world)
    a, b = ids[quarantined[0]], ids[quarantined[1]]
    review = {"response_ids": [a, b, a, b], "decision": "reject", "reason": "代填"}
    path = f"/waves/{wave_id}/quarantine:review"
    refused = cluster["survey"].post(path, json=review, headers=world.county_office.headers)
    assert refused.status_code == 422, refused.text
    detail = refused.json()["detail"]
    assert [d["field"] for d in detail] == ["response_ids.2", "response_ids.3"]
    assert "response_ids.0" in detail[0]["reason"] and "response_ids.1" in detail[1]["reason"]


# --- batches are read by their own agency -------------------------------------------------


def test_an_agency_reads_only_its_own_batches(cluster: Cluster, world: World) -> None:
    survey = cluster["survey"]
    wave_id = open_wave(cluster, world)["wave_id"]
    survey.post(
        f"/waves/{wave_id}/agencies",
        json={"agency_id": world.other_agency.principal_id},
        headers=world.county_office.headers,
    )
    batch_id = _pushed(cluster, world, wave_id, "Q-1")["batch_id"]
    path = f"/waves/{wave_id}/batches/{batch_id}"
    assert survey.get(path, headers=world.agency.headers).status_code == 200
    assert survey.get(path, headers=world.county_office.headers).status_code == 200
    theirs = survey.get(path, headers=world.other_agency.headers)
    assert theirs.status_code == 404 and theirs.json()["error"] == "batch_not_found"
    # Answered as one that does not exist, and as another agency's questionnaire is.
    none = survey.get(f"/waves/{wave_id}/batches/{uuid4()}", headers=world.other_agency.headers)
    assert none.json() == theirs.json()
    q = _response_ids(cluster, world, wave_id)["Q-1"]
    other_q = survey.get(f"/waves/{wave_id}/questionnaires/{q}", headers=world.other_agency.headers)
    assert other_q.status_code == 404


# --- public voting ------------------------------------------------------------------------


def _voting_wave(cluster: Cluster, world: World, opens: timedelta, closes: timedelta) -> str:
    now = datetime.now(UTC)
    wave = open_wave(
        cluster,
        world,
        kind="online_public_voting",
        voter_check="none",  # unchecked voters: codes are tests/survey/test_voter_codes.py
        opens_at=(now + opens).isoformat(),
        closes_at=(now + closes).isoformat(),
    )
    return str(wave["wave_id"])


def _vote(
    cluster: Cluster, voting: tuple[str, str], voter: str, rating: str, key: str | None = None
) -> Any:
    wave_id, unit = voting
    headers = {} if key is None else {"Idempotency-Key": key}
    body = {"voter": voter, "ratings": {unit: rating}}
    return cluster["survey"].post(f"/public/waves/{wave_id}/votes", json=body, headers=headers)


@pytest.fixture
def voting(cluster: Cluster, world: World) -> tuple[str, str]:
    """A wave open to the public now, and a unit of it."""
    return _voting_wave(cluster, world, timedelta(days=-1), timedelta(days=1)), world.unit_ids[0]


def test_a_vote_retried_with_its_key_answers_as_the_first(
    cluster: Cluster, voting: tuple[str, str]
) -> None:
    first = _vote(cluster, voting, "13800138000", "满意", key="vote-1")
    assert first.status_code == 201, first.text
    _same(first, _vote(cluster, voting, "+86 138-0013-8000", "满意", key="vote-1"))
    _refused_key(_vote(cluster, voting, "13800138000", "不满意", key="vote-1"))
    # The key is the voter's: another person with the same key casts a vote of their own.
    other = _vote(cluster, voting, "13900139000", "满意", key="vote-1")
    assert other.status_code == 201 and other.json()["response_id"] != first.json()["response_id"]
    # Without a key, a second vote is the person voting twice, however the number is written.
    for again in ("8613800138000", "0086 138 0013 8000"):
        twice = _vote(cluster, voting, again, "满意")
        assert twice.status_code == 409 and twice.json()["error"] == "already_voted"
    # The first answer stands after the close too, as a push's does.
    closed = cluster["survey"].post(
        f"/waves/{voting[0]}/close", json={"reason": "投票结束"}, headers=ADMIN
    )
    assert closed.status_code == 200, closed.text
    _same(first, _vote(cluster, voting, "13800138000", "满意", key="vote-1"))


def test_a_private_wave_answers_the_public_as_a_missing_one(cluster: Cluster, world: World) -> None:
    survey = cluster["survey"]
    private = open_wave(cluster, world)["wave_id"]
    missing = str(uuid4())
    vote = {"voter": "13800138000", "ratings": {world.unit_ids[0]: "满意"}}
    for wave_id in (private, missing):
        seen = survey.get(f"/public/waves/{wave_id}")
        voted = survey.post(f"/public/waves/{wave_id}/votes", json=vote)
        for answer in (seen, voted):
            assert answer.status_code == 404
            assert answer.json() == {
                "error": "wave_not_found",
                "detail": [
                    {
                        "field": "wave_id",
                        "reason": "没有这次评议 (no such wave)",
                        "code": "wave_not_found",
                    }
                ],
            }


def test_a_vote_outside_the_window_says_so(cluster: Cluster, world: World) -> None:
    unit = world.unit_ids[0]
    early = _voting_wave(cluster, world, timedelta(days=1), timedelta(days=2))
    refused = _vote(cluster, (early, unit), "13800138000", "满意")
    assert refused.status_code == 409 and refused.json()["error"] == "not_open_yet", refused.text
    assert refused.json()["detail"][0]["field"] == "wave_id"
    late = _voting_wave(cluster, world, timedelta(days=-2), timedelta(days=-1))
    refused = _vote(cluster, (late, unit), "13800138000", "满意")
    assert refused.status_code == 409 and refused.json()["error"] == "wave_closed", refused.text
    assert refused.json()["detail"][0]["field"] == "wave_id"


def test_a_voter_number_that_is_no_one_is_refused_naming_the_voter(
    cluster: Cluster, voting: tuple[str, str]
) -> None:
    for voter in ("12345678901", "10000000000", "000000000000000000", "110105194912310021"):
        refused = _vote(cluster, voting, voter, "满意")
        assert refused.status_code == 422, (voter, refused.text)
        assert refused.json()["detail"][0]["field"] == "voter"
    assert _vote(cluster, voting, "11010519491231002X", "满意").status_code == 201
