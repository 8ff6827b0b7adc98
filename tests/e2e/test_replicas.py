"""Two replicas of survey as separate processes against the machine's PostgreSQL and NATS:
both serve the API, each upstream is applied by exactly one of them, and when the one
applying survey's `waves` view is SIGKILLed the other takes over without losing or
double-counting a questionnaire. Each keeps its own copy of keys current, and one of them
seals survey's log while the other follows its checkpoints."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pingyi.composition import open_outbox
from services.survey.views.waves import WAVES_VIEW
from shared.contracts import IntegrationMessage
from shared.integrity.checkpoints import PostgresCheckpoints
from shared.messaging.jetstream import connect, stream_name
from shared.registry_view import SECURITY_VIEW
from shared.settings import CommonSettings
from tests.conftest import ADMIN_KEY, NATS_URL
from tests.e2e import thin_path
from tests.e2e.processes import Api, Proc, pingyi_command, production_env, wait_ready
from tests.integrity.helpers import SEAL_KEY
from tests.ports import quiet_ports
from tests.shared.relay_support import assert_exactly_the_log, stream_messages

pytestmark = [pytest.mark.e2e, pytest.mark.infra]
WAVES = (f"survey-waves-v{WAVES_VIEW.version}", "survey")
SECURITY = f"survey-security-v{SECURITY_VIEW.version}"
ADMIN = {"X-API-Key": ADMIN_KEY}


class Replicas:
    """`pingyi serve registry` once and `pingyi serve survey` as replicas "a" and "b"."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env = env
        self.workdir = workdir
        registry, a, b = quiet_ports(3)
        self.ports = {"registry": registry, "a": a, "b": b}
        self.procs: dict[str, Proc] = {}

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self, name: str) -> None:
        service = "registry" if name == "registry" else "survey"
        env = self.env | {f"PINGYI_{service.upper()}_PORT": str(self.ports[name])}
        log = self.workdir / f"{name}.log"
        proc = Proc(name, pingyi_command("serve", service), env, log).start()
        self.procs[name] = proc
        wait_ready(self.url(name), proc)

    def api(self, survey: str) -> Api:
        return Api({"registry": self.url("registry"), "survey": self.url(survey)})

    def consumers(self, name: str) -> dict[str, Any]:
        response = httpx.get(f"{self.url(name)}/operations/consumers", headers=ADMIN, timeout=10)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def leaders(self, names: tuple[str, ...]) -> dict[tuple[str, str], list[str]]:
        led: dict[tuple[str, str], list[str]] = defaultdict(list)
        for name in names:
            for consumer in self.consumers(name)["consumers"]:
                key = (consumer["consumer"], consumer["upstream"])
                led[key] += [name] if consumer["leading"] else []
        return dict(led)

    def output(self) -> str:
        return "\n".join(f"--- {n}\n{p.output()[-3000:]}" for n, p in self.procs.items())


@pytest.fixture
def replicas(database_url: str, nats_namespace: str, tmp_path: Path) -> Iterator[Replicas]:
    env = production_env(database_url, nats_namespace, NATS_URL) | {
        "PINGYI_SEAL_KEY": SEAL_KEY,
        "PINGYI_SEAL_EVERY_SECONDS": "0.5",
    }
    running = Replicas(env, tmp_path)
    try:
        for name in ("registry", "a", "b"):
            running.start(name)
        yield running
    finally:
        for proc in running.procs.values():
            proc.stop()


def one_leader_each(replicas: Replicas, names: tuple[str, ...]) -> bool:
    """Every leased (consumer, upstream) led by exactly one replica; the security copy,
    which every replica keeps for itself, by all of them."""
    led = replicas.leaders(names)
    return all(
        len(leaders) == (len(names) if consumer == SECURITY else 1)
        for (consumer, _), leaders in led.items()
    )


def balanced(replicas: Replicas, names: tuple[str, ...]) -> bool:
    """One leader each, and the leased pairs spread over the replicas (each leads between
    the floor and the ceiling of its share: docs/scaling.md, "Leases follow the replicas"),
    after which no lease moves while the replicas stay."""
    if not one_leader_each(replicas, names):
        return False
    led = replicas.leaders(names)
    held = [
        sum(leaders == [name] for (consumer, _), leaders in led.items() if consumer != SECURITY)
        for name in names
    ]
    return max(held) - min(held) <= 1


def seal_status(replicas: Replicas, name: str) -> dict[str, Any]:
    seal: dict[str, Any] = httpx.get(f"{replicas.url(name)}/readyz", timeout=10).json()["checks"][
        "seal"
    ]
    return seal


def assert_sealed_once(replicas: Replicas, database_url: str, names: tuple[str, ...]) -> None:
    """One replica seals (the sealing lease), the other follows its checkpoints, and the
    chain never forked, across the kill."""
    head = replicas.api(names[0]).head("survey")
    seen: dict[str, Any] = {}

    def sealed() -> bool:
        seen.update({n: seal_status(replicas, n) for n in names})
        # The log may end in rows that publish nothing (head is the last published).
        positions = {s["sealed_to"] for s in seen.values()}
        return len(positions) == 1 and (positions.pop() or 0) >= (head or 0)

    try:
        thin_path.wait_until(sealed, f"both replicas report survey sealed past {head}", 30)
    except TimeoutError:
        raise AssertionError(f"{seen}\n{replicas.output()}") from None
    assert sorted(seal_status(replicas, n)["leading"] for n in names) == [False, True]
    store = PostgresCheckpoints(database_url, "survey")
    try:
        checkpoints = store.all()
    finally:
        store.close()
    previous = [c.previous_position for c in checkpoints]
    assert previous == [None, *(c.position for c in checkpoints[:-1])], previous


def push(url: str, key: str, wave_id: str, items: list[dict[str, Any]], label: str) -> None:
    with httpx.Client(timeout=60) as http:
        for first in range(0, len(items), 100):
            response = http.post(
                f"{url}/waves/{wave_id}/questionnaires:batch",
                headers={"X-API-Key": key, "Idempotency-Key": f"{label}-{first}"},
                json={"questionnaires": items[first : first + 100]},
            )
            assert response.status_code == 200, response.text


def refuses(replicas: Replicas, name: str, key: str) -> None:
    thin_path.wait_until(
        lambda: status(replicas.url(name), key) == 401, f"{name} refuses the revoked key"
    )


def waves_applied(replicas: Replicas, name: str) -> int:
    position: int = replicas.consumers(name)["positions"].get("waves", {}).get("survey") or 0
    return position


def counted(replicas: Replicas, name: str, wave_id: str) -> int:
    """The wave's response count once `name`'s waves view has applied survey's whole log."""
    head = replicas.api(name).head("survey")
    thin_path.wait_until(
        lambda: waves_applied(replicas, name) == head, f"{name} applied survey up to {head}"
    )
    wave = replicas.api(name).call("survey", "GET", f"/waves/{wave_id}")
    count: int = wave["response_count"]
    return count


def status(url: str, key: str) -> int:
    return httpx.get(f"{url}/positions", headers={"X-API-Key": key}, timeout=10).status_code


async def _published(namespace: str, head: int) -> list[IntegrationMessage]:
    """Survey's stream once the relay has published up to `head`."""
    nc, js = await connect(NATS_URL, "test-replicas")
    stream = stream_name(namespace, "survey")
    deadline = time.monotonic() + 60
    try:
        while True:
            last = int((await js.stream_info(stream)).state.last_seq or 0)
            raw = await js.get_msg(stream, last) if last else None
            if raw is not None and IntegrationMessage.decode(raw.data or b"").position == head:
                return await stream_messages(js, stream)
            assert time.monotonic() < deadline, f"survey's stream never reached {head}"
            await asyncio.sleep(0.05)
    finally:
        await nc.close()


def assert_stream_is_the_log(database_url: str, namespace: str) -> None:
    """The relay moved between replicas with the lease: the stream still holds the log
    exactly once, in order."""
    common = CommonSettings(
        mode="production", database_url=database_url, nats_url=NATS_URL, namespace=namespace
    )
    outbox = open_outbox("survey", common)
    try:
        log = list(outbox.iterate())
        assert_exactly_the_log(asyncio.run(_published(namespace, log[-1].position)), log)
    finally:
        outbox.close()


def test_two_replicas_share_the_work_and_survive_the_leader(
    replicas: Replicas, database_url: str, nats_namespace: str
) -> None:
    api_a, api_b = replicas.api("a"), replicas.api("b")
    ctx = thin_path.register(api_a)
    agency_key = ctx["agency"]["api_key"]
    wave = thin_path.open_wave(api_a, ctx)
    wave_id = wave["wave_id"]
    api_b.wait_caught_up("survey", "registry")
    thin_path.wait_until(lambda: balanced(replicas, ("a", "b")), "one leader each, spread")

    # Both serve the API: writes through either land in the one log.
    first = thin_path.questionnaires(ctx["units"], 300, seed=1)
    push(replicas.url("a"), agency_key, wave_id, first[:150], "first-a")
    push(replicas.url("b"), agency_key, wave_id, first[150:], "first-b")
    assert counted(replicas, "a", wave_id) == counted(replicas, "b", wave_id) == 300

    # A key both replicas accept, to revoke once the leader is gone.
    inspector = api_a.call(
        "registry",
        "POST",
        "/principals",
        json={
            "name": "明察暗访组",
            "role": "inspector",
            "jurisdiction_id": ctx["city"]["jurisdiction_id"],
        },
    )
    for name in ("a", "b"):
        thin_path.wait_until(
            lambda n=name: status(replicas.url(n), inspector["api_key"]) == 200,  # type: ignore[misc]
            f"the new key works on {name}",
        )

    # Kill the replica applying the waves view while the other takes writes.
    (leader,) = replicas.leaders(("a", "b"))[WAVES]
    survivor = "b" if leader == "a" else "a"
    second = thin_path.questionnaires(ctx["units"], 1000, seed=2)
    pushing = threading.Thread(
        target=push, args=(replicas.url(survivor), agency_key, wave_id, second, "second")
    )
    before = waves_applied(replicas, survivor)
    pushing.start()
    try:
        thin_path.wait_until(
            lambda: waves_applied(replicas, survivor) > before, "the leader applies the push"
        )
        replicas.procs[leader].kill()
    finally:
        pushing.join()
    third = thin_path.questionnaires(ctx["units"], 200, seed=3)
    push(replicas.url(survivor), agency_key, wave_id, third, "third")

    thin_path.wait_until(
        lambda: replicas.leaders((survivor,)).get(WAVES) == [survivor],
        f"{survivor} took over the waves view",
    )
    assert counted(replicas, survivor, wave_id) == 1500, replicas.output()

    # A key revoked after the kill: the survivor refuses it by its own copy, and so does the
    # killed replica once it is back (as an orchestrator would restart it).
    api_a.call(
        "registry",
        "POST",
        f"/principals/{inspector['principal_id']}/revoke",
        json={"reason": "更换检查组"},
    )
    refuses(replicas, survivor, inspector["api_key"])
    replicas.start(leader)
    refuses(replicas, leader, inspector["api_key"])
    for name in ("a", "b"):
        assert status(replicas.url(name), agency_key) == 200
    # The restarted replica gets its share back (which pair is the leases' to decide).
    thin_path.wait_until(lambda: balanced(replicas, ("a", "b")), "spread again")
    assert counted(replicas, leader, wave_id) == 1500
    assert_stream_is_the_log(database_url, nats_namespace)
    assert_sealed_once(replicas, database_url, ("a", "b"))
