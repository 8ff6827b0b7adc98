"""Withdrawing a publication made in error (撤回), behind the real services (memory mode):
only the office that may publish may withdraw, with a reason; every public route, page,
file, chart, summary, trend and dossier that showed the round then answers 410
`publication_withdrawn` naming when and why (to a browser, the page 已撤回), never the
results; offices still read the run and its withdrawal history; an Idempotency-Key is
honoured as when publishing; withdrawing again, or what was never published, is a 409; and
the round published again shows normally, the withdrawn version staying withdrawn."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import in_memory
from tests.harness import Cluster
from tests.reporting.rounds.helpers import SERVICES, Scored, publish, published_round
from tests.scoring.rounds.helpers import published

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
REASON = "误将未经审定的结果发布，待解禁时间确定后重新发布"
KEY = {"Idempotency-Key": "withdraw-1"}
POLICE_SCORE = "93.00"  # the first unit's published score (test_publication's figures)


@pytest.fixture(scope="module")
def story() -> Iterator[tuple[Scored, dict[str, Any]]]:
    with Cluster(in_memory(), SERVICES) as cluster:
        yield published_round(cluster)


def _withdraw(
    scored: Scored,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
    round_number: int = 1,
) -> Any:
    response = scored.reporting.post(
        scored.path(f"/rounds/{round_number}/withdrawals"),
        json=body,
        headers=scored.office if headers is None else headers,
    )
    scored.cluster.wait_caught_up("reporting", "reporting")
    return response


def _public_reads(scored: Scored) -> list[tuple[str, str]]:
    """(path, field its 410 names) of every public read that shows round 1."""
    world = scored.rnd.world
    unit, county, campaign = world.unit_ids[0], world.county_id, scored.rnd.campaign_id
    summary = f"/summaries/jurisdictions/{county}/campaigns/{campaign}/rounds/1"
    round_reads = [
        scored.public(f"/rounds/1{rest}")
        for rest in (
            "",
            "/snapshot",
            "/results.xlsx",
            "/results.csv",
            "/results.pdf",
            "/charts/ranking.svg",
            "/charts/grades.svg",
            "/charts/ranking.png",
            "/charts/grades.png",
        )
    ] + [
        f"/public{summary}",
        f"/public/pages{summary}",
        f"/public/pages/campaigns/{campaign}/rounds/1",
    ]
    unit_reads = [
        scored.public(f"/units/{unit}{rest}")
        for rest in ("", "/trend", "/charts/trend.svg", "/charts/trend.png", "/dossier.pdf")
    ] + [f"/public/pages/campaigns/{campaign}/units/{unit}"]
    return [(path, "path.round_number") for path in round_reads] + [
        (path, "path.campaign_id") for path in unit_reads
    ]


def test_only_the_office_that_may_publish_may_withdraw_with_a_reason(story: Any) -> None:
    scored, _ = story
    world = scored.rnd.world
    body = {"reason": REASON}
    for caller in (world.auditor, scored.unit_key, world.other_county_office):
        refused = _withdraw(scored, body, caller.headers)
        assert refused.status_code == 403, (caller, refused.text)
    assert _withdraw(scored, body, {}).status_code == 401
    for bad in ({}, {"reason": "   "}, {"reason": REASON, "run_id": "x"}):
        invalid = _withdraw(scored, bad)
        assert invalid.status_code == 422, (bad, invalid.text)
    for bad in ({}, {"reason": "   "}):
        assert _withdraw(scored, bad).json()["detail"][0]["field"] == "body.reason"
    # A round never published: nothing to withdraw.
    never = _withdraw(scored, body, round_number=2)
    assert never.status_code == 409, never.text
    assert never.json()["error"] == "nothing_to_withdraw"
    assert never.json()["detail"][0]["field"] == "path.round_number"
    # Nothing of that changed the public round.
    assert scored.reporting.get(scored.public("/rounds/1")).status_code == 200


def test_a_withdrawal_takes_every_public_read_away_saying_when_and_why(story: Any) -> None:
    scored, first = story
    reads = _public_reads(scored)
    for path, _ in reads:
        shown = scored.reporting.get(path)
        assert shown.status_code == 200, (path, shown.text)

    answer = _withdraw(scored, {"reason": REASON}, scored.office | KEY)
    assert answer.status_code == 201, answer.text
    withdrawn = answer.json()
    assert withdrawn | {"withdrawn_at": None} == {
        "campaign_id": scored.rnd.campaign_id,
        "round": 1,
        "version": 1,
        "run_id": first["run_id"],
        "reason": REASON,
        "withdrawn_by": f"office:{scored.rnd.world.county_office.principal_id}",
        "withdrawn_at": None,
        "status": "withdrawn",
    }
    [message] = [
        m
        for m in published(scored.cluster, "reporting")
        if m.event_type == "reporting.results.withdrawn"
    ]
    assert message.payload["reason"] == REASON and message.payload["run_id"] == first["run_id"]
    assert message.occurred_at.isoformat() == withdrawn["withdrawn_at"]

    readers: list[dict[str, str]] = [{}, scored.unit_key.headers]
    for headers in readers:
        for path, field in reads:
            gone = scored.reporting.get(path, headers=headers)
            assert gone.status_code == 410, (path, gone.text)
            assert gone.headers["content-type"] == "application/json", path
            body = gone.json()
            assert body["error"] == "publication_withdrawn", path
            [detail] = body["detail"]
            assert detail["field"] == field, path
            assert detail["context"]["withdrawn_at"] == withdrawn["withdrawn_at"]
            assert detail["context"]["withdrawal_reason"] == REASON
            assert "已撤回" in detail["reason"] and REASON in detail["reason"]
            assert POLICE_SCORE not in gone.text, path
    named = scored.reporting.get(scored.public("/rounds/1?version=1"))
    assert named.status_code == 410
    assert named.json()["detail"][0]["field"] == "query.version"

    # The neighbouring county's office reads only what is published: withdrawn for it too.
    world = scored.rnd.world
    neighbour = scored.reporting.get(
        f"/summaries/jurisdictions/{world.other_county_id}/campaigns/"
        f"{scored.rnd.campaign_id}/rounds/1",
        headers=world.other_county_office.headers,
    )
    assert neighbour.status_code == 410 and neighbour.json()["error"] == "publication_withdrawn"


def test_a_browser_reads_the_withdrawn_page_and_the_index_says_so(story: Any) -> None:
    scored, _ = story
    campaign = scored.rnd.campaign_id
    for path in (
        f"/public/pages/campaigns/{campaign}/rounds/1",
        f"/public/pages/campaigns/{campaign}/units/{scored.rnd.world.unit_ids[0]}",
    ):
        page = scored.reporting.get(path, headers={"Accept": BROWSER})
        assert page.status_code == 410, page.text
        assert page.headers["content-type"].startswith("text/html")
        assert "410 结果已撤回" in page.text and REASON in page.text
        assert '<code class="error-code">publication_withdrawn</code>' in page.text
        assert POLICE_SCORE not in page.text

    [listed] = scored.reporting.get("/public/results").json()
    assert (listed["status"], listed["withdrawn"]["reason"]) == ("withdrawn", REASON)
    index = scored.reporting.get("/public/pages")
    assert index.status_code == 200 and "已撤回" in index.text and REASON in index.text


def test_offices_still_read_the_run_and_its_withdrawal(story: Any) -> None:
    scored, first = story
    for headers in (scored.office, scored.rnd.world.auditor.headers):
        results = scored.reporting.get(scored.path("/rounds/1/results"), headers=headers)
        assert results.status_code == 200, results.text
        body = results.json()
        assert body["run_id"] == first["run_id"]
        publication = body["publication"]
        assert publication["withdrawn"]["reason"] == REASON
        assert [v["status"] for v in publication["versions"]] == ["withdrawn"]
        history = scored.reporting.get(scored.path("/rounds/1/publications"), headers=headers)
        assert history.status_code == 200, history.text
        assert [w["reason"] for w in history.json()["withdrawals"]] == [REASON]
        [head] = scored.reporting.get(scored.path("/rounds"), headers=headers).json()
        assert (head["published_version"], head["withdrawn"]["version"]) == (None, 1)

    summary = scored.reporting.get(
        f"/summaries/jurisdictions/{scored.rnd.world.county_id}/campaigns/"
        f"{scored.rnd.campaign_id}/rounds/1",
        headers=scored.office,
    )
    assert summary.status_code == 200, summary.text
    assert (summary.json()["run_id"], summary.json()["published"]) == (first["run_id"], None)
    trend = scored.reporting.get(
        scored.path(f"/units/{scored.rnd.world.unit_ids[0]}/trend"), headers=scored.office
    )
    assert trend.status_code == 200 and trend.json()["points"][0]["score"] == POLICE_SCORE

    # An office's copy of the run says in the file that it was withdrawn.
    copy = scored.reporting.get(scored.path("/rounds/1/results.csv"), headers=scored.office)
    assert copy.status_code == 200
    header, *lines = csv.reader(io.StringIO(copy.content.decode("utf-8-sig")))
    assert header[0] == "类别" and header[-1] == "状态"
    assert lines and all(line[-1] == f"第1版，已撤回（{REASON}）" for line in lines)
    assert "withdrawn" in copy.headers["content-disposition"]


def test_a_withdrawal_retried_with_its_key_answers_the_first_answer(story: Any) -> None:
    scored, _ = story
    listed = scored.reporting.get(scored.path("/rounds/1/publications"), headers=scored.office)
    first = listed.json()["withdrawals"][0]
    retried = _withdraw(scored, {"reason": REASON}, scored.office | KEY)
    assert retried.status_code == 201, retried.text
    assert retried.json()["withdrawn_at"] == first["withdrawn_at"]
    other = _withdraw(scored, {"reason": "另一个原因"}, scored.office | KEY)
    assert other.status_code == 409, other.text
    assert other.json()["detail"][0]["field"] == "Idempotency-Key"
    # Without a key, withdrawing again is refused: nothing of the round is public.
    again = _withdraw(scored, {"reason": REASON})
    assert again.status_code == 409, again.text
    assert again.json()["error"] == "already_withdrawn"
    assert again.json()["detail"][0]["field"] == "path.round_number"
    history = scored.reporting.get(scored.path("/rounds/1/publications"), headers=scored.office)
    assert len(history.json()["withdrawals"]) == 1


def test_a_withdrawn_round_published_again_shows_normally(story: Any) -> None:
    scored, first = story
    again = publish(scored, {"run_id": first["run_id"]})
    assert (again["version"], again["supersedes"], again["status"]) == (2, None, "current")

    for path, _ in _public_reads(scored):
        shown = scored.reporting.get(path)
        assert shown.status_code == 200, (path, shown.text)
    body = scored.reporting.get(scored.public("/rounds/1")).json()
    assert (body["run_id"], body["published"]["version"]) == (first["run_id"], 2)
    statuses = [(v["version"], v["status"]) for v in body["publication"]["versions"]]
    assert statuses == [(1, "withdrawn"), (2, "current")]
    assert body["publication"]["withdrawn"] is None
    old = scored.reporting.get(scored.public("/rounds/1?version=1"))
    assert old.status_code == 410 and old.json()["detail"][0]["field"] == "query.version"
    [listed] = scored.reporting.get("/public/results").json()
    assert (listed["status"], listed["version"]) == ("current", 2)
    dossier = scored.reporting.get(scored.public(f"/units/{scored.rnd.world.unit_ids[0]}"))
    assert dossier.json()["withdrawn"] == [] and dossier.json()["trend"][0]["score"] == "93.00"
    page = scored.reporting.get(f"/public/pages/campaigns/{scored.rnd.campaign_id}/rounds/1")
    assert "第1版（已撤回" in page.text and REASON in page.text
    # The republished version is in force again, and may itself be withdrawn.
    [head] = scored.reporting.get(scored.path("/rounds"), headers=scored.office).json()
    assert (head["published_version"], head["withdrawn"]) == (2, None)
