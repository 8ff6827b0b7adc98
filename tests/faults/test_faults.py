"""Faults during an ingest, in the suite: agencies push questionnaires and retry every failed
batch with the same Idempotency-Key while each service is SIGKILLed and restarted in turn,
NATS is killed and restarted, and PostgreSQL is stopped in immediate mode and started again
at once. Afterwards every accepted questionnaire is counted exactly once — in survey's
progress and in scoring's standings and round run — none is lost, survey's stream holds its
log exactly once, and `pingyi replay --verify` and an audit bundle both pass.

CI pushes 2,400 questionnaires; `PINGYI_FAULTS_FULL=1` pushes 20,000 (see README.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import thin_path
from tests.e2e.processes import Api
from tests.e2e.test_production_processes import assert_bundle_verifies, replay_verify
from tests.faults.checks import (
    assert_round_counts,
    assert_stream_is_the_log,
    score_round_one,
    survey_counts_in,
)
from tests.faults.ingest import StagedIngest
from tests.faults.system import FaultySystem

FULL = os.environ.get("PINGYI_FAULTS_FULL") == "1"
QUESTIONNAIRES = 20_000 if FULL else 2_400
BATCH = 50 if FULL else 25
CLIENTS = 4

pytestmark = [pytest.mark.e2e, pytest.mark.infra, pytest.mark.timeout(3600 if FULL else 600)]


def test_every_accepted_questionnaire_counts_once_through_kills_and_restarts(
    faulty: FaultySystem, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api = Api(faulty.urls())
    ctx = thin_path.register(api)
    wave = thin_path.open_wave(api, ctx)
    items = thin_path.questionnaires(ctx["units"], QUESTIONNAIRES, seed=23)
    ingest = StagedIngest(
        faulty.url("survey"),
        ctx["agency"]["api_key"],
        wave["wave_id"],
        items,
        batch=BATCH,
        clients=CLIENTS,
        stages=7,
    )
    ingest.run(
        [
            lambda: faulty.kill_and_restart("registry"),
            lambda: faulty.kill_and_restart("survey"),
            lambda: faulty.kill_and_restart("inspection"),
            lambda: faulty.kill_and_restart("scoring"),
            lambda: faulty.restart_nats(while_down=lambda: ingest.wait_for_more(3)),
            faulty.restart_postgres,
        ]
    )
    with capsys.disabled():  # in the CI log, not only on failure
        print(f"\nfaults: {'; '.join(faulty.faults)}\nanswers: {ingest.tally.report()}")
    assert not ingest.tally.unexpected, "\n".join(ingest.tally.unexpected[:20])
    assert len(faulty.faults) == 6

    # Every batch was accepted once, whole: retries were answered with the first answer.
    answers = [ingest.answers[i] for i in range(len(ingest.batches))]
    assert all(a is not None for a in answers)
    accepted: list[dict[str, Any]] = [a for a in answers if a is not None]
    assert sum(a["accepted"] for a in accepted) == QUESTIONNAIRES
    assert sum(a["duplicates"] + a["rejected"] + a["quarantined"] for a in accepted) == 0

    faulty.wait_all_ready()
    thin_path.assert_progress(api, ctx, wave["wave_id"], items)
    for service in faulty.services:  # nothing stuck downstream after the faults
        for upstream in api.call(service, "GET", "/positions")["consumers"]:
            if upstream in faulty.services:
                api.wait_caught_up(service, upstream)
    standings, run = score_round_one(api, ctx)
    expected = thin_path.expected_counts(items)
    assert_round_counts(survey_counts_in(standings["results"]), expected, ctx["units"])
    assert_round_counts(survey_counts_in(run["results"]), expected, ctx["units"])
    assert run["upstream_positions"]["survey"] == api.head("survey")
    assert_stream_is_the_log(faulty, "survey")

    verified = replay_verify(faulty)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"{run['run_id']} (round)" in verified.stdout, verified.stdout
    assert_bundle_verifies(faulty, ctx, tmp_path)
