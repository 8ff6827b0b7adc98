"""End to end in embedded mode: `pingyi up` as one process, SQLite files, no servers."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx
import pytest

from pingyi.catalog import NAMES as SERVICES
from pingyi.demo import DEMO_SCHEME, DEMO_WAVE, FINDINGS, PUBLIC_UNITS, PUBLIC_WAVE, VOTERS
from tests.conftest import ADMIN_KEY
from tests.e2e import thin_path
from tests.e2e.processes import Api, Proc, pingyi_command, wait_ready
from tests.ports import quiet_ports

pytestmark = pytest.mark.e2e


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGYI_")}
    env.update(
        {
            "PINGYI_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
            "PINGYI_DATA_DIR": str(data_dir),
            "PINGYI_LOG_JSON": "false",
        }
    )
    return env


def _up(data_dir: Path, log: Path, *extra: str) -> tuple[Proc, dict[str, str]]:
    base = quiet_ports(len(SERVICES))[0]
    urls = {s: f"http://127.0.0.1:{base + i}" for i, s in enumerate(SERVICES)}
    proc = Proc(
        "pingyi up", pingyi_command("up", "--base-port", str(base), *extra), _env(data_dir), log
    )
    proc.start()
    for url in urls.values():
        wait_ready(url, proc)
    return proc, urls


def test_thin_path_embedded_survives_a_restart_and_replays(tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc, urls = _up(data, tmp_path / "up.log")
    try:
        # The admin key is read off this line: whole, on it, however long the path (a pipe).
        thin_path.wait_until(lambda: "admin key" in proc.output(), "the admin key printed")
        [line] = [line for line in proc.output().splitlines() if "admin key" in line]
        assert line.endswith(f"admin key (X-API-Key): {ADMIN_KEY}"), line
        assert f"data: {data.resolve()}   " in line, line
        api = Api(urls)
        ctx = thin_path.register(api)
        wave = thin_path.open_wave(api, ctx)
        items = thin_path.questionnaires(ctx["units"], 400)
        thin_path.push(api, ctx, wave["wave_id"], items)
        thin_path.assert_progress(api, ctx, wave["wave_id"], items)
        counted = thin_path.correct_and_void(api, ctx, wave["wave_id"], items)
        rankings = thin_path.close_and_rank(api, ctx, wave["wave_id"])
        thin_path.assert_rankings_match(rankings, counted, ctx["units"])
        thin_path.assert_closed_refuses(api, ctx, wave["wave_id"])
    finally:
        assert proc.stop() == 0, proc.output()[-3000:]

    again, urls = _up(data, tmp_path / "up2.log")
    try:
        kept = thin_path.round_results(Api(urls), ctx)
        assert kept == rankings
    finally:
        again.stop()

    verified = subprocess.run(
        pingyi_command("replay", "--verify", "--data-dir", str(data)),
        env=_env(data),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "一致 (identical)" in verified.stdout


def test_demo_shows_both_luohe_rankings(tmp_path: Path) -> None:
    proc, urls = _up(tmp_path / "data", tmp_path / "demo.log", "--demo", "--questionnaires", "1500")
    try:
        thin_path.wait_until(
            lambda: "公共服务行业" in proc.output() and "名次" in proc.output(),
            "demo rankings printed",
            timeout=180,
        )
        api = Api(urls)
        waves = {w["name"]: w for w in api.call("survey", "GET", "/waves")}
        wave = api.call("survey", "GET", f"/waves/{waves[DEMO_WAVE]['wave_id']}")
        assert wave["campaign_id"] is not None and wave["round"] == 1
        dimensions = [d["name"] for d in wave["template"]["dimensions"]]
        assert len(dimensions) == 6 and dimensions[0] == "履行职责、落实政策情况"
        assert len(wave["points"]) == 5
        progress = thin_path.progress(
            api, {"office": {"api_key": ADMIN_KEY}}, wave["wave_id"], 1500
        )
        assert sum(p["collected"] for p in progress["by_point"].values()) == 1500
        assert set(progress["by_group"]) == {"service_user", "supervisor", "public"}
        path = f"/campaigns/{wave['campaign_id']}/rounds/1/results"
        result = api.call("reporting", "GET", path)
        assert result["final"] is True
        sizes = {c["category"]: len(c["entries"]) for c in result["categories"]}
        assert sizes == {"政府部门及其它机构": 53, "公共服务行业": 27}
        # What the demo printed is that run's ranking, best first.
        best = result["categories"][0]["entries"][0]
        assert best["rank"] == 1 and best["unit_name"] in proc.output()

        voting = waves[PUBLIC_WAVE]
        assert voting["status"] == "open"
        thin_path.progress(api, {"office": {"api_key": ADMIN_KEY}}, voting["wave_id"], VOTERS)
        public = httpx.get(f"{urls['survey']}/public/waves/{voting['wave_id']}")
        assert public.status_code == 200 and len(public.json()["units"]) == PUBLIC_UNITS
        assert "already_voted" in proc.output()

        # Inspection: findings with deductions, a rectification order and a verified complaint.
        thin_path.wait_until(
            lambda: (
                [c["outcome"] for c in api.call("inspection", "GET", "/complaints")] == ["verified"]
            ),
            "the demo's complaint concluded in inspection's view",
        )
        assert len(api.call("inspection", "GET", "/findings")) == len(FINDINGS)
        orders = api.call("inspection", "GET", "/rectifications")
        assert [o["finding_ids"] for o in orders] == [[orders[0]["finding_ids"][0]]]

        # Scoring: round 1's final result under the shipped 漯河 scheme, from all three feeds.
        runs = api.call("scoring", "GET", f"/campaigns/{wave['campaign_id']}/rounds/1/score-runs")
        (final,) = [run for run in runs if run["final"]]
        assert set(final["upstream_positions"]) >= {"registry", "survey", "inspection"}
        assert final["scheme"]["scheme_id"] == DEMO_SCHEME
        results = api.call("scoring", "GET", f"/round-runs/{final['run_id']}")["results"]
        assert len(results["units"]) == 80
        deducted = [u for u in results["units"] if any(d["items"] for d in u["deductions"])]
        assert deducted, "the demo's findings are deducted"
        # Reporting: the demo published it, so anyone reads it without a key.
        public = httpx.get(
            f"{urls['reporting']}/public/campaigns/{wave['campaign_id']}/rounds/1", timeout=30
        )
        assert public.status_code == 200, public.text
        assert final["run_id"] in public.text
        # HEAD as GET through uvicorn (shared/web/head.py): GET's headers, no body.
        head = httpx.head(public.url, timeout=30)
        assert head.status_code == 200 and head.content == b"", head.text
        assert head.headers["content-length"] == public.headers["content-length"]
        assert head.headers["cache-control"] == "no-cache"
        best_line = best["unit_name"]
    finally:
        assert proc.stop() == 0, proc.output()[-3000:]

    # A second `pingyi up --demo` on the same data (the README's documented start, run
    # again): the demo is not loaded twice, its rankings are shown again, the system stays up.
    again, urls = _up(tmp_path / "data", tmp_path / "again.log", "--demo")
    try:
        thin_path.wait_until(
            lambda: "not loaded again" in again.output() and "名次" in again.output(),
            "the kept demo's rankings printed",
            timeout=120,
        )
        assert best_line in again.output()
        assert again.process is not None and again.process.poll() is None, again.output()
        waves = [w["name"] for w in Api(urls).call("survey", "GET", "/waves")]
        assert waves.count(DEMO_WAVE) == 1
    finally:
        assert again.stop() == 0, again.output()[-3000:]
