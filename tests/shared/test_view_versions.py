"""A rolling upgrade that raises a view's version, on all three stores: a process of the
older release never resets (undoes) the newer version nor runs that view's consumers, and an
applier of the older version that was running when the newer release reset the view writes
nothing more and stops, so the newer release's rebuild ends equal to a clean build."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pingyi.composition import default_transport
from shared.contracts import IntegrationMessage
from shared.contracts.registry import UnitRegistered
from shared.http import build_app
from shared.messaging.consumer import Consumer
from shared.messaging.sources import Delivery
from shared.runtime import ServiceRuntime, build_view_store
from shared.service.application import PublishingApplication
from shared.service.definition import ServiceApi, ServiceDefinition
from shared.service.view_consumers import apart, setup_views
from shared.settings import CommonSettings, ServiceSettings
from shared.views import (
    Collection,
    MemoryViewStore,
    PostgresViewStore,
    SQLiteViewStore,
    ViewStore,
    ViewSupersededError,
    ViewTransaction,
)
from shared.views.model import View
from tests.shared.messages import chain

UNITS = Collection("wave_units")
WAIT = 30.0


def _v14(tx: ViewTransaction, payload: Any, message: IntegrationMessage) -> None:
    tx.put(UNITS.name, str(payload.unit_id), {"name": payload.name})


def _v15(tx: ViewTransaction, payload: Any, message: IntegrationMessage) -> None:
    tx.put(UNITS.name, str(payload.unit_id), {"name": payload.name, "at": message.position})


def _waves(version: int) -> View:
    handler = _v15 if version == 15 else _v14
    return View("waves", version, (UNITS,), {"registry": {UnitRegistered: handler}})


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ViewStore]:
    if request.param == "memory":
        views: ViewStore = MemoryViewStore()
    elif request.param == "sqlite":
        views = SQLiteViewStore(tmp_path / "views.sqlite")
    else:
        views = PostgresViewStore(request.getfixturevalue("database_url"), "testviews")
    yield views
    views.close()


def _dump(store: ViewStore) -> list[tuple[str, str, str]]:
    return list(store.dump([UNITS.name]))


def _clean_build(version: int, messages: list[IntegrationMessage]) -> list[tuple[str, str, str]]:
    clean = MemoryViewStore()
    setup_views(clean, [_waves(version)])
    _waves(version).inbox(clean, "registry").apply("registry", messages)
    return _dump(clean)


def test_an_older_release_neither_resets_a_newer_view_nor_applies_it(store: ViewStore) -> None:
    messages = chain(1, 2, 3)
    assert setup_views(store, [_waves(15)]) == frozenset()
    _waves(15).inbox(store, "registry").apply("registry", messages)
    built = _dump(store)

    superseded = setup_views(store, [_waves(14)])

    assert superseded == {"waves"}
    assert store.view_version("waves") == 15
    assert _dump(store) == built
    assert store.positions() == {"waves": {"registry": 3}}
    assert apart("survey", [_waves(14)], superseded) == []  # what the views process expects


def test_a_reset_never_lowers_the_version_nor_drops_rows(store: ViewStore) -> None:
    setup_views(store, [_waves(15)])
    _waves(15).inbox(store, "registry").apply("registry", chain(1))
    with pytest.raises(ViewSupersededError):
        store.reset("waves", [UNITS.name], 14)
    assert store.view_version("waves") == 15
    assert store.positions() == {"waves": {"registry": 1}}


class _ListSource:
    """The upstream's log in memory (a list the test extends), read from a position as the
    real sources are."""

    def __init__(self, messages: list[IntegrationMessage]) -> None:
        self._messages = messages
        self._after: int | None = None

    async def start(self, last_position: int | None) -> None:
        self._after = last_position

    async def rewind(self, last_position: int | None) -> None:
        self._after = last_position

    async def fetch(self, batch: int, timeout: float) -> list[Delivery]:
        after = self._after
        found = [m for m in self._messages if after is None or m.position > after][:batch]
        if not found:
            await asyncio.sleep(timeout)  # a real source's wait for more (long poll)
            return []
        self._after = found[-1].position
        left = len([m for m in self._messages if m.position > found[-1].position])
        return [Delivery(m, pending=left if m is found[-1] else None) for m in found]

    async def close(self) -> None:
        return None


async def _until(condition: Callable[[], bool], what: str) -> None:
    async def wait() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    try:
        await asyncio.wait_for(wait(), WAIT)
    except TimeoutError:
        raise AssertionError(f"never {what}") from None


def _consumer(store: ViewStore, version: int, messages: list[IntegrationMessage]) -> Consumer:
    inbox = _waves(version).inbox(store, "registry")
    return Consumer(
        f"survey-waves-v{version}", "registry", _ListSource(messages), inbox, fetch_timeout=0.05
    )


def test_an_older_applier_stops_once_a_newer_release_resets_the_view(store: ViewStore) -> None:
    messages = chain(1, 2, 3, 4, 5, 6)
    log = messages[:3]

    async def scenario() -> None:
        setup_views(store, [_waves(14)])
        old = _consumer(store, 14, log)
        await old.start()
        await _until(lambda: old.status.last_position == 3, "v14 applied 1..3")
        # The new release starts (a rolling upgrade): it resets the view to v15 while the old
        # replica's applier runs on, and the upstream moves on.
        assert setup_views(store, [_waves(15)]) == frozenset()
        log.extend(messages[3:])
        await _until(
            lambda: not old.status.leading or store.positions() != {},
            "v14 applier stopped or applied again",
        )
        assert not old.status.leading, "the v14 applier kept applying after the v15 reset"
        assert _dump(store) == [] and store.positions() == {}
        new = _consumer(store, 15, messages)
        await new.start()
        await _until(lambda: new.status.last_position == 6, "v15 rebuilt")
        await asyncio.gather(old.stop(), new.stop())

    asyncio.run(scenario())
    assert store.view_version("waves") == 15
    assert _dump(store) == _clean_build(15, messages)


class _ProbeApplication(PublishingApplication):
    name = "probe"


def _probe(views: tuple[View, ...]) -> ServiceDefinition:
    return ServiceDefinition(
        name="probe",
        title="probe",
        description="a test service built from the kernel template",
        application=_ProbeApplication,
        settings=ServiceSettings,
        payload_mapper=lambda event: None,
        api=lambda: ServiceApi(routers=()),
        views=views,
    )


def test_a_replica_of_the_older_release_starts_without_that_views_consumer(
    embedded_settings: CommonSettings,
) -> None:
    newer = build_view_store(embedded_settings, "probe", None)
    setup_views(newer, [_waves(15)])
    _waves(15).inbox(newer, "registry").apply("registry", chain(1, 2))
    built = _dump(newer)
    newer.close()

    runtime = ServiceRuntime(
        _probe((_waves(14),)),
        embedded_settings,
        ServiceSettings(),
        default_transport(embedded_settings),
    )
    with TestClient(build_app(runtime)):
        assert runtime.superseded_views == {"waves"}
        assert [c.name for c in runtime.consumers] == []
        assert runtime.views.view_version("waves") == 15
        assert _dump(runtime.views) == built
