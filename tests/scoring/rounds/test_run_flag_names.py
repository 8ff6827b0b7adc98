"""A run's answer names a missing required component by its name in the scheme, as the
standings do (`flag_names`), whether the run was just recorded, asked for again with its
Idempotency-Key, or read by id, while its results and digest stay as stored and replayed:
the flag keeps the component's code (`缺少必需成分:questionnaire`)."""

from __future__ import annotations

from typing import Any

from tests.scoring.rounds.helpers import assign, caught_up, push, round_cluster
from tests.scoring.rounds.test_standings_flag_names import REQUIRED

IN_WORDS = "缺少必需成分：问卷测评群众满意度"
AS_STORED = "缺少必需成分:questionnaire"


def _units(body: dict[str, Any]) -> dict[str, Any]:
    return {unit["unit_id"]: unit for unit in body["results"]["units"]}


def test_a_run_answers_its_flags_in_words_and_keeps_its_results() -> None:
    with round_cluster() as (cluster, rnd):
        # The third unit's answers are all 不了解, excluded: no valid questionnaire.
        push(cluster["survey"], rnd, [("满意", "满意", "不了解")] * 2, "Q")
        caught_up(cluster)
        assign(cluster, rnd, REQUIRED)
        scoring, office = cluster["scoring"], rnd.world.county_office.headers
        path = f"/campaigns/{rnd.campaign_id}/rounds/1/score-runs"
        standings = scoring.get(f"/campaigns/{rnd.campaign_id}/rounds/1/standings", headers=office)
        keyed = office | {"Idempotency-Key": "run-flag-names"}
        first = scoring.post(path, json={"final": False, "reason": "中期"}, headers=keyed)
        retried = scoring.post(path, json={"final": False, "reason": "中期"}, headers=keyed)
        again = scoring.post(path, json={"final": False, "reason": "中期"}, headers=office)
        read = scoring.get(f"/round-runs/{first.json()['run_id']}", headers=office)
        # A run whose scheme is no longer known as it was (another hash under its id and
        # version) keeps the code: no other document's words.
        app = scoring.app.state.runtime.application
        stored = app.round_run(first.json()["run_id"])
        stored.scheme = {**stored.scheme, "scheme_hash": "sha256:another"}
        unknown = app.round_run_answer(stored)
    assert standings.status_code == 200, standings.text
    assert (first.status_code, retried.status_code, again.status_code) == (201, 201, 200)
    assert read.status_code == 200, read.text
    missing = rnd.world.unit_ids[2]
    for answer in (first, retried, again, read):
        body = answer.json()
        assert body["flag_names"] == {missing: [IN_WORDS, "样本不足"]}, answer.text
        # The results and their digest are the run's as stored and as the standings computed
        # them: the flag in code form, the digest over it, still matching it.
        assert AS_STORED in _units(body)[missing]["flags"]
        assert body["results"] == standings.json()["results"]
        assert body["results_digest"] == standings.json()["results"]["results_digest"]
        assert body["integrity_warning"] is None
    assert retried.json() == first.json()
    assert unknown["flag_names"] == {missing: ["缺少必需成分：questionnaire", "样本不足"]}
