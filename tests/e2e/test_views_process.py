"""`pingyi serve` runs its service's leased view consumers in a supervised child process
(`pingyi views <service>`): the API process keeps only the security view; a views process
frozen while questionnaires stream in shows as stalled in /syncz, and once SIGKILLed it is
started again and survey's `waves` view catches up with every questionnaire counted once;
stopping the service stops its views process, and a service SIGKILLed takes it with it."""

from __future__ import annotations

import os
import re
import signal
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.survey.main import SERVICE as SURVEY
from services.survey.views.waves import WAVES_VIEW
from shared.registry_view import SECURITY_VIEW
from shared.service.view_consumers import consumer_name
from tests.conftest import ADMIN_KEY, NATS_URL
from tests.e2e import thin_path
from tests.e2e.processes import Api, ProductionSystem, production_env
from tests.e2e.test_relay_process import alive

pytestmark = [pytest.mark.e2e, pytest.mark.infra]
ADMIN = {"X-API-Key": ADMIN_KEY}


def views_of(system: ProductionSystem, service: str) -> dict[str, Any]:
    """What /readyz says about the service's views process (ready or not)."""
    body = httpx.get(f"{system.url(service)}/readyz", timeout=10).json()
    views: dict[str, Any] = body["checks"]["views"]
    return views


def child_pid(system: ProductionSystem, service: str) -> int:
    pid: int = views_of(system, service)["process"]["pid"]
    return pid


def consumers(system: ProductionSystem, service: str) -> dict[tuple[str, str], dict[str, Any]]:
    url = f"{system.url(service)}/operations/consumers"
    body = httpx.get(url, headers=ADMIN, timeout=10).json()
    return {(c["consumer"], c["upstream"]): c for c in body["consumers"]}


def syncz(system: ProductionSystem, service: str) -> httpx.Response:
    return httpx.get(f"{system.url(service)}/syncz", timeout=10)


def response_count(api: Api, wave_id: str) -> int:
    count: int = api.call("survey", "GET", f"/waves/{wave_id}")["response_count"]
    return count


@pytest.fixture
def system(database_url: str, nats_namespace: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    running = ProductionSystem(production_env(database_url, nats_namespace, NATS_URL), tmp_path)
    try:
        running.start("registry")
        running.start("survey")
        yield running
    finally:
        running.stop_all()


def test_the_views_run_in_a_child_that_is_restarted_and_catches_up_exactly_once(
    system: ProductionSystem,
) -> None:
    api = Api(system.urls())
    apart = {
        (consumer_name("survey", view), upstream)
        for view in SURVEY.views
        if not view.security
        for upstream in view.upstreams
    }
    thin_path.wait_until(lambda: views_of(system, "survey")["current"], "the views reported")
    reported = consumers(system, "survey")
    assert {k for k, c in reported.items() if c["runs"] == "own_process"} == apart
    in_process = [k for k, c in reported.items() if c["runs"] == "in_process"]
    assert in_process == [(consumer_name("survey", SECURITY_VIEW), "registry")]
    first = child_pid(system, "survey")
    assert views_of(system, "survey")["pid"] == first  # the row is the child's

    ctx = thin_path.register(api)
    wave = thin_path.open_wave(api, ctx)
    items = thin_path.questionnaires(ctx["units"], 3000, seed=5)
    thin_path.push(api, ctx, wave["wave_id"], items[:500], 100)
    api.wait_caught_up("survey", "survey")
    assert response_count(api, wave["wave_id"]) == 500
    assert syncz(system, "survey").status_code == 200

    # Frozen while the rest is pushed: it stops reporting, and /syncz says so.
    os.kill(first, signal.SIGSTOP)
    pusher = Api(system.urls())  # its own connection pool: it runs on another thread
    rest = (pusher, ctx, wave["wave_id"], items[500:], 100, "rest")
    pushing = threading.Thread(target=thin_path.push, args=rest)
    pushing.start()
    try:

        def stalled() -> bool:
            answer = syncz(system, "survey")
            reasons = [c["stalled_reason"] or "" for c in answer.json()["checks"]["consumers"]]
            return answer.status_code == 503 and any("has not reported" in r for r in reasons)

        thin_path.wait_until(stalled, "/syncz reports the silent views process", 60)
        os.kill(first, signal.SIGKILL)

        def restarted() -> bool:
            process = views_of(system, "survey")["process"]
            return bool(process["restarts"] == 1 and process["running"])

        thin_path.wait_until(restarted, "the views process restarted")
        second = child_pid(system, "survey")
        assert second != first and alive(second) and not alive(first)
        assert views_of(system, "survey")["process"]["last_exit"] == -signal.SIGKILL
    finally:
        pushing.join()
    api.wait_caught_up("survey", "survey")
    assert response_count(api, wave["wave_id"]) == len(items)
    thin_path.wait_until(lambda: syncz(system, "survey").status_code == 200, "in sync again")
    key = (consumer_name("survey", WAVES_VIEW), "survey")

    def waves_reported() -> bool:
        # The restarted child's first status row can come after /syncz is 200 again: a
        # consumer no row reports yet is "not reported yet", not stalled, while the service
        # is young (PINGYI_VIEWS_START_GRACE_SECONDS). Wait for the row, then check what it says.
        waves = consumers(system, "survey")[key]
        return bool(waves["leading"] and waves["applied"] > 0)

    thin_path.wait_until(waves_reported, "the restarted views process reports the waves view")
    waves = consumers(system, "survey")[key]
    assert waves["leading"] and waves["runs"] == "own_process" and waves["applied"] > 0, waves
    metrics = httpx.get(f"{system.url('survey')}/metrics", timeout=10).text
    assert re.search(r"^pingyi_views_process_restarts_total 1\.0$", metrics, re.M), metrics

    assert system.procs["survey"].stop() in (0, -signal.SIGTERM)
    assert not alive(second), "the views process outlived its service"
    output = system.procs["survey"].output()
    assert '"views process stopped"' in output and '"service stopped"' in output

    orphan = child_pid(system, "registry")
    system.procs["registry"].kill()
    thin_path.wait_until(lambda: not alive(orphan), "the views of a killed service stopped", 30)
