"""End to end: five services as separate processes over real PostgreSQL and JetStream."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest

from tests.conftest import NATS_URL
from tests.e2e import thin_path
from tests.e2e.processes import Api, ProductionSystem, pingyi_command, production_env

pytestmark = [pytest.mark.e2e, pytest.mark.infra]


@pytest.fixture
def system(database_url: str, nats_namespace: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    running = ProductionSystem(production_env(database_url, nats_namespace, NATS_URL), tmp_path)
    try:
        yield running.start_all()
    finally:
        codes = running.stop_all()
    # uvicorn re-raises SIGTERM after a graceful shutdown, so -15 is a clean exit too.
    assert all(code in (0, -15) for code in codes.values()), codes
    for name, proc in running.procs.items():
        assert '"service stopped"' in proc.output(), f"{name} did not shut down gracefully"


def replay_verify(system: ProductionSystem) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        pingyi_command("replay", "--verify"),
        env=system.env | {"COLUMNS": "300"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_thin_path_from_registration_to_a_replayable_ranking(
    system: ProductionSystem, tmp_path: Path
) -> None:
    api = Api(system.urls())
    ctx = thin_path.register(api)
    wave = thin_path.open_wave(api, ctx)
    items = thin_path.questionnaires(ctx["units"], 600)
    thin_path.push(api, ctx, wave["wave_id"], items)
    thin_path.push(api, ctx, wave["wave_id"], items[:250])  # an agency's retry changes nothing
    thin_path.assert_progress(api, ctx, wave["wave_id"], items)
    counted = thin_path.correct_and_void(api, ctx, wave["wave_id"], items)
    rankings = thin_path.close_and_rank(api, ctx, wave["wave_id"])
    thin_path.assert_rankings_match(rankings, counted, ctx["units"])
    thin_path.assert_closed_refuses(api, ctx, wave["wave_id"])
    round_run = score_round_one(api, ctx)

    verified = replay_verify(system)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "一致 (identical)" in verified.stdout
    assert f"{round_run['run_id']} (round)" in verified.stdout, verified.stdout
    assert_bundle_verifies(system, ctx, tmp_path)


def score_round_one(api: Api, ctx: dict[str, object]) -> dict[str, object]:
    """Round 1's final result under the shipped 漯河 scheme, in scoring's own process: the
    engine on what registry, survey and inspection published over JetStream."""
    campaign = ctx["campaign"]
    assert isinstance(campaign, dict)
    campaign_id = campaign["campaign_id"]
    for upstream in ("registry", "survey", "inspection"):
        api.wait_caught_up("scoring", upstream)
    api.call(
        "scoring",
        "PUT",
        f"/campaigns/{campaign_id}/scheme",
        json={"scheme_id": "luohe-2yr-zhengfeng", "version": 1, "reason": "年度方案"},
        expect=200,
    )
    run: dict[str, object] = api.call(
        "scoring",
        "POST",
        f"/campaigns/{campaign_id}/rounds/1/score-runs",
        json={"final": True, "reason": "上半年结果"},
        expect=201,
    )
    positions = run["upstream_positions"]
    assert isinstance(positions, dict) and {"registry", "survey"} <= set(positions)
    return run


def assert_bundle_verifies(system: ProductionSystem, ctx: dict[str, object], tmp: Path) -> None:
    """The stored round result exported from PostgreSQL, then verified from the file alone."""
    campaign = ctx["campaign"]
    assert isinstance(campaign, dict)
    bundle = tmp / "round-1.zip"
    exported = subprocess.run(
        pingyi_command(
            "audit", "export", "--campaign", str(campaign["campaign_id"]), "--out", str(bundle)
        ),
        env=system.env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert exported.returncode == 0, exported.stdout + exported.stderr
    offline = {k: v for k, v in system.env.items() if not k.startswith("PINGYI_")}
    verified = subprocess.run(
        pingyi_command("audit", "verify", str(bundle)),
        env=offline,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_scoring_killed_mid_stream_counts_every_questionnaire_exactly_once(
    system: ProductionSystem,
) -> None:
    api = Api(system.urls())
    ctx = thin_path.register(api)
    wave = thin_path.open_wave(api, ctx)
    items = thin_path.questionnaires(ctx["units"], 5000, seed=11)

    pusher = Api(system.urls())  # its own connection pool: it runs on another thread
    pushing = threading.Thread(
        target=thin_path.push, args=(pusher, ctx, wave["wave_id"], items, 100)
    )
    pushing.start()

    # Kill scoring once it has applied part of the stream, then bring it back.
    def survey_applied() -> int:
        applied: int | None = api.call("scoring", "GET", "/positions")["consumers"].get("survey")
        return applied or 0

    thin_path.wait_until(lambda: survey_applied() > 800, "scoring applied part of the stream")
    system.procs["scoring"].kill()
    system.start("scoring")
    pushing.join()

    rankings = thin_path.close_and_rank(api, ctx, wave["wave_id"])
    thin_path.assert_rankings_match(rankings, items, ctx["units"])
    verified = replay_verify(system)
    assert verified.returncode == 0, verified.stdout + verified.stderr
