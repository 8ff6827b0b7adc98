"""Round results behind the real registry, survey, inspection and scoring services (memory
mode): offices read every run, nothing is public until an office publishes a final run,
publishing is an event citing the run and a digest of exactly what was published, and a
correction is a new version with a reason while the old one stays visible as superseded.

The figures, worked by hand from `helpers.ANSWERS` (满意 100, 基本满意 80, 不满意 0, 不了解
not valid, at least 3 valid answers, 严重 finding −2):
  公安局 满意×3 + 基本满意 → 380 / 4 = 95.00 − 2 = 93.00 → 好, 先进单位, rank 1;
         shares 75.00 / 25.00 / 0.00
  教育局 满意 + 基本满意 + 不满意 → 180 / 3 = 60.00 → 差, 通报批评 and 约谈, rank 2;
         shares 33.33 each
  供电公司 不满意×2 (2 valid < 3) → 0.00, 样本不足: neither ranked nor graded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest

from shared.canonical import digest
from tests.reporting.rounds.helpers import (
    Scored,
    provisional_then_final,
    publish,
    round_scored,
)
from tests.scoring.rounds.helpers import published


@pytest.fixture(scope="module")
def story() -> Iterator[tuple[Scored, dict[str, Any], dict[str, Any]]]:
    """A provisional run, then a final one; nothing published yet."""
    with provisional_then_final() as story:
        yield story


def _get(scored: Scored, path: str, headers: dict[str, str] | None = None) -> Any:
    return scored.reporting.get(path, headers=headers or {})


def _by_name(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["unit_name"]: e for c in results["categories"] for e in c["entries"]}


def test_offices_read_every_run_before_publication(story: Any) -> None:
    scored, provisional, final = story
    current = _get(scored, scored.path("/rounds/1/results"), scored.office)
    assert current.status_code == 200, current.text
    body = current.json()
    assert (body["run_id"], body["final"]) == (final["run_id"], True)
    assert body["results_digest"] == final["results_digest"]
    assert body["campaign_name"] == "舞阳县2026年度民主评议政风行风"
    assert body["publication"] is None
    named = _get(
        scored, scored.path(f"/rounds/1/results?run_id={provisional['run_id']}"), scored.office
    ).json()
    assert (named["run_id"], named["final"]) == (provisional["run_id"], False)

    units = _by_name(body)
    police, education, power = (
        units[n] for n in ("舞阳县公安局", "舞阳县教育局", "舞阳县供电公司")
    )
    assert (police["score"], police["rank"], police["grade"]) == ("93.00", 1, "好")
    assert (education["score"], education["rank"], education["grade"]) == ("60.00", 2, "差")
    assert (power["score"], power["rank"], power["grade"]) == ("0.00", None, None)
    assert power["insufficient_sample"] is True and "样本不足" in power["flags"]
    assert police["insufficient_sample"] is False
    [share] = police["shares"]
    assert share["counts"] == {"满意": 3, "基本满意": 1, "不满意": 0, "不了解": 0}
    assert share["shares"] == {"满意": "75.00", "基本满意": "25.00", "不满意": "0.00"}
    assert share["valid"] == 4
    assert education["shares"][0]["shares"] == {
        "满意": "33.33",
        "基本满意": "33.33",
        "不满意": "33.33",
    }
    assert police["rank_range"] is not None and police["interval"] is not None

    lists = {item["code"]: item for item in body["lists"]}
    assert lists["advanced"]["name"] == "先进单位"
    assert [u["unit_name"] for u in lists["advanced"]["units"]] == ["舞阳县公安局"]
    assert [u["unit_name"] for u in lists["criticised"]["units"]] == ["舞阳县教育局"]
    assert lists["summoned"]["name"] == "约谈"
    assert body["grade_counts"] == {"好": 1, "中": 0, "差": 1}

    rounds = _get(scored, scored.path("/rounds"), scored.rnd.world.auditor.headers).json()
    assert [(r["round"], r["current_run_id"], r["published_version"]) for r in rounds] == [
        (1, final["run_id"], None)
    ]
    assert [r["run_id"] for r in rounds[0]["runs"]] == [provisional["run_id"], final["run_id"]]


def test_nothing_is_public_or_seen_by_units_before_publication(story: Any) -> None:
    scored, _, _ = story
    unit = scored.unit_key.headers
    for path in ("/rounds/1/results", "/rounds/1/results.csv", "/rounds"):
        refused = _get(scored, scored.path(path), unit)
        assert refused.status_code == 403, (path, refused.text)
        assert _get(scored, scored.path(path)).status_code == 401
    other = scored.rnd.world.other_county_office.headers
    assert _get(scored, scored.path("/rounds/1/results"), other).status_code == 403
    unit_id = scored.rnd.world.unit_ids[0]
    for path in (
        scored.public("/rounds/1"),
        scored.public("/rounds/1/snapshot"),
        scored.public("/rounds/1/results.xlsx"),
        scored.public("/rounds/1/charts/ranking.svg"),
        scored.public(f"/units/{unit_id}"),
    ):
        for headers in ({}, unit):
            hidden = _get(scored, path, headers)
            assert hidden.status_code == 404, (path, hidden.text)
            assert hidden.json()["error"] == "not_published"
    assert _get(scored, "/public/results").json() == []


def test_a_provisional_run_cannot_be_published(story: Any) -> None:
    scored, provisional, _ = story
    refused = scored.reporting.post(
        scored.path("/rounds/1/publications"),
        json={"run_id": provisional["run_id"]},
        headers=scored.office,
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "run_not_final"
    assert refused.json()["detail"][0]["field"] == "run_id"
    wrong = scored.reporting.post(
        scored.path("/rounds/1/publications"),
        json={"run_id": provisional["run_id"], "results_digest": "sha256:00"},
        headers=scored.office,
    )
    assert wrong.status_code == 409 and wrong.json()["error"] == "results_digest_mismatch"
    unknown = scored.reporting.post(
        scored.path("/rounds/1/publications"),
        json={"run_id": scored.rnd.world.unit_ids[0]},
        headers=scored.office,
    )
    assert unknown.status_code == 404 and unknown.json()["detail"][0]["field"] == "run_id"
    for headers in (scored.unit_key.headers, scored.rnd.world.auditor.headers):
        assert (
            scored.reporting.post(
                scored.path("/rounds/1/publications"), json={"run_id": "x"}, headers=headers
            ).status_code
            == 403
        )


def test_publishing_releases_exactly_the_final_run(story: Any) -> None:
    scored, _, final = story
    body = {"run_id": final["run_id"], "results_digest": final["results_digest"]}
    first = publish(scored, body | {"reason": "经县纠风办审定"})
    assert (first["version"], first["supersedes"], first["run_id"]) == (1, None, final["run_id"])
    again = publish(scored, body, status=200)
    assert again["version"] == 1

    # The message cites the run and digests what was published: scoring's payload of the run.
    [message] = [
        m
        for m in published(scored.cluster, "reporting")
        if m.event_type == "reporting.results.published"
    ]
    payload = round_scored(scored.cluster, final["run_id"]).payload
    assert message.payload["snapshot_digest"] == digest(payload) == first["snapshot_digest"]
    assert message.payload["results_digest"] == final["results_digest"]
    assert message.payload["run_id"] == final["run_id"]
    assert message.payload["jurisdiction_id"] == scored.rnd.world.county_id

    snapshot = _get(scored, scored.public("/rounds/1/snapshot"))
    assert snapshot.status_code == 200
    assert "sha256:" + hashlib.sha256(snapshot.content).hexdigest() == first["snapshot_digest"]
    assert snapshot.json() == payload

    shown = _get(scored, scored.public("/rounds/1"))
    assert shown.status_code == 200, shown.text
    result = shown.json()
    assert result["run_id"] == final["run_id"] and result["published"]["version"] == 1
    assert result["published"]["status"] == "current"
    assert result["scheme"]["scheme_id"] == "reporting-test-round"
    assert _by_name(result)["舞阳县公安局"]["score"] == "93.00"
    listed = _get(scored, "/public/results").json()
    assert [(r["campaign_id"], r["round"], r["version"]) for r in listed] == [
        (scored.rnd.campaign_id, 1, 1)
    ]
    # The unit now reads its own published dossier; still not the office's routes.
    unit_id = scored.rnd.world.unit_ids[0]
    dossier = _get(scored, scored.public(f"/units/{unit_id}"), scored.unit_key.headers)
    assert dossier.status_code == 200, dossier.text
    assert dossier.json()["trend"][0]["score"] == "93.00"
    assert (
        _get(scored, scored.path("/rounds/1/results"), scored.unit_key.headers).status_code == 403
    )


def test_the_dossier_shows_every_component_and_deduction(story: Any) -> None:
    scored, _, final = story
    unit_id = scored.rnd.world.unit_ids[0]
    response = _get(scored, scored.path(f"/units/{unit_id}"), scored.office)
    assert response.status_code == 200, response.text
    dossier = response.json()
    assert dossier["unit_name"] == "舞阳县公安局"
    [entry] = dossier["rounds"]
    assert entry["run_id"] == final["run_id"]
    result = entry["result"]
    [component] = result["components"]
    assert (component["code"], component["value"]) == ("questionnaire", "95.00")
    assert component["formula"].startswith("满意计100分")
    [deduction] = result["deductions"]
    assert deduction["points"] == "2.00" and deduction["items"]
    assert result["explanation"]
    assert dossier["trend"] == [
        {
            "round": 1,
            "score": "93.00",
            "interval": result["interval"],
            "rank": 1,
            "rank_range": result["rank_range"],
            "grade": "好",
            "lists": ["advanced"],
            "flags": result["flags"],
        }
    ]
    missing = _get(
        scored, scored.path(f"/units/{scored.rnd.world.other_county_unit_id}"), scored.office
    )
    assert missing.status_code == 404 and missing.json()["detail"][0]["field"] == "path.unit_id"
