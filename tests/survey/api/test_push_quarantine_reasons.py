"""A push's answer says why each questionnaire it put in quarantine went there: per id, every
rule it met, by code (for the agency's system) and in words, Chinese first (for its staff),
beside the ids it always listed."""

from __future__ import annotations

from tests.harness import Cluster
from tests.survey.helpers import World, open_wave, push, questionnaire


def test_each_quarantined_id_comes_with_its_rules_code_and_words(
    cluster: Cluster, world: World
) -> None:
    agency = world.agency.principal_id
    wave = open_wave(
        cluster,
        world,
        agency_id=None,
        agencies=[{"agency_id": agency, "quota": 1}],
        integrity={"straight_lining_min_units": 3},
    )
    units = world.unit_ids
    varied = questionnaire("Q-3", units) | {
        "ratings": {units[0]: "满意", units[1]: "基本满意", units[2]: "满意"}
    }
    rows = [questionnaire("Q-1", units), questionnaire("Q-2", units), varied]
    pushed = push(cluster, wave["wave_id"], rows, world.agency.headers)
    assert pushed.status_code == 200, pushed.text
    body = pushed.json()
    assert body["quarantined_questionnaire_ids"] == ["Q-1", "Q-2", "Q-3"]
    why = {q["questionnaire_id"]: q["reasons"] for q in body["quarantined_reasons"]}
    assert [q["questionnaire_id"] for q in body["quarantined_reasons"]] == ["Q-1", "Q-2", "Q-3"]
    assert [r["code"] for r in why["Q-1"]] == ["straight_lining"]
    assert [r["code"] for r in why["Q-2"]] == ["straight_lining", "over_quota"]
    assert [r["code"] for r in why["Q-3"]] == ["over_quota"]
    over = why["Q-3"][0]["reason"]
    assert over.startswith("超出测评机构配额：配额1份，本份为第3份"), over
    assert over.endswith("(over the agency's or the survey point's quota)"), over
    assert why["Q-1"][0]["reason"] == (
        "对3个单位的评价全部为“满意” (the same answer for every unit rated)"
    )


def test_a_clean_push_names_no_reasons(cluster: Cluster, world: World) -> None:
    wave = open_wave(cluster, world)
    rows = [questionnaire("Q-1", world.unit_ids)]
    body = push(cluster, wave["wave_id"], rows, world.agency.headers).json()
    assert (body["quarantined_questionnaire_ids"], body["quarantined_reasons"]) == ([], [])
