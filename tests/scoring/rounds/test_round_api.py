"""Campaign-round scoring over HTTP (memory mode), fed by the real registry, survey and
inspection services: schemes registered as immutable versions, a campaign's scheme, runs that
the engine recomputes byte for byte from the upstreams' published messages, standings and
what-if."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from services.scoring.engine import score_round
from shared.canonical import digest
from tests.harness import ADMIN, Cluster
from tests.scoring.rounds.helpers import (
    SCHEME,
    UPSTREAMS,
    Round,
    assign,
    caught_up,
    published,
    push,
    record_finding,
    round_cluster,
)


@pytest.fixture(scope="module")
def scored() -> Iterator[tuple[Cluster, Round]]:
    """A round with answers for three units and one finding against the first."""
    with round_cluster() as (cluster, rnd):
        push(
            cluster["survey"],
            rnd,
            [
                ("满意", "满意", "不满意"),
                ("满意", "基本满意", "不满意"),
                ("满意", "不了解", "满意"),
            ],
            "Q",
        )
        record_finding(cluster["inspection"], rnd.world.unit_ids[0], "严重", "2")
        caught_up(cluster)
        yield cluster, rnd


_assign = assign


def _messages(cluster: Cluster) -> list[Any]:
    return [message for upstream in UPSTREAMS for message in published(cluster, upstream)]


def test_a_run_is_the_engine_on_the_upstreams_messages(scored: tuple[Cluster, Round]) -> None:
    cluster, rnd = scored
    _assign(cluster, rnd, SCHEME)
    scoring = cluster["scoring"]
    path = f"/campaigns/{rnd.campaign_id}/rounds/1/score-runs"
    first = scoring.post(path, json={"reason": "中期"}, headers=rnd.world.county_office.headers)
    assert first.status_code == 201, first.text
    run = first.json()
    assert set(run["upstream_positions"]) == set(UPSTREAMS)
    assert run["final"] is False

    # The auditor's way: every message the upstreams published, folded by the same engine.
    again = score_round(SCHEME, _messages(cluster), campaign_id=rnd.campaign_id, round=1)
    assert again["upstream_positions"] == run["upstream_positions"]
    recomputed = {k: v for k, v in again.items() if k != "upstream_positions"}
    assert digest(recomputed) == digest(run["results"])
    assert run["results_digest"] == recomputed["results_digest"]

    by_unit = {unit["unit_id"]: unit for unit in run["results"]["units"]}
    first_unit, second_unit, third_unit = (by_unit[u] for u in rnd.world.unit_ids)
    # 满意 ×3 → 100, less the 严重 finding (2) → 98.00
    assert first_unit["score"] == "98.00"
    assert [d["points"] for d in first_unit["deductions"]] == ["2.00"] or first_unit["deductions"][
        0
    ]["points"].startswith("2")
    # (100 + 80) / 2 valid (不了解 excluded) = 90.00
    assert second_unit["score"] == "90.00"
    # (0 + 0 + 100) / 3 = 33.33 → 差, 通报批评
    assert third_unit["score"] == "33.33"
    assert third_unit["grade"] == "差" and "criticised" in third_unit["lists"]
    assert first_unit["rank"] == 1 and second_unit["rank"] == 2 and third_unit["rank"] == 3

    same = scoring.post(path, json={}, headers=rnd.world.city_office.headers)
    assert same.status_code == 200 and same.json()["run_id"] == run["run_id"]


def test_final_runs_publish_the_round(scored: tuple[Cluster, Round]) -> None:
    cluster, rnd = scored
    _assign(cluster, rnd, SCHEME)
    scoring = cluster["scoring"]
    path = f"/campaigns/{rnd.campaign_id}/rounds/1/score-runs"
    final = scoring.post(
        path, json={"final": True, "reason": "上半年结果"}, headers=rnd.world.county_office.headers
    )
    assert final.status_code in (200, 201), final.text
    run_id = final.json()["run_id"]
    listed = scoring.get(path, headers=rnd.world.auditor.headers)
    assert listed.status_code == 200
    assert run_id in [r["run_id"] for r in listed.json()]
    assert all("results" not in r for r in listed.json())
    caught = [m for m in published(cluster, "scoring") if m.event_type == "scoring.round.scored"]
    payload = next(m.payload for m in caught if m.payload["run_id"] == run_id)
    assert payload["final"] is True
    assert payload["jurisdiction_id"] == rnd.world.county_id
    assert payload["results_digest"] == final.json()["results_digest"]


def test_a_registered_version_never_changes(scored: tuple[Cluster, Round]) -> None:
    cluster, _ = scored
    scoring = cluster["scoring"]
    scoring.post("/schemes", json={"document": SCHEME, "reason": "首次"}, headers=ADMIN)
    again = scoring.post("/schemes", json={"document": SCHEME, "reason": "重复"}, headers=ADMIN)
    assert again.status_code == 200
    changed = copy.deepcopy(SCHEME)
    changed["components"][0]["level_weights"]["基本满意"] = 60
    refused = scoring.post("/schemes", json={"document": changed, "reason": "改"}, headers=ADMIN)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "scheme_version_taken"
    changed["version"] = 2
    accepted = scoring.post("/schemes", json={"document": changed, "reason": "新版"}, headers=ADMIN)
    assert accepted.status_code == 201, accepted.text
    listed = {(s["scheme_id"], s["version"]) for s in scoring.get("/schemes", headers=ADMIN).json()}
    assert {("test-county-round", 1), ("test-county-round", 2)} <= listed
    shipped = scoring.get("/schemes/luohe-2yr-zhengfeng/versions/1", headers=ADMIN)
    assert shipped.status_code == 200 and shipped.json()["title"]


def test_an_invalid_scheme_names_the_field(scored: tuple[Cluster, Round]) -> None:
    cluster, _ = scored
    broken = copy.deepcopy(SCHEME) | {"version": 9}
    broken["components"][0]["weight"] = "heavy"
    refused = cluster["scoring"].post(
        "/schemes", json={"document": broken, "reason": "坏"}, headers=ADMIN
    )
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["error"] == "scheme_invalid"
    assert "weight" in refused.text


def test_what_if_shows_who_changes_and_stores_nothing(scored: tuple[Cluster, Round]) -> None:
    cluster, rnd = scored
    _assign(cluster, rnd, SCHEME)
    scoring = cluster["scoring"]
    before = published(cluster, "scoring")
    draft = copy.deepcopy(SCHEME) | {"version": 3}
    draft["components"][0]["level_weights"]["基本满意"] = 60
    answer = scoring.post(
        f"/campaigns/{rnd.campaign_id}/rounds/1/what-if",
        json={"document": draft},
        headers=rnd.world.county_office.headers,
    )
    assert answer.status_code == 200, answer.text
    differences = {d["unit_id"]: d for d in answer.json()["differences"]}
    # Only the second unit had a 基本满意: (100 + 60) / 2 = 80.00 instead of 90.00.
    assert set(differences) == {rnd.world.unit_ids[1]}
    assert "90.00" in str(differences[rnd.world.unit_ids[1]])
    assert "80.00" in str(differences[rnd.world.unit_ids[1]])
    assert published(cluster, "scoring") == before


def test_standings_follow_new_answers(scored: tuple[Cluster, Round]) -> None:
    cluster, rnd = scored
    _assign(cluster, rnd, SCHEME)
    path = f"/campaigns/{rnd.campaign_id}/rounds/1/standings"
    headers = rnd.world.county_office.headers
    before = cluster["scoring"].get(path, headers=headers)
    assert before.status_code == 200, before.text
    push(cluster["survey"], rnd, [("不满意", "满意", "满意")], "S")
    caught_up(cluster)
    after = cluster["scoring"].get(path, headers=headers).json()
    assert after["upstream_positions"]["survey"] > before.json()["upstream_positions"]["survey"]
    scores = {u["unit_id"]: u["score"] for u in after["results"]["units"]}
    assert scores[rnd.world.unit_ids[2]] == "50.00"  # (0 + 0 + 100 + 100) / 4


def test_scope_and_roles(scored: tuple[Cluster, Round]) -> None:
    cluster, rnd = scored
    scoring = cluster["scoring"]
    path = f"/campaigns/{rnd.campaign_id}/rounds/1/score-runs"
    assert (
        scoring.post(path, json={}, headers=rnd.world.other_county_office.headers).status_code
        == 403
    )
    assert scoring.post(path, json={}, headers=rnd.world.auditor.headers).status_code == 403
    assert scoring.post(path, json={}, headers=rnd.world.agency.headers).status_code == 403
    assert scoring.post(path, json={}).status_code == 401
    unknown = scoring.post(
        "/campaigns/00000000-0000-4000-8000-000000000009/rounds/1/score-runs",
        json={},
        headers=ADMIN,
    )
    assert unknown.status_code == 404 and unknown.json()["error"] == "campaign_not_found"
    past = scoring.post(f"/campaigns/{rnd.campaign_id}/rounds/3/score-runs", json={}, headers=ADMIN)
    assert past.status_code == 404 and past.json()["detail"][0]["field"] == "path.round_number"


def test_a_later_round_reads_the_earlier_final_result(scored: tuple[Cluster, Round]) -> None:
    """Round 2's fold takes round 1's final result from scoring's own log (what multi-cycle
    rules read); a round never reads its own runs, so asking again finds the same run."""
    cluster, rnd = scored
    _assign(cluster, rnd, SCHEME)
    scoring = cluster["scoring"]
    headers = rnd.world.county_office.headers
    final = scoring.post(
        f"/campaigns/{rnd.campaign_id}/rounds/1/score-runs",
        json={"final": True, "reason": "上半年"},
        headers=headers,
    ).json()
    second = scoring.post(
        f"/campaigns/{rnd.campaign_id}/rounds/2/score-runs", json={}, headers=headers
    )
    assert second.status_code in (200, 201), second.text
    run = second.json()
    mine = [
        m
        for m in published(cluster, "scoring")
        if m.event_type == "scoring.round.scored" and m.payload["final"]
    ]
    assert run["upstream_positions"]["scoring"] == max(m.position for m in mine)
    assert any(m.payload["run_id"] == final["run_id"] for m in mine)
    again = score_round(SCHEME, [*_messages(cluster), *mine], campaign_id=rnd.campaign_id, round=2)
    assert again["upstream_positions"] == run["upstream_positions"]
    assert again["inputs_digest"] == run["inputs_digest"]
    assert again["results_digest"] == run["results_digest"]
    repeat = scoring.post(
        f"/campaigns/{rnd.campaign_id}/rounds/1/score-runs",
        json={"final": True, "reason": "上半年"},
        headers=headers,
    )
    assert repeat.status_code == 200 and repeat.json()["run_id"] == final["run_id"]


@pytest.mark.parametrize(
    ("where", "value"),
    [("title", "测试\x00方案"), ("formula", "满意\x07计100分"), ("version", 10**30)],
)
def test_hostile_scheme_text_is_refused(
    scored: tuple[Cluster, Round], where: str, value: object
) -> None:
    """Scheme words are published with every result: they go through the kernel's text type."""
    cluster, _ = scored
    hostile = copy.deepcopy(SCHEME) | {"version": 11}
    if where == "formula":
        hostile["components"][0]["formula"] = value
    else:
        hostile[where] = value
    refused = cluster["scoring"].post(
        "/schemes", json={"document": hostile, "reason": "坏"}, headers=ADMIN
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "scheme_invalid"
    assert where in refused.json()["detail"][0]["field"]


def test_standings_at_the_same_positions_are_kept_per_scheme(
    scored: tuple[Cluster, Round],
) -> None:
    """Results are kept per (round, scheme hash, positions): asked again with nothing new,
    the standings are the same, each caller's copy its own; another scheme at the same
    positions is computed under that scheme, and a new answer moves the positions on."""
    from services.scoring.engine.scheme import Scheme

    cluster, rnd = scored
    app = cluster["scoring"].app.state.runtime.application
    campaign = rnd.campaign_id
    scheme = Scheme.from_document(SCHEME)
    other_document = copy.deepcopy(SCHEME) | {"version": SCHEME["version"] + 1}
    other = Scheme.from_document(other_document)
    first = app.standings(campaign, 1, scheme)
    first["results"]["units"].clear()  # a caller's copy, not the kept one
    second = app.standings(campaign, 1, scheme)
    assert second["upstream_positions"] == first["upstream_positions"]
    assert second["results"]["units"], "the kept results were not the caller's"
    again = score_round(SCHEME, _messages(cluster), campaign_id=campaign, round=1)
    assert second["results"]["results_digest"] == again["results_digest"]
    under_other = app.standings(campaign, 1, other)
    assert under_other["results"]["scheme"]["version"] == SCHEME["version"] + 1
    push(cluster["survey"], rnd, [("满意", "满意", "满意")], "K")
    caught_up(cluster)
    moved = app.standings(campaign, 1, scheme)
    assert moved["upstream_positions"]["survey"] > second["upstream_positions"]["survey"]
    assert moved["results"]["results_digest"] != second["results"]["results_digest"]
