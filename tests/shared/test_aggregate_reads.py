"""`get_many` folds each aggregate as `repository.get` does, in memory, SQLite and PostgreSQL:
from its latest snapshot and the events after it where the application keeps snapshots,
its v1 events upcast, and an id without events absent. Each case writes aggregates of its
own (units, some stored as v1 `Registered`, and name claims, some past the snapshot
interval, some snapshotted by hand between intervals) and compares every aggregate's state.
On SQLite and PostgreSQL the reads are the batched ones: the recorders' one-id
`select_events` is never called."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.persistence import JSONTranscoder, StoredEvent, Transcoding
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.registry.application import RegistryApplication
from services.registry.domain import Change, Unit, UnitSpec
from services.registry.domain.unit_names import UnitNameClaim
from shared.persistence.aggregate_reads import get_many
from shared.settings import CommonSettings, eventsourcing_env
from tests.harness import IN_MEMORY

INTERVAL = 4
GOV = "政府部门及其它机构"


class SnapshottingRegistry(RegistryApplication):
    """The registry's aggregates, snapshotted every `INTERVAL` events (the registry itself
    keeps none: the snapshot path is the survey's `Wave`'s, read here on the same kinds)."""

    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {
        Unit: INTERVAL,
        UnitNameClaim: INTERVAL,
    }

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())  # a unit's state holds dates; its events hold none


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def _app(mode: str, tmp_path: Path, request: pytest.FixtureRequest) -> RegistryApplication:
    if mode == "memory":
        env = dict(IN_MEMORY)
    elif mode == "embedded":
        env = eventsourcing_env(
            CommonSettings(mode="embedded", data_dir=tmp_path), "registry", None
        )
    else:
        url: str = request.getfixturevalue("database_url")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE SCHEMA IF NOT EXISTS registry")  # the runtime's views do it
        common = CommonSettings(mode="production", database_url=url)
        env = eventsourcing_env(common, "registry", None)
    return SnapshottingRegistry(env | {"IS_SNAPSHOTTING_ENABLED": "y"})


@pytest.fixture(params=["memory", "embedded", pytest.param("production", marks=pytest.mark.infra)])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RegistryApplication]:
    built = _app(request.param, tmp_path, request)
    yield built
    built.close()


@dataclass(frozen=True)
class Plan:
    """One aggregate: a unit (renamed `changes` times, first stored as v1 if `v1`) or a
    name claim (taken and released `changes` times); `snapshot`: one taken by hand too."""

    unit: bool
    changes: int
    v1: bool
    snapshot: bool


plans = st.builds(
    Plan, st.booleans(), st.integers(0, 2 * INTERVAL + 1), st.booleans(), st.booleans()
)


def _v1_unit(app: RegistryApplication, jurisdiction_id: UUID, name: str) -> Unit:
    """A unit whose `Registered` is stored as before its class_version 2 (no short_name)."""
    unit_id = uuid4()
    state = {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2024-06-01T00:00:00+00:00"},
        "originator_topic": "services.registry.domain:Unit",
        "jurisdiction_id": {"_type_": "uuid_hex", "_data_": jurisdiction_id.hex},
        "name": name,
        "kind": "government_department",
        "category": GOV,
        "actor": "admin:old",
    }
    topic = "services.registry.domain:Unit.Registered"
    app.recorder.insert_events([StoredEvent(unit_id, 1, topic, json.dumps(state).encode())])
    unit = app.repository.get(unit_id)
    assert isinstance(unit, Unit) and unit.short_name is None
    return unit


def _write(app: RegistryApplication, plan: Plan, n: int) -> UUID:
    place = uuid4()
    if plan.unit:
        name = f"漯河市测试单位{n:03d}"
        unit = (
            _v1_unit(app, place, name)
            if plan.v1
            else Unit.register(
                UnitSpec(place, name, "government_department", GOV), "t", date(2024, 7, 1)
            )
        )
        for i in range(plan.changes):
            change = Change(date(2025, 1, 1 + i), "更名", "t")
            unit.rename(f"{name}之{i}", f"简称{i}", change)
        app.save(unit)
        aggregate_id = unit.id
    else:
        claim = UnitNameClaim(place, f"name:{n}", uuid4())
        for i in range(plan.changes):
            holder = claim.holder
            if holder is None:
                claim.take(uuid4())
            else:
                claim.release(holder)
            if i % 3 == 2:  # saved in several commits, so the interval is crossed on save
                app.save(claim)
        app.save(claim)
        aggregate_id = claim.id
    if plan.snapshot and app.repository.get(aggregate_id).version % INTERVAL:
        app.take_snapshot(aggregate_id)  # between intervals (at one, the app took it)
    return aggregate_id


def _one_id_reads(app: RegistryApplication, monkeypatch: pytest.MonkeyPatch) -> list[UUID]:
    seen: list[UUID] = []
    recorders = [app.events.recorder] + ([app.snapshots.recorder] if app.snapshots else [])
    for recorder in recorders:
        original = recorder.select_events

        def counted(originator_id: UUID, *args: Any, _original: Any = original, **kw: Any) -> Any:
            seen.append(originator_id)
            return _original(originator_id, *args, **kw)

        monkeypatch.setattr(recorder, "select_events", counted)
    return seen


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(plans, min_size=1, max_size=8))
def test_get_many_folds_each_aggregate_as_the_repository_does(
    app: RegistryApplication, monkeypatch: pytest.MonkeyPatch, written: list[Plan]
) -> None:
    ids = [_write(app, plan, n) for n, plan in enumerate(written)]
    missing = uuid4()
    with monkeypatch.context() as patched:
        one_id_reads = _one_id_reads(app, patched)
        found = get_many(app, [*ids, missing, ids[0]])
    if type(app.recorder).__module__ != "shared.persistence.memory":  # memory: one at a time
        assert one_id_reads == []
    assert set(found) == set(ids)
    for aggregate_id in ids:
        expected = app.repository.get(aggregate_id)
        assert type(found[aggregate_id]) is type(expected)
        assert found[aggregate_id].__dict__ == expected.__dict__
    if app.snapshots is not None and any(p.snapshot or p.changes >= INTERVAL for p in written):
        assert any(
            list(app.snapshots.get(aggregate_id, desc=True, limit=1)) for aggregate_id in ids
        )


def test_no_ids_read_nothing(app: RegistryApplication) -> None:
    assert get_many(app, []) == {}
    assert get_many(app, [uuid4()]) == {}
