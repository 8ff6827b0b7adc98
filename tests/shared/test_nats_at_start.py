"""NATS unreachable while a service starts: the start waits a bounded time, saying so in one
line per attempt (no tracebacks), and SIGTERM or SIGINT meanwhile stops it at once, as a
requested stop (docs: deploy/README.md, "Exit codes")."""

from __future__ import annotations

import asyncio
import signal
import socket
import time
from pathlib import Path

import pytest

from pingyi.composition import default_transport
from shared.settings import CommonSettings, SettingsRefused, load_settings
from shared.transport import JetStreamTransport
from tests.e2e.processes import Proc, pingyi_command, production_env
from tests.ports import quiet_port, quiet_ports
from tests.shared.nats_process import NatsServer

pytestmark = [pytest.mark.infra]

WAIT_SECONDS = 8.0
MAX_LINES = 30
"""Start-up lines (uvicorn's, the views set up) and one per attempt: 0.5, 1, 2, 4 s apart."""


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def _until(predicate: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_while_waiting_for_nats_at_start_ends_the_service_at_once(
    database_url: str, nats_namespace: str, tmp_path: Path, signum: signal.Signals
) -> None:
    nowhere = f"nats://127.0.0.1:{quiet_port()}"
    port = quiet_ports(1)[0]
    env = production_env(database_url, nats_namespace, nowhere)
    env["PINGYI_REGISTRY_PORT"] = str(port)
    proc = Proc("registry", pingyi_command("serve", "registry"), env, tmp_path / "serve.log")
    proc.start()
    assert proc.process is not None
    try:
        assert _until(lambda: "waiting for NATS" in proc.output(), 60), proc.output()[-4000:]
        time.sleep(WAIT_SECONDS)
        output = proc.output()
        assert proc.process.poll() is None, output[-4000:]
        assert not _listening(port), "serving before it could start"
        assert "Traceback" not in output, output[-4000:]
        lines = output.splitlines()
        assert len(lines) <= MAX_LINES, f"{len(lines)} lines in {WAIT_SECONDS} s:\n{output[-4000:]}"
        attempts = [line for line in lines if "waiting for NATS" in line]
        assert attempts and all(nowhere in line for line in attempts), output[-4000:]

        stopped_at = time.monotonic()
        proc.process.send_signal(signum)
        code = proc.process.wait(timeout=10)
        took = time.monotonic() - stopped_at
    finally:
        if proc.process.poll() is None:
            proc.kill()
    output = proc.output()
    # As after a graceful stop: uvicorn re-raises SIGTERM (-15, which tini reports as 0).
    assert code in (0, -signal.SIGTERM), (code, output[-4000:])
    assert took < 5, took
    assert "start-up stopped on request" in output, output[-4000:]
    assert "Traceback" not in output, output[-4000:]
    # Ended before uvicorn said the start complete and listened (it did, for a moment).
    assert "Application startup complete" not in output, output[-4000:]
    assert "Uvicorn running on" not in output, output[-4000:]


def test_the_start_gives_up_after_its_wait_naming_the_servers_without_credentials() -> None:
    secret = "s3cret-token"
    url = f"nats://pingyi:{secret}@127.0.0.1:{quiet_port()}"
    transport = JetStreamTransport(url, "natsstart", start_wait=2)

    async def scenario() -> None:
        began = time.monotonic()
        with pytest.raises(ConnectionError) as refused:
            await asyncio.wait_for(transport.connect("registry"), 10)
        assert time.monotonic() - began < 6
        message = str(refused.value)
        assert "127.0.0.1" in message and "Connect call failed" in message
        assert secret not in message

    asyncio.run(scenario())


def test_the_wait_is_the_setting_pingyi_nats_start_wait_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The transport a service starts with (`pingyi serve`'s, and the views process's) waits
    as long as PINGYI_NATS_START_WAIT_SECONDS says, not a fixed minute."""
    nowhere = f"nats://127.0.0.1:{quiet_port()}"
    monkeypatch.setenv("PINGYI_MODE", "production")
    monkeypatch.setenv("PINGYI_NATS_URL", nowhere)
    monkeypatch.setenv("PINGYI_NATS_START_WAIT_SECONDS", "1.5")
    common = load_settings(CommonSettings)
    assert common.nats_start_wait_seconds == 1.5
    transport = default_transport(common)

    async def scenario() -> None:
        began = time.monotonic()
        with pytest.raises(ConnectionError) as refused:
            await asyncio.wait_for(transport.connect("registry"), 20)
        assert time.monotonic() - began < 6
        message = str(refused.value)
        assert message.startswith(f"NATS at {nowhere} not usable after "), message
        assert " attempts in 1.5 s; last: " in message and "\n" not in message, message

    asyncio.run(scenario())


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_a_start_wait_that_cannot_be_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("PINGYI_NATS_START_WAIT_SECONDS", value)
    with pytest.raises(SettingsRefused) as refused:
        load_settings(CommonSettings)
    (problem,) = refused.value.problems
    assert problem.startswith("PINGYI_NATS_START_WAIT_SECONDS: "), problem


def test_the_start_connects_once_nats_appears_during_its_wait(tmp_path: Path) -> None:
    server = NatsServer(tmp_path)
    transport = JetStreamTransport(server.url, "natsstart", start_wait=30)

    async def scenario() -> None:
        connecting = asyncio.create_task(transport.connect("registry"))
        await asyncio.sleep(1.5)
        assert not connecting.done()
        await asyncio.to_thread(server.start)
        await asyncio.wait_for(connecting, 15)
        await transport.ping()
        await transport.close()

    try:
        asyncio.run(scenario())
    finally:
        server.kill()


def test_a_start_given_up_is_one_line_and_a_failed_exit(
    database_url: str, nats_namespace: str, tmp_path: Path
) -> None:
    """The give-up is said as one line (`cannot start: NATS at … not usable …`), not inside
    the start-up traceback uvicorn prints for a lifespan's error, and the process exits
    non-zero so that a supervisor sees a failed start."""
    nowhere = f"nats://127.0.0.1:{quiet_port()}"
    env = production_env(database_url, nats_namespace, nowhere)
    env["PINGYI_REGISTRY_PORT"] = str(quiet_ports(1)[0])
    env["PINGYI_NATS_START_WAIT_SECONDS"] = "1"
    proc = Proc("registry", pingyi_command("serve", "registry"), env, tmp_path / "serve.log")
    code, output = proc.run_to_exit()
    assert code != 0, output[-4000:]
    assert "Traceback" not in output, output[-4000:]
    said = [line for line in output.splitlines() if "cannot start: NATS at" in line]
    assert len(said) == 1 and nowhere in said[0] and "not usable" in said[0], output[-4000:]
