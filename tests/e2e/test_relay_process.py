"""`pingyi serve` runs its service's relay as a supervised child process holding the
service's relay lease: a relay SIGKILLed while questionnaires stream in is started again and
the stream holds the log exactly once; stopping the service stops its relay, and a service
SIGKILLed takes its relay with it; of two replicas' relays exactly one publishes, and a
relay takes over when it dies (the other replica's, or the dead one's successor)."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from pathlib import Path
from typing import Any

import nats
import pytest

from pingyi.composition import open_outbox
from shared.messaging.jetstream import stream_name
from shared.settings import CommonSettings
from tests.conftest import NATS_URL
from tests.e2e import thin_path
from tests.e2e.processes import (
    Api,
    Proc,
    ProductionSystem,
    pingyi_command,
    production_env,
    wait_ready,
)
from tests.ports import quiet_ports
from tests.shared.relay_support import assert_exactly_the_log, stream_messages

pytestmark = [pytest.mark.e2e, pytest.mark.infra]


def alive(pid: int) -> bool:
    """Running, and not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def relay_of(api: Api, service: str) -> dict[str, Any]:
    relay: dict[str, Any] = api.call(service, "GET", "/readyz")["checks"]["relay"]
    return relay


def child_pid(api: Api, service: str) -> int:
    pid: int = relay_of(api, service)["process"]["pid"]
    return pid


def assert_stream_is_the_log(system: ProductionSystem, namespace: str) -> int:
    common = CommonSettings(
        mode="production", database_url=system.env["PINGYI_DATABASE_URL"], namespace=namespace
    )
    outbox = open_outbox("survey", common)
    try:
        log = list(outbox.iterate())
        head = outbox.head()
    finally:
        outbox.close()

    async def whole_stream() -> list[Any]:
        nc = await nats.connect(NATS_URL)
        try:
            return await stream_messages(nc.jetstream(), stream_name(namespace, "survey"))
        finally:
            await nc.close()

    api = Api(system.urls())
    thin_path.wait_until(
        lambda: relay_of(api, "survey")["published_to"] == head, "the relay caught up"
    )
    assert_exactly_the_log(asyncio.run(whole_stream()), log)
    return len(log)


@pytest.fixture
def system(database_url: str, nats_namespace: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    running = ProductionSystem(production_env(database_url, nats_namespace, NATS_URL), tmp_path)
    try:
        running.start("registry")
        running.start("survey")
        yield running
    finally:
        running.stop_all()


def test_a_killed_relay_is_restarted_and_the_stream_holds_the_log_once(
    system: ProductionSystem, nats_namespace: str
) -> None:
    api = Api(system.urls())
    ctx = thin_path.register(api)
    wave = thin_path.open_wave(api, ctx)
    items = thin_path.questionnaires(ctx["units"], 5000, seed=3)
    thin_path.push(api, ctx, wave["wave_id"], items[:1000], 100)
    first = child_pid(api, "survey")
    head = api.head("survey")
    thin_path.wait_until(
        lambda: relay_of(api, "survey")["published_to"] == head, "the first push published"
    )
    # Frozen while the rest is pushed, then killed: only its successor can publish that.
    os.kill(first, signal.SIGSTOP)
    pusher = Api(system.urls())  # its own connection pool: it runs on another thread
    rest = (pusher, ctx, wave["wave_id"], items[1000:], 100, "rest")
    pushing = threading.Thread(target=thin_path.push, args=rest)
    pushing.start()
    try:
        thin_path.wait_until(lambda: (api.head("survey") or 0) > head + 500, "a backlog")
        os.kill(first, signal.SIGKILL)

        def restarted() -> bool:
            process = relay_of(api, "survey")["process"]
            return bool(process["restarts"] == 1 and process["running"])

        thin_path.wait_until(restarted, "the relay restarted")
        second = child_pid(api, "survey")
        assert second != first and alive(second) and not alive(first)
        assert relay_of(api, "survey")["process"]["last_exit"] == -signal.SIGKILL
    finally:
        pushing.join()
    published = assert_stream_is_the_log(system, nats_namespace)
    assert published == 1 + len(items) // 100  # the wave and one batch part per push of 100
    relay = relay_of(api, "survey")
    assert f":{second}:" in relay["holder"]  # host:pid:instance
    assert relay["published"] > 0, "the restarted relay had nothing left to publish"

    assert system.procs["survey"].stop() in (0, -signal.SIGTERM)
    assert not alive(second), "the relay outlived its service"
    output = system.procs["survey"].output()
    assert '"relay process stopped"' in output and '"service stopped"' in output

    orphan = child_pid(api, "registry")
    system.procs["registry"].kill()
    thin_path.wait_until(lambda: not alive(orphan), "the relay of a killed service stopped", 30)


def test_of_two_replicas_one_relay_publishes_and_another_takes_over_when_it_dies(
    system: ProductionSystem, nats_namespace: str, tmp_path: Path
) -> None:
    port = quiet_ports(1)[0]
    env = dict(system.env, PINGYI_SURVEY_PORT=str(port))
    replica = Proc("survey-2", pingyi_command("serve", "survey"), env, tmp_path / "survey-2.log")
    replica.start()
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(url, replica)
        api = Api({**system.urls(), "replica": url})
        thin_path.wait_until(lambda: relay_of(api, "replica")["current"], "a relay publishes")
        children = {child_pid(api, "survey"), child_pid(api, "replica")}
        holder = int(relay_of(api, "survey")["holder"].split(":")[-2])
        assert holder in children
        assert relay_of(api, "replica")["holder"] == relay_of(api, "survey")["holder"]

        ctx = thin_path.register(api)
        wave = thin_path.open_wave(api, ctx)
        items = thin_path.questionnaires(ctx["units"], 1500, seed=4)
        thin_path.push(api, ctx, wave["wave_id"], items[:500], 100)
        os.kill(holder, signal.SIGKILL)

        def taken_over() -> bool:
            row = relay_of(api, "replica")
            return row["current"] and int(row["holder"].split(":")[-2]) != holder

        thin_path.wait_until(taken_over, "another relay took the lease over", 60)
        thin_path.push(api, ctx, wave["wave_id"], items[500:], 100, key_prefix="later")
        # The wave, and one batch part per push of 100.
        assert assert_stream_is_the_log(system, nats_namespace) == 1 + len(items) // 100
    finally:
        replica.stop()
