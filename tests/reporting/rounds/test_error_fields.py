"""Reporting's errors name a path or query input as its validation errors do, with where it
came from (`path.round_number`, `query.version`), so a client reads one convention whether
the input was malformed (422) or names nothing published (404). The helpers' round, scored
and published once; round 2 never scored. Each refusal of reporting's own reads Chinese
first, English after."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from httpx import Response

from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.reporting.reasons import chinese_first
from tests.reporting.rounds.helpers import SERVICES, Scored, run, scored_round


def _error(response: Response) -> tuple[int, str, str]:
    body: dict[str, Any] = response.json()
    entry = body["detail"][0]
    # pydantic's own (422) are worded by `shared.reasons`; every other is reporting's.
    assert response.status_code == 422 or chinese_first(entry["reason"]), entry
    return response.status_code, body["error"], entry["field"]


@pytest.fixture(scope="module")
def story() -> Iterator[tuple[Scored, dict[str, Any]]]:
    with Cluster(in_memory(), SERVICES) as cluster:
        scored = scored_round(cluster)
        final = run(scored, final=True, reason="上半年结果")
        yield scored, final


def test_an_embargoed_round_names_path_round_number_as_validation_does(story: Any) -> None:
    scored, _ = story
    get = scored.reporting.get
    for rest in ("/rounds/1", "/rounds/1/results.pdf", "/rounds/1/snapshot"):
        assert _error(get(scored.public(rest))) == (404, "not_published", "path.round_number")
    invalid = _error(get(scored.public("/rounds/0")))
    assert invalid[0] == 422 and invalid[2] == "path.round_number"
    page = get(f"/public/pages/campaigns/{scored.rnd.campaign_id}/rounds/1")
    assert _error(page) == (404, "not_published", "path.round_number")
    nothing = get(
        f"/public/campaigns/{scored.rnd.campaign_id}/units/{scored.rnd.world.unit_ids[0]}"
    )
    assert _error(nothing) == (404, "not_published", "path.campaign_id")


def _published(scored: Scored, final: dict[str, Any]) -> None:
    """Version 1 in force (publishing it again is a no-op)."""
    response = scored.reporting.post(
        scored.path("/rounds/1/publications"),
        json={"run_id": final["run_id"]},
        headers=scored.office,
    )
    assert response.status_code in (200, 201), response.text
    scored.cluster.wait_caught_up("reporting", "reporting")


def test_a_version_or_category_that_names_nothing_names_its_query_parameter(story: Any) -> None:
    scored, final = story
    _published(scored, final)
    get = scored.reporting.get
    assert _error(get(scored.public("/rounds/1?version=9"))) == (
        404,
        "not_published",
        "query.version",
    )
    invalid = _error(get(scored.public("/rounds/1?version=x")))
    assert invalid[0] == 422 and invalid[2] == "query.version"
    missing = get(scored.public("/rounds/1/charts/ranking.svg?category=无此类别"))
    assert _error(missing) == (404, "category_not_found", "query.category")
    other = get(f"/public/campaigns/{uuid4()}/units/{scored.rnd.world.unit_ids[0]}/trend")
    assert _error(other) == (404, "not_published", "path.campaign_id")


def test_an_office_reads_the_same_convention(story: Any) -> None:
    scored, _ = story
    get = scored.reporting.get
    unscored = get(scored.path("/rounds/2/results"), headers=scored.office)
    assert _error(unscored) == (404, "round_not_scored", "path.round_number")
    no_run = get(scored.path(f"/rounds/1/results?run_id={uuid4()}"), headers=scored.office)
    assert _error(no_run) == (404, "round_run_not_found", "query.run_id")
    stranger = scored.rnd.world.other_county_unit_id
    assert _error(get(scored.path(f"/units/{stranger}"), headers=scored.office)) == (
        404,
        "round_not_scored",
        "path.unit_id",
    )
    summary = f"/summaries/jurisdictions/{uuid4()}/campaigns/{scored.rnd.campaign_id}/rounds/1"
    assert _error(get(summary, headers=ADMIN)) == (
        404,
        "jurisdiction_not_found",
        "path.jurisdiction_id",
    )


def test_a_round_with_nothing_published_lists_no_publications(story: Any) -> None:
    """`GET …/publications` lists the round's versions: a round of the campaign with none
    answers 200 with an empty history (as the project's lists answer when empty, and as
    scoring's `…/score-runs` of an unscored round), not 404 `not_published`, which says
    nothing an office does not know. A round the campaign does not have is 404, naming it."""
    scored, _ = story
    get = scored.reporting.get
    empty = get(scored.path("/rounds/2/publications"), headers=scored.office)
    assert empty.status_code == 200, empty.text
    assert empty.json() == {
        "campaign_id": scored.rnd.campaign_id,
        "round": 2,
        "jurisdiction_id": scored.rnd.world.county_id,
        "campaign_name": "舞阳县2026年度民主评议政风行风",
        "version": None,
        "run_id": None,
        "published_at": None,
        "versions": [],
        "withdrawn": None,
        "withdrawals": [],
    }
    audited = get(scored.path("/rounds/2/publications"), headers=scored.rnd.world.auditor.headers)
    assert audited.status_code == 200 and audited.json()["versions"] == []
    past = get(scored.path("/rounds/3/publications"), headers=scored.office)
    assert _error(past) == (404, "round_not_found", "path.round_number")
    # Publishing or withdrawing that round is answered alike, not 422 or 409.
    post = scored.reporting.post
    for path, body in (
        ("/rounds/3/publications", {"run_id": str(uuid4()), "reason": "发布"}),
        ("/rounds/3/withdrawals", {"reason": "撤回"}),
    ):
        refused = post(scored.path(path), json=body, headers=scored.office)
        assert _error(refused) == (404, "round_not_found", "path.round_number"), path
    # The public still learns nothing of an embargoed round.
    assert _error(get(scored.public("/rounds/2"))) == (404, "not_published", "path.round_number")
