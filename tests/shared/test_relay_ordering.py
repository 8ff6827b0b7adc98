"""Kill the relay and NATS at seeded-random moments while events are written: the stream
must end up holding every published position of the log exactly once, in log order, with
the `previous_position` chain intact.

The relay runs as its own process (`run_relay`, as `pingyi serve` runs it) against a NATS
server of the test's own, which is SIGKILLed and restarted on the same port and store. The
log is an eventsourcing application on PostgreSQL, in a fresh database; about a fifth of
its events are internal and never published. Rerun a failure with the seed it prints:
PINGYI_RELAY_CHAOS_SEED=<seed>.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from shared.contracts import IntegrationMessage
from shared.messaging.jetstream import stream_name
from shared.messaging.outbox import Outbox
from tests.shared.nats_process import NatsServer
from tests.shared.ordering_app import SERVICE, OrderingApplication, open_application, to_payload
from tests.shared.relay_support import (
    assert_exactly_the_log,
    stream_reaches,
    tail_position,
    whole_stream,
)

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]
SEED = int(os.environ.get("PINGYI_RELAY_CHAOS_SEED", "6061"))
ROUNDS = 10
NAMESPACE = "chaos"
STREAM = stream_name(NAMESPACE, SERVICE)
CATCH_UP_SECONDS = 30.0
RELAY_MAIN = "from tests.shared.ordering_app import main; main()"


class RelayProcess:
    def __init__(self, database_url: str, nats_url: str, log: Path) -> None:
        self._args = [sys.executable, "-c", RELAY_MAIN, database_url, nats_url, NAMESPACE]
        self.log = log
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                self._args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )

    def kill(self) -> None:
        if self.running:
            assert self._process is not None
            self._process.send_signal(signal.SIGKILL)
            self._process.wait(timeout=20)

    def stop(self) -> int:
        assert self._process is not None
        self._process.send_signal(signal.SIGTERM)
        return self._process.wait(timeout=30)


class Writer:
    """Writes transactions of notes and memos; the numbers only make events distinct. A
    quarter of the transactions come from an application that stores no message bodies (as
    before they existed, or an old replica), so the relay reads a log of both kinds."""

    def __init__(self, apps: tuple[OrderingApplication, OrderingApplication], rng: random.Random):
        self._apps = apps
        self._rng = rng
        self.written = 0

    def burst(self, events: int, largest: int) -> None:
        while events > 0:
            size = min(events, self._rng.randint(1, largest))
            self.transaction(size)
            events -= size

    def transaction(self, size: int) -> None:
        self.write([self._rng.random() >= 0.2 for _ in range(size)])

    def write(self, kinds: list[bool]) -> None:
        encoding, plain = self._apps
        app = plain if self._rng.random() < 0.25 else encoding
        app.write(kinds, self.written)
        self.written += len(kinds)


async def _tail_position(url: str) -> int | None:
    return await tail_position(url, STREAM)


async def _caught_up(url: str, head: int | None) -> None:
    await stream_reaches(url, STREAM, head, CATCH_UP_SECONDS)


async def _whole_stream(url: str) -> list[IntegrationMessage]:
    return await whole_stream(url, STREAM)


Victims = tuple[str, ...]
VICTIMS: list[Victims] = [("relay",), ("nats",), ("relay", "nats"), ("nats", "relay"), ()]


class Chaos:
    def __init__(
        self,
        rng: random.Random,
        writer: Writer,
        outbox: Outbox,
        relay: RelayProcess,
        server: NatsServer,
    ) -> None:
        self._rng = rng
        self._writer = writer
        self._outbox = outbox
        self._relay = relay
        self._server = server
        self.down: Victims = ()

    def round(self) -> str:
        """A backlog builds up while the last round's victims are down; they come back, and
        the next victims die once the stream has reached a random point of the backlog."""
        before = self._outbox.head() or 0
        self._writer.burst(self._rng.randint(300, 900), largest=300)
        for victim in reversed(self.down):
            self._process(victim).start()
        head = self._outbox.head() or 0
        target = self._rng.randint(before, head)
        reached = asyncio.run(self._write_until_stream_reaches(target))
        self.down = self._rng.choice(VICTIMS)
        for victim in self.down:
            self._process(victim).kill()
        return (
            f"backlog {before}..{head}, killed {'+'.join(self.down) or 'nothing'} "
            f"with the stream at {reached} (target {target}), log head {self._outbox.head()}"
        )

    def recover(self) -> None:
        for victim in reversed(self.down):
            self._process(victim).start()
        self.down = ()
        self._writer.write([True])  # only a running relay can publish this one
        asyncio.run(_caught_up(self._server.url, self._outbox.head()))

    async def _write_until_stream_reaches(self, target: int) -> int | None:
        """The log keeps growing, a few events at a time, while the relay catches up."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CATCH_UP_SECONDS
        while True:
            await asyncio.to_thread(self._writer.transaction, self._rng.randint(1, 3))
            try:
                tail = await _tail_position(self._server.url)
            except Exception:  # NATS still starting
                tail = None
            if tail is not None and tail >= target:
                return tail
            if loop.time() > deadline:
                raise TimeoutError(f"stream at {tail}, not reaching {target}")

    def _process(self, name: str) -> RelayProcess | NatsServer:
        return self._relay if name == "relay" else self._server


def test_stream_holds_the_log_exactly_once_through_kills(database_url: str, tmp_path: Path) -> None:
    print(f"relay chaos seed {SEED} (PINGYI_RELAY_CHAOS_SEED)")
    rng = random.Random(SEED)
    app = open_application(database_url)
    plain = open_application(database_url, publish=False)
    outbox = Outbox(SERVICE, app, to_payload)
    server = NatsServer(tmp_path)
    relay = RelayProcess(database_url, server.url, tmp_path / "relay.log")
    try:
        server.start()
        relay.start()
        asyncio.run(_caught_up(server.url, None))  # the relay is up: it made the stream
        chaos = Chaos(rng, Writer((app, plain), rng), outbox, relay, server)
        for number in range(ROUNDS):
            print(f"round {number}: {chaos.round()}")
        chaos.recover()
        assert relay.stop() == 0, "the relay did not stop cleanly on SIGTERM"
        stream = asyncio.run(_whole_stream(server.url))
        assert_exactly_the_log(stream, list(outbox.iterate()), note=f"(seed {SEED})")
        mapped = Outbox(SERVICE, app, to_payload, stored_bodies=False)
        assert [m.encode() for m in stream] == [m.encode() for m in mapped.iterate()]
        assert len(stream) > 2000
    except BaseException as exc:
        exc.add_note(f"relay chaos seed {SEED}; logs in {tmp_path}")
        raise
    finally:
        relay.kill()
        server.kill()
        app.close()
        plain.close()
