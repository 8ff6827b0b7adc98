"""`GET /waves/{id}` counts honestly: `questionnaires` is the counted ones, and
`questionnaires_by_status` shows apart those in quarantine and those voided, rejected on
review or of a withdrawn batch (before, `questionnaires` was every one ever accepted, now
`accepted`). An agency reads its own questionnaires by status, as in progress, and its own
batches and questionnaires quarantined at intake."""

from __future__ import annotations

from typing import Any

from tests.harness import Cluster
from tests.survey.helpers import World, created, open_wave, push, questionnaire


def _ids(cluster: Cluster, world: World, wave_id: str) -> dict[str, str]:
    cluster.wait_caught_up("survey", "survey")
    listed = cluster["survey"].get(
        f"/waves/{wave_id}/questionnaires", headers=world.county_office.headers
    )
    return {q["questionnaire_id"]: q["response_id"] for q in created(listed)}


def _wave(cluster: Cluster, world: World, caller: dict[str, str]) -> dict[str, Any]:
    cluster.wait_caught_up("survey", "survey")
    wave: dict[str, Any] = created(
        cluster["survey"].get(f"/waves/{world.extra['wave']}", headers=caller)
    )
    return wave


def test_questionnaires_are_the_counted_ones_the_rest_shown_apart(
    cluster: Cluster, world: World
) -> None:
    survey, office = cluster["survey"], world.county_office.headers
    agencies = [
        {"agency_id": world.agency.principal_id, "quota": 2},
        {"agency_id": world.other_agency.principal_id, "quota": None},
    ]
    wave_id = open_wave(cluster, world, agency_id=None, agencies=agencies)["wave_id"]
    world.extra["wave"] = wave_id
    units = world.unit_ids
    rows = [questionnaire(f"A-{i}", units, survey_point=None) for i in range(4)]
    mine = created(push(cluster, wave_id, rows, world.agency.headers))
    assert mine["quarantined_questionnaire_ids"] == ["A-2", "A-3"]  # over the quota of 2
    theirs = [questionnaire(f"B-{i}", units, survey_point=None) for i in range(2)]
    batch = created(push(cluster, wave_id, theirs, world.other_agency.headers))["batch_id"]
    ids = _ids(cluster, world, wave_id)
    reason = {"reason": "录入错误"}
    created(
        survey.post(
            f"/waves/{wave_id}/questionnaires/{ids['A-0']}/void", json=reason, headers=office
        )
    )
    review = {"response_ids": [ids["A-2"]], "decision": "reject", "reason": "核实为代填问卷"}
    created(survey.post(f"/waves/{wave_id}/quarantine:review", json=review, headers=office))
    created(survey.post(f"/waves/{wave_id}/batches/{batch}/withdraw", json=reason, headers=office))

    whole = _wave(cluster, world, office)
    assert whole["questionnaires_by_status"] == {
        "counted": 1,
        "quarantined": 1,
        "rejected": 1,
        "voided": 1,
        "withdrawn": 2,
    }
    assert (whole["questionnaires"], whole["accepted"], whole["response_count"]) == (1, 6, 6)

    own = _wave(cluster, world, world.agency.headers)
    assert own["questionnaires_by_status"] == {
        "counted": 1,
        "quarantined": 1,
        "rejected": 1,
        "voided": 1,
        "withdrawn": 0,
    }
    other = _wave(cluster, world, world.other_agency.headers)
    assert (other["questionnaires"], other["questionnaires_by_status"]["withdrawn"]) == (0, 2)

    # An agency reads only its own figures: nothing in what it reads moves with the other
    # agency's work (the whole wave's less its own would give the other's).
    figures = ((world.agency, 4, own, (1, 2)), (world.other_agency, 2, other, (1, 0)))
    for who, pushed, by_status, intake in figures:
        mine = _wave(cluster, world, who.headers)
        assert sum(by_status["questionnaires_by_status"].values()) == pushed
        assert (mine["accepted"], mine["response_count"]) == (pushed, pushed)
        assert (mine["batches"], mine["quarantined_at_intake"]) == intake  # its own only
        assert [a["agency_id"] for a in mine["agencies"]] == [who.principal_id]
        listed = created(survey.get("/waves", headers=who.headers))
        assert [(w["wave_id"], w["response_count"]) for w in listed] == [(wave_id, pushed)]
    assert [w["response_count"] for w in created(survey.get("/waves", headers=office))] == [6]


def _intake(cluster: Cluster, world: World, caller: dict[str, str]) -> tuple[int, int]:
    wave = _wave(cluster, world, caller)
    return wave["batches"], wave["quarantined_at_intake"]


def test_each_agency_reads_its_own_batches_and_intake_quarantines(
    cluster: Cluster, world: World
) -> None:
    """Two agencies push into one wave, one with a questionnaire quarantined at intake (over
    its quota): each reads its own figures, which the other's pushes never move; the office
    reads the whole wave's."""
    agencies = [
        {"agency_id": world.agency.principal_id, "quota": 1},
        {"agency_id": world.other_agency.principal_id, "quota": None},
    ]
    wave_id = open_wave(cluster, world, agency_id=None, agencies=agencies)["wave_id"]
    world.extra["wave"] = wave_id
    mine, theirs = world.agency.headers, world.other_agency.headers
    office = world.county_office.headers
    rows = [questionnaire(f"A-{i}", world.unit_ids, survey_point=None) for i in range(2)]
    pushed = created(push(cluster, wave_id, rows, mine))
    assert pushed["quarantined_questionnaire_ids"] == ["A-1"]  # over the quota of 1
    assert _intake(cluster, world, mine) == (1, 1)
    assert _intake(cluster, world, theirs) == (0, 0)

    for i in range(2):
        row = questionnaire(f"B-{i}", world.unit_ids, survey_point=None)
        created(push(cluster, wave_id, [row], theirs))
        assert _intake(cluster, world, theirs) == (i + 1, 0)
        assert _intake(cluster, world, mine) == (1, 1)  # unmoved by the other's pushes
    assert _intake(cluster, world, office) == (3, 1)  # the whole wave's
