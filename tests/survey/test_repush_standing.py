"""A questionnaire pushed again is answered by where it stands now: as it was first recorded
or as it was corrected to read, a duplicate (counted once); voided, rejected on review or
in a withdrawn batch, a problem saying it counts no more — never a "duplicate" that the
agency would tally as counted, nor "correct it instead", which cannot be done."""

from __future__ import annotations

from typing import Any

from tests.harness import Cluster
from tests.survey.helpers import World, open_wave, push, questionnaire


def _only(cluster: Cluster, world: World, wave_id: str, questionnaire_id: str) -> str:
    cluster.wait_caught_up("survey", "survey")  # the list is a view of the pushed batch
    rows = cluster["survey"].get(f"/waves/{wave_id}/questionnaires", headers=world.agency.headers)
    assert rows.status_code == 200, rows.text
    (found,) = [r for r in rows.json() if r["questionnaire_id"] == questionnaire_id]
    return str(found["response_id"])


def _progress(cluster: Cluster, world: World, wave_id: str) -> dict[str, Any]:
    cluster.wait_caught_up("survey", "survey")
    answer = cluster["survey"].get(
        f"/waves/{wave_id}/progress", headers=world.county_office.headers
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _outcome(answer: Any) -> tuple[int, int, int, list[tuple[str, str]]]:
    assert answer.status_code == 200, answer.text
    body = answer.json()
    problems = [(p["field"], p["code"]) for p in body["problems"]]
    return body["accepted"], body["duplicates"], body["rejected"], problems


def test_a_corrected_questionnaire_pushed_as_it_now_reads_is_a_duplicate(
    cluster: Cluster, world: World
) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    units = world.unit_ids
    first = questionnaire("Q-1", units[:2], "满意")
    assert _outcome(push(cluster, wave_id, [first], world.agency.headers))[0] == 1
    response_id = _only(cluster, world, wave_id, "Q-1")
    now = {units[0]: "不满意", units[1]: "满意"}
    corrected = cluster["survey"].post(
        f"/waves/{wave_id}/questionnaires/{response_id}/corrections",
        json={"ratings": now, "reason": "按纸质问卷更正"},
        headers=world.agency.headers,
    )
    assert corrected.status_code == 200, corrected.text

    as_now = first | {"ratings": now}
    assert _outcome(push(cluster, wave_id, [as_now], world.agency.headers)) == (0, 1, 0, [])
    # A retry of the first push is a duplicate still; answers it never had are a conflict.
    assert _outcome(push(cluster, wave_id, [first], world.agency.headers)) == (0, 1, 0, [])
    other = first | {"ratings": {units[0]: "基本满意"}}
    conflict = ("questionnaires.0.questionnaire_id", "questionnaire_conflict")
    assert _outcome(push(cluster, wave_id, [other], world.agency.headers)) == (0, 0, 1, [conflict])
    progress = _progress(cluster, world, wave_id)
    assert progress["total"]["collected"] == 1
    assert progress["by_status"]["counted"] == 1


def test_a_questionnaire_that_counts_no_more_is_a_problem_when_pushed_again(
    cluster: Cluster, world: World
) -> None:
    agency = world.agency.principal_id
    # A quota of 0 quarantines every questionnaire, so one can be rejected on review.
    wave_id = open_wave(
        cluster, world, agency_id=None, agencies=[{"agency_id": agency, "quota": 0}]
    )["wave_id"]
    units = world.unit_ids
    voided, rejected, withdrawn = (questionnaire(f"Q-{n}", units, "满意") for n in range(3))
    survey = cluster["survey"]
    office = world.county_office.headers
    for q in (voided, rejected):
        assert _outcome(push(cluster, wave_id, [q], world.agency.headers))[0] == 1
    batch = push(cluster, wave_id, [withdrawn], world.agency.headers).json()["batch_id"]
    void = survey.post(
        f"/waves/{wave_id}/questionnaires/{_only(cluster, world, wave_id, 'Q-0')}/void",
        json={"reason": "重复录入"},
        headers=world.agency.headers,
    )
    assert void.status_code == 200, void.text
    review = survey.post(
        f"/waves/{wave_id}/quarantine:review",
        json={
            "response_ids": [_only(cluster, world, wave_id, "Q-1")],
            "decision": "reject",
            "reason": "经核实为代填",
        },
        headers=office,
    )
    assert review.status_code == 200, review.text
    withdrawal = survey.post(
        f"/waves/{wave_id}/batches/{batch}/withdraw", json={"reason": "代填"}, headers=office
    )
    assert withdrawal.status_code == 200, withdrawal.text

    other_answers = voided | {"ratings": {units[0]: "不满意"}}
    again = push(
        cluster, wave_id, [voided, rejected, withdrawn, other_answers], world.agency.headers
    )
    accepted, duplicates, refused, problems = _outcome(again)
    # The fourth row repeats the first's id within the push: that is its own problem.
    assert (accepted, duplicates, refused) == (0, 0, 4)
    assert problems[:3] == [
        (f"questionnaires.{row}.questionnaire_id", "not_counted") for row in range(3)
    ]
    reasons = [p["reason"] for p in again.json()["problems"][:3]]
    assert [r.split("，")[0] for r in reasons] == [
        "该问卷已作废",
        "该问卷经审核未予采信",
        "该问卷所在批次已撤回",
    ]
    alone = push(cluster, wave_id, [other_answers], world.agency.headers)
    assert _outcome(alone) == (0, 0, 1, [("questionnaires.0.questionnaire_id", "not_counted")])
    progress = _progress(cluster, world, wave_id)
    assert progress["total"]["collected"] == 0
    assert progress["by_status"] == {
        "counted": 0,
        "quarantined": 0,
        "rejected": 1,
        "voided": 1,
        "withdrawn": 1,
    }
