"""A questionnaire id twice in one upload is the mistake a JSON push calls `repeated`, and is
answered with that code whichever width the second is typed in: never `duplicate…`, the word
a push's answer uses for a questionnaire counted once already."""

from __future__ import annotations

from tests.harness import Cluster
from tests.survey.helpers import World, open_wave, push, questionnaire


def test_an_id_twice_in_a_sheet_is_repeated_as_in_a_push(cluster: Cluster, world: World) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    survey = cluster["survey"]
    template = survey.get(
        f"/waves/{wave_id}/questionnaires:template?format=csv", headers=world.agency.headers
    )
    header = template.content.decode("utf-8-sig").splitlines()[0]
    rows = ["Q-1", "Q-1", "Ｑ-1"]
    lines = [header, *(f"{qid},2024-11-05 10:30,,,,,满意,," for qid in rows)]
    uploaded = survey.post(
        f"/waves/{wave_id}/questionnaires:upload",
        content=("\r\n".join(lines) + "\r\n").encode(),
        headers=world.agency.headers | {"Content-Type": "text/csv"},
    )
    assert uploaded.status_code == 200, uploaded.text
    body = uploaded.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (1, 0, 2)
    found = [(p["row"], p["field"], p["code"]) for p in body["problems"]]
    assert found == [
        (3, "rows.3.questionnaire_id", "repeated"),
        (4, "rows.4.questionnaire_id", "repeated"),
    ]

    pushed = push(
        cluster,
        wave_id,
        [questionnaire(qid, world.unit_ids[:1], survey_point=None) for qid in ("P-1", "P-1")],
        world.agency.headers,
    )
    assert [p["code"] for p in pushed.json()["problems"]] == ["repeated"]
