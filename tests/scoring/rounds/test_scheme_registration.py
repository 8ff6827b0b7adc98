"""QA's findings on schemes and score runs, over HTTP on the real services: a new scheme
follows every rule and a refusal names every problem by its path; a scheme id belongs to
the jurisdiction that registered it first and a shipped one to no office; a scheme
registered before the new rules (a v1 event, no owner recorded) still loads and scores; a
score-run request names only what it means; and a final asked for again after the campaign
went back to an earlier scheme is the round's new result, in scoring and in reporting."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from services.scoring.engine.scheme import Scheme
from services.scoring.rounds.domain import RoundRuns, SchemeRecord, round_runs_id
from services.scoring.rounds.replay import _schemes as replay_schemes
from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.scoring.rounds.helpers import (
    SCHEME,
    Round,
    campaign_round,
    caught_up,
    push,
    register_before_owners,
)

SERVICES = ["registry", "survey", "inspection", "scoring", "reporting"]


@pytest.fixture(scope="module")
def scored() -> Iterator[tuple[Cluster, Round]]:
    with Cluster(in_memory(), SERVICES) as cluster:
        rnd = campaign_round(cluster)
        answers = [("满意", "基本满意", "不满意"), ("满意", "满意", "不了解")]
        push(cluster["survey"], rnd, answers, "Q")
        caught_up(cluster)
        cluster.wait_caught_up("reporting", "registry")
        yield cluster, rnd


def _doc(scheme_id: str, version: int = 1) -> dict[str, Any]:
    return copy.deepcopy(SCHEME) | {"scheme_id": scheme_id, "version": version}


def _register(cluster: Cluster, doc: dict[str, Any], headers: dict[str, str]) -> Any:
    return cluster["scoring"].post(
        "/schemes", json={"document": doc, "reason": "测试"}, headers=headers
    )


def _broken(change: str) -> dict[str, Any]:
    doc = _doc("qa-sem", 11)
    component = doc["components"][0]
    if change == "unknown level":
        component["level_weights"]["非常满意"] = 100
    elif change == "1000 points":
        component["level_weights"]["满意"] = 1000
    elif change == "floor above ceiling":
        doc["arithmetic"] = {"floor": 100, "ceiling": 0}
    elif change == "grade twice":
        doc["grading"]["grades"] = ["好", "中", "中", "差"]
    elif change == "votes level":
        doc["lists"][0]["when"] = {"votes": {"component": "questionnaire", "levels": ["非常满意"]}}
    elif change == "top 0":
        doc["lists"][0]["when"] = {"top": 0}
    elif change == "version true":
        doc["version"] = True
    elif change == "version text":
        doc["version"] = "2"
    elif change == "min_sample true":
        component["min_sample"] = True
    return doc


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ("unknown level", "document.components.0.level_weights.非常满意"),
        ("1000 points", "document.components.0.level_weights.满意"),
        ("floor above ceiling", "document.arithmetic.floor"),
        ("grade twice", "document.grading.grades.2"),
        ("votes level", "document.lists.0.when.votes.levels.0"),
        ("top 0", "document.lists.0.when.top"),
        ("version true", "document.version"),
        ("version text", "document.version"),
        ("min_sample true", "document.components.0.min_sample"),
    ],
)
def test_what_qa_registered_is_refused_naming_the_field(
    scored: tuple[Cluster, Round], change: str, field: str
) -> None:
    cluster, rnd = scored
    refused = _register(cluster, _broken(change), rnd.world.county_office.headers)
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["error"] == "scheme_invalid"
    assert field in [d["field"] for d in body["detail"]], body
    # The same document in what-if is refused the same way, and nothing 500s.
    tried = cluster["scoring"].post(
        f"/campaigns/{rnd.campaign_id}/rounds/1/what-if",
        json={"document": _broken(change)},
        headers=rnd.world.county_office.headers,
    )
    assert tried.status_code == 422 and tried.json()["detail"] == body["detail"], tried.text


def test_every_problem_is_named(scored: tuple[Cluster, Round]) -> None:
    cluster, rnd = scored
    doc = _broken("unknown level")
    doc["components"][0]["level_weights"]["满意"] = 1000
    doc["arithmetic"] = {"floor": 100, "ceiling": 0}
    refused = _register(cluster, doc, rnd.world.county_office.headers)
    assert refused.status_code == 422, refused.text
    detail = refused.json()["detail"]
    assert [d["field"] for d in detail] == [
        "document.components.0.level_weights.满意",
        "document.components.0.level_weights.非常满意",
        "document.arithmetic.floor",
    ]
    assert all(d["reason"] for d in detail)


def test_rule_problems_are_named_beside_shape_errors(scored: tuple[Cluster, Round]) -> None:
    """QA: a shape error hid the rule problems of the parts that did parse."""
    cluster, rnd = scored
    doc = _broken("unknown level")
    doc["version"] = "11"
    refused = _register(cluster, doc, rnd.world.county_office.headers)
    assert refused.status_code == 422, refused.text
    assert [d["field"] for d in refused.json()["detail"]] == [
        "document.version",
        "document.components.0.level_weights.非常满意",
    ]


def test_the_score_interval_method_is_registered_and_an_unknown_one_refused_by_path(
    scored: tuple[Cluster, Round],
) -> None:
    cluster, rnd = scored
    headers = rnd.world.county_office.headers
    bounded = _doc("qa-bounded")
    bounded["statistics"] = bounded["statistics"] | {"score_interval": "bounded"}
    registered = _register(cluster, bounded, headers)
    assert registered.status_code == 201, registered.text
    got = cluster["scoring"].get("/schemes/qa-bounded/versions/1", headers=headers)
    assert got.json()["document"]["statistics"]["score_interval"] == "bounded"
    unknown = _doc("qa-bounded", 2)
    unknown["statistics"] = {"score_interval": "wilson"}
    refused = _register(cluster, unknown, headers)
    assert refused.status_code == 422, refused.text
    (detail,) = refused.json()["detail"]
    assert detail["field"] == "document.statistics.score_interval"
    assert "bounded" in detail["reason"], detail


def test_a_scheme_id_belongs_to_the_jurisdiction_that_registered_it(
    scored: tuple[Cluster, Round],
) -> None:
    cluster, rnd = scored
    world = rnd.world
    first = _register(cluster, _doc("wuyang-own"), world.county_office.headers)
    assert first.status_code == 201, first.text
    taken = _register(cluster, _doc("wuyang-own", 2), world.other_county_office.headers)
    assert taken.status_code == 409, taken.text
    assert taken.json()["error"] == "scheme_id_taken"
    (detail,) = taken.json()["detail"]
    assert detail["field"] == "document.scheme_id"
    assert world.county_id in detail["reason"] and "scheme id of your own" in detail["reason"]
    listed = cluster["scoring"].get("/schemes", headers=ADMIN).json()
    assert ("wuyang-own", 2) not in {(s["scheme_id"], s["version"]) for s in listed}
    # Its own office, the city's above it and an admin may add versions; it stays the
    # county's.
    for version, caller in ((2, world.county_office), (3, world.city_office)):
        added = _register(cluster, _doc("wuyang-own", version), caller.headers)
        assert added.status_code == 201, added.text
    assert _register(cluster, _doc("wuyang-own", 4), ADMIN).status_code == 201
    again = _register(cluster, _doc("wuyang-own", 5), world.other_county_office.headers)
    assert again.status_code == 409, again.text
    app = cluster["scoring"].app.state.runtime.application
    assert app.scheme_owner("wuyang-own") == (True, world.county_id)
    # The other county registers under an id of its own.
    mine = _register(cluster, _doc("linying-own"), world.other_county_office.headers)
    assert mine.status_code == 201, mine.text


def test_a_shipped_scheme_gets_no_new_version_from_anyone(scored: tuple[Cluster, Round]) -> None:
    """What QA did: 郑州's office published v2 of the shipped 漯河 scheme."""
    cluster, rnd = scored
    shipped = cluster["scoring"].get("/schemes/luohe-2yr-zhengfeng/versions/1", headers=ADMIN)
    document = shipped.json()["document"]
    for headers in (rnd.world.other_county_office.headers, ADMIN):
        refused = _register(cluster, document | {"version": 2}, headers)
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"] == "scheme_shipped"
        assert refused.json()["detail"][0]["field"] == "document.scheme_id"
    # The shipped document itself is what is registered under its version: 200, nothing new.
    same = _register(cluster, document, rnd.world.county_office.headers)
    assert same.status_code == 200, same.text
    missing = cluster["scoring"].get("/schemes/luohe-2yr-zhengfeng/versions/2", headers=ADMIN)
    assert missing.status_code == 404


def test_a_scheme_registered_before_the_new_rules_still_loads_and_scores(
    scored: tuple[Cluster, Round],
) -> None:
    cluster, rnd = scored
    scoring = cluster["scoring"]
    old = _doc("old-county-scheme")
    old["components"][0]["level_weights"]["非常满意"] = 100  # never counted: not on the scale
    old["lists"].append({"code": "nobody", "name": "无", "when": {"top": 0}})
    register_before_owners(cluster, old)
    app = scoring.app.state.runtime.application
    record = app._get(SchemeRecord.create_id("old-county-scheme", 1), SchemeRecord)
    assert record.jurisdiction_id is None  # upcast from v1: no office owns it
    # Replay reads the registered schemes from the log the same way: it loads.
    assert isinstance(replay_schemes(app)[("old-county-scheme", 1)], Scheme)
    read = scoring.get("/schemes/old-county-scheme/versions/1", headers=ADMIN)
    assert read.status_code == 200, read.text
    assigned = scoring.put(
        f"/campaigns/{rnd.campaign_id}/scheme",
        json={"scheme_id": "old-county-scheme", "version": 1, "reason": "旧方案"},
        headers=rnd.world.county_office.headers,
    )
    assert assigned.status_code == 200, assigned.text
    run = scoring.post(
        f"/campaigns/{rnd.campaign_id}/rounds/1/score-runs",
        json={"reason": "旧方案试算"},
        headers=rnd.world.county_office.headers,
    )
    assert run.status_code in (200, 201), run.text
    assert run.json()["scheme"]["scheme_id"] == "old-county-scheme"
    # Registered again as a new document, it meets the rules of today.
    assert _register(cluster, old, ADMIN).status_code == 422
    # No office owns it: a new version is an admin's.
    fixed = _doc("old-county-scheme", 2)
    assert _register(cluster, fixed, rnd.world.county_office.headers).status_code == 409
    assert _register(cluster, fixed, ADMIN).status_code == 201


def test_a_score_run_request_names_only_what_it_means(scored: tuple[Cluster, Round]) -> None:
    cluster, rnd = scored
    path = f"/campaigns/{rnd.campaign_id}/rounds/1/score-runs"
    headers = rnd.world.county_office.headers
    for body, fields in (
        ({"final": True, "scheme_id": "qa-sem", "version": 11}, {"body.scheme_id", "body.version"}),
        ({"final": False, "version": 11}, {"body.version"}),
        ({"final": "yes"}, {"body.final"}),
    ):
        refused = cluster["scoring"].post(path, json=body, headers=headers)
        assert refused.status_code == 422, refused.text
        assert {d["field"] for d in refused.json()["detail"]} == fields, refused.text


def test_a_final_after_going_back_to_an_earlier_scheme_is_the_round_s_result(
    scored: tuple[Cluster, Round],
) -> None:
    """QA: final under A (R1), final under B (R2), the campaign back to A, final again: the
    answer was R1 while reporting and the audit export kept R2. Now it is a new final R3,
    with R1's results, and it is the round's result everywhere."""
    cluster, rnd = scored
    scoring, headers = cluster["scoring"], rnd.world.county_office.headers
    a, b = _doc("refinal-a"), _doc("refinal-b")
    b["components"][0]["level_weights"]["基本满意"] = 60
    for doc in (a, b):
        assert _register(cluster, doc, headers).status_code == 201

    def final_under(doc: dict[str, Any]) -> Any:
        assigned = scoring.put(
            f"/campaigns/{rnd.campaign_id}/scheme",
            json={"scheme_id": doc["scheme_id"], "version": 1, "reason": "换方案"},
            headers=headers,
        )
        assert assigned.status_code == 200, assigned.text
        return scoring.post(
            f"/campaigns/{rnd.campaign_id}/rounds/1/score-runs",
            json={"final": True, "reason": "结果"},
            headers=headers,
        )

    first, second, third = final_under(a), final_under(b), final_under(a)
    assert [r.status_code for r in (first, second, third)] == [201, 201, 201]
    r1, r2, r3 = (r.json() for r in (first, second, third))
    assert len({r1["run_id"], r2["run_id"], r3["run_id"]}) == 3
    assert r3["scheme"] == r1["scheme"] and r3["results_digest"] == r1["results_digest"]
    assert r3["upstream_positions"] == r1["upstream_positions"]
    # Asked again with nothing new: the round's result, not another run.
    again = scoring.post(
        f"/campaigns/{rnd.campaign_id}/rounds/1/score-runs",
        json={"final": True},
        headers=headers,
    )
    assert again.status_code == 200 and again.json()["run_id"] == r3["run_id"]
    app = scoring.app.state.runtime.application
    from uuid import UUID

    runs = app._get(round_runs_id(UUID(rnd.campaign_id), 1), RoundRuns)
    assert runs.final_run_id == r3["run_id"]
    cluster.wait_caught_up("reporting", "scoring")
    results = cluster["reporting"].get(
        f"/campaigns/{rnd.campaign_id}/rounds/1/results", headers=headers
    )
    assert results.status_code == 200, results.text
    assert results.json()["run_id"] == r3["run_id"]
