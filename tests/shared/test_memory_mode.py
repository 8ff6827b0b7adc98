"""Memory mode, the test-only mode: in-memory event stores and views, and consumers that read
the upstream services running in the same process. Its logs live as long as their services
run, so it never reads or closes what it does not own, and the commands refuse it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from eventsourcing.domain import Aggregate
from typer.testing import CliRunner

from pingyi.cli import app as cli
from pingyi.composition import default_transport, open_outbox
from services.registry.application import RegistryApplication
from services.registry.integration import to_payload
from shared.contracts.registry import JurisdictionRegistered
from shared.messaging.memory import MemoryLogSource, hub
from shared.messaging.outbox import Outbox
from shared.messaging.sources import LogCursor
from shared.registry_view import UNITS
from shared.service.application import PublishingApplication
from shared.settings import CommonSettings
from shared.transport import MemoryTransport
from tests.conftest import in_memory
from tests.harness import ADMIN, IN_MEMORY, Cluster, wait_caught_up
from tests.registry.helpers import post, unit


class ClosedCounting(RegistryApplication):
    """The registry's application, counting who closes it."""

    def __init__(self, env: dict[str, str]) -> None:
        super().__init__(env)
        self.closed = 0

    def close(self) -> None:
        self.closed += 1
        super().close()


class Note(Aggregate):
    def __init__(self, text: str) -> None:
        self.text = text


def _publish_only_the_public_note(event: Any) -> JurisdictionRegistered | None:
    if getattr(event, "text", None) != "公开":
        return None
    return JurisdictionRegistered(
        jurisdiction_id=event.originator_id, name="漯河市", level="city", parent_id=None
    )


def _unit_names(cluster: Cluster, service: str) -> list[str]:
    views = cluster[service].app.state.runtime.views  # type: ignore[attr-defined]
    return [doc["name"] for _, doc in views.scan(UNITS)]


def test_a_consumer_reads_an_upstream_that_starts_after_it(
    memory_settings: CommonSettings,
) -> None:
    with Cluster(memory_settings, ["survey"]) as downstream:
        with Cluster(memory_settings, ["registry"]) as upstream:
            city = post(upstream, "/jurisdictions", {"name": "漯河市", "level": "city"})
            unit(upstream, city["jurisdiction_id"], "漯河市教育局")
            wait_caught_up(
                lambda: upstream.head("registry"),
                lambda: (
                    downstream["survey"]
                    .get("/positions", headers=ADMIN)
                    .json()["consumers"]["registry"]
                ),
                "survey <- registry",
            )
            assert _unit_names(downstream, "survey") == ["漯河市教育局"]
        # A stopped service's log leaves the namespace with it.
        assert hub(memory_settings.namespace).log("registry") is None


def test_namespaces_do_not_see_each_other(memory_settings: CommonSettings) -> None:
    other = in_memory()
    with Cluster(memory_settings, ["registry"]) as mine, Cluster(other, ["survey"]) as theirs:
        post(mine, "/jurisdictions", {"name": "漯河市", "level": "city"})
        assert hub(other.namespace).log("registry") is None
        assert theirs["survey"].get("/healthz").status_code == 200


def test_one_service_runs_once_per_namespace(memory_settings: CommonSettings) -> None:
    with Cluster(memory_settings, ["registry"]), pytest.raises(RuntimeError, match="already"):
        Cluster(memory_settings, ["registry"]).__enter__()


def test_sources_and_borrowed_readers_never_close_the_application(
    memory_settings: CommonSettings,
) -> None:
    asyncio.run(_read_without_closing(memory_settings))


async def _read_without_closing(memory_settings: CommonSettings) -> None:
    application = ClosedCounting(IN_MEMORY)
    transport = default_transport(memory_settings)
    assert isinstance(transport, MemoryTransport)
    transport.offer_log("registry", Outbox("registry", application, to_payload), application)
    try:
        source = transport.source("survey-units-v1", "registry")
        assert isinstance(source, MemoryLogSource)
        await source.start(None)
        assert await source.fetch(10, timeout=0) == []
        await source.close()
        borrowed = open_outbox("registry", memory_settings)
        assert borrowed.max_position() is None
        borrowed.close()
        assert application.closed == 0
    finally:
        await transport.close()
        application.close()
    with pytest.raises(LookupError):
        open_outbox("registry", memory_settings)


@pytest.mark.parametrize(
    "command",
    [
        ["serve", "registry"],
        ["replay", "--verify"],
        ["rebuild", "survey"],
        ["verify-draw", "7d1c6a55-2c0e-4a55-9d0e-3f7f6c1b2a10"],
    ],
)
def test_the_commands_refuse_memory_mode(command: list[str]) -> None:
    result = CliRunner().invoke(cli, command, env={"PINGYI_MODE": "memory", "COLUMNS": "300"})
    assert result.exit_code == 2, result.output
    shown = " ".join(result.output.replace("│", " ").split())
    assert "PINGYI_MODE=memory 只用于测试, 请用 embedded 或 production (" in shown, shown
    assert "参数值无效" not in shown


def test_a_stretch_of_internal_events_is_read_through_not_waited_on() -> None:
    """Five internal events, then a published one: one read finds it (with a page of two),
    instead of coming back empty and waiting for the next commit."""
    application = PublishingApplication(IN_MEMORY)
    application.save(*[Note(f"内部{n}") for n in range(5)], Note("公开"))
    outbox = Outbox("notes", application, _publish_only_the_public_note)
    (delivery,) = LogCursor(None).next_page(outbox, batch=2)
    assert delivery.message is not None and delivery.message.position == 6
    assert delivery.pending == 0


def test_a_memory_service_is_ready_without_a_write_watchdog(
    memory_settings: CommonSettings,
) -> None:
    """Nothing in memory can stall a write the way a PostgreSQL session can: no watchdog,
    and the rest of readiness as in the other modes."""
    with Cluster(memory_settings, ["registry", "scoring"]) as cluster:
        runtime = cluster["scoring"].app.state.runtime  # type: ignore[attr-defined]
        assert runtime.write_watchdog is None
        ready = cluster["scoring"].get("/readyz")
        assert ready.status_code == 200, ready.text
        assert "writes" not in ready.json()["checks"]
