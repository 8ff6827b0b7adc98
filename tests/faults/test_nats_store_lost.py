"""NATS comes back without its store while the services run (a new volume, a wiped disk):
every stream is gone. The services, not restarted, must repair it by themselves: each relay
creates its stream again and publishes its log into it, the consumers carry on from where
they were, keys work again on every service, and what is written afterwards arrives, each
questionnaire counted once. The streams end up holding exactly the logs."""

from __future__ import annotations

import shutil

import httpx
import pytest

from tests.e2e import thin_path
from tests.e2e.processes import Api
from tests.faults.checks import assert_stream_is_the_log
from tests.faults.system import FaultySystem

pytestmark = [pytest.mark.e2e, pytest.mark.infra, pytest.mark.timeout(600)]


def _status(url: str, key: str) -> int | None:
    try:
        return httpx.get(url, headers={"X-API-Key": key}, timeout=10).status_code
    except httpx.HTTPError:
        return None


def _answers(url: str, key: str) -> bool:
    return _status(url, key) == 200


@pytest.mark.parametrize("faulty", [("registry", "survey")], indirect=True)
def test_the_services_repair_streams_that_nats_lost(faulty: FaultySystem) -> None:
    api = Api(faulty.urls())
    ctx = thin_path.register(api)
    wave = thin_path.open_wave(api, ctx)
    items = thin_path.questionnaires(ctx["units"], 60, seed=5)
    thin_path.push(api, ctx, wave["wave_id"], items[:30], batch=10, key_prefix="before")
    thin_path.progress(api, ctx, wave["wave_id"], 30)

    faulty.nats.kill()
    shutil.rmtree(faulty.nats.store)
    faulty.nats.start()
    faulty.faults.append("nats-server killed, its store removed, started again")

    # The office's key works on survey again once survey's copy of the registry's log is
    # current: only possible once the registry's relay has re-created its stream.
    progress_url = f"{faulty.url('survey')}/waves/{wave['wave_id']}/progress"
    thin_path.wait_until(
        lambda: _answers(progress_url, ctx["office"]["api_key"]), "keys work on survey", 90
    )
    # A key issued after the loss reaches survey through the re-created stream.
    agency = api.call(
        "registry", "POST", "/principals", json={"name": "第二调查机构", "role": "agency"}
    )
    thin_path.wait_until(
        lambda: _status(progress_url, agency["api_key"]) not in (401, 503),
        "a key issued after the loss is known to survey",
        90,
    )
    thin_path.push(api, ctx, wave["wave_id"], items[30:], batch=10, key_prefix="after")
    thin_path.assert_progress(api, ctx, wave["wave_id"], items)
    faulty.wait_all_ready()
    api.wait_caught_up("survey", "registry")
    for service in faulty.services:
        assert_stream_is_the_log(faulty, service)
