"""A final run that would replace the round's final result needs a reason (QA:
any office could replace the published result without a word): 422 `reason_required`
naming `body.reason`, nothing recorded; with a reason the new final records it and the run
it replaced (`RoundRun.Computed` v2 `replaces`), shown in the run's JSON. A round's first
final, a provisional run and a final asked for again (the stored run) need none; a run
stored before v2 loads with `replaces` null."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from uuid import UUID, uuid4

import pytest

from services.scoring.rounds.domain import RoundRun
from tests.harness import Cluster
from tests.scoring.rounds.helpers import (
    Round,
    assign,
    caught_up,
    push,
    round_cluster,
)

ANSWERS = [("满意", "满意", "不满意"), ("满意", "基本满意", "不满意")]


@pytest.fixture(scope="module")
def scored() -> Iterator[tuple[Cluster, Round]]:
    with round_cluster() as (cluster, rnd):
        assign(cluster, rnd)
        push(cluster["survey"], rnd, ANSWERS, "Q")
        caught_up(cluster)
        yield cluster, rnd


def _run(cluster: Cluster, rnd: Round, body: dict[str, Any]) -> Any:
    return cluster["scoring"].post(
        f"/campaigns/{rnd.campaign_id}/rounds/1/score-runs",
        json=body,
        headers=rnd.world.county_office.headers,
    )


def _runs(cluster: Cluster, rnd: Round) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (
        cluster["scoring"]
        .get(
            f"/campaigns/{rnd.campaign_id}/rounds/1/score-runs",
            headers=rnd.world.county_office.headers,
        )
        .json()
    )
    return found


def test_replacing_the_published_final_needs_a_reason(scored: tuple[Cluster, Round]) -> None:
    cluster, rnd = scored
    first = _run(cluster, rnd, {"final": True})  # the round's first final: no reason needed
    assert first.status_code == 201, first.text
    assert first.json()["replaces"] is None
    assert _run(cluster, rnd, {"final": True}).json()["run_id"] == first.json()["run_id"]
    assert _run(cluster, rnd, {"final": False}).status_code in (200, 201)  # provisional

    push(cluster["survey"], rnd, [("不满意", "不满意", "满意")], "R")  # new answers
    caught_up(cluster)
    before = _runs(cluster, rnd)
    for body in ({"final": True}, {"final": True, "reason": "　 "}):
        refused = _run(cluster, rnd, body)
        assert refused.status_code == 422, refused.text
        [detail] = refused.json()["detail"]
        assert refused.json()["error"] == "reason_required"
        assert detail["field"] == "body.reason"
        assert detail["reason"].startswith("本轮已有最终结果, ")
        assert "give the reason" in detail["reason"]
    assert _runs(cluster, rnd) == before  # nothing recorded

    second = _run(cluster, rnd, {"final": True, "reason": "补录问卷后重新计分"})
    assert second.status_code == 201, second.text
    run = second.json()
    assert (run["reason"], run["replaces"]) == ("补录问卷后重新计分", first.json()["run_id"])
    shown = cluster["scoring"].get(
        f"/round-runs/{run['run_id']}", headers=rnd.world.county_office.headers
    )
    assert shown.json()["replaces"] == first.json()["run_id"]
    # Asked again with nothing new: the round's result answers, reason or not.
    again = _run(cluster, rnd, {"final": True})
    assert (again.status_code, again.json()["run_id"]) == (200, run["run_id"])


def test_a_run_stored_before_v2_loads_with_replaces_null(scored: tuple[Cluster, Round]) -> None:
    cluster, rnd = scored
    app = cluster["scoring"].app.state.runtime.application
    provisional = _run(cluster, rnd, {"final": False})
    assert provisional.status_code in (200, 201), provisional.text
    stored_run = app.round_run(UUID(provisional.json()["run_id"]))
    fields = {
        name: getattr(stored_run, name)
        for name in (
            "campaign_id",
            "round_number",
            "jurisdiction_id",
            "final",
            "scheme",
            "upstream_positions",
            "inputs_digest",
            "results",
            "results_digest",
            "trigger",
            "actor",
            "reason",
        )
    }
    old = RoundRun.computed(uuid4(), **fields, replaces="ignored")
    stored = app.mapper.to_stored_event(old.collect_events()[0])
    state = app.mapper.transcoder.decode(stored.state)
    state.pop("replaces")
    state.pop("class_version", None)
    app.recorder.insert_events([replace(stored, state=app.mapper.transcoder.encode(state))])
    loaded = app.round_run(old.id)
    assert loaded.replaces is None
    answer = cluster["scoring"].get(
        f"/round-runs/{old.id}", headers=rnd.world.county_office.headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["replaces"] is None
