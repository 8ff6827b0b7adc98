"""Two replicas of the survey on one PostgreSQL store take turns at a wave
(`SurveyBase.wave_turn`: an advisory lock of the wave across processes), so their pushes
into one wave queue instead of conflicting on its version and being redone whole."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from uuid import uuid4

import psycopg
import pytest

from services.survey.application import SurveyApplication
from services.survey.application.base import wave_lock_key
from services.survey.domain import Wave
from shared.principals import Principal
from shared.settings import CommonSettings, eventsourcing_env
from shared.views import PostgresViewStore as Views
from tests.survey.test_close_race_production import _questionnaires

pytestmark = pytest.mark.infra


@pytest.fixture
def replicas(database_url: str) -> Iterator[tuple[SurveyApplication, SurveyApplication]]:
    common = CommonSettings(mode="production", database_url=database_url)
    views = Views(database_url, "survey")
    views.setup()
    views.close()
    first = SurveyApplication(eventsourcing_env(common, "survey", None))
    second = SurveyApplication(eventsourcing_env(common, "survey", None))
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def _waiting_for(database_url: str, key: int, deadline: float = 30) -> None:
    """Until a session waits for the advisory lock `key` (pg_locks, not granted)."""
    high, low = (key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF
    until = time.monotonic() + deadline
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.monotonic() < until:
            row = conn.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                " AND classid = %s::bigint::oid AND objid = %s::bigint::oid",
                (high, low),
            ).fetchone()
            if row and row[0]:
                return
    raise TimeoutError("no replica waited for the wave's turn")


def test_a_replica_waits_for_the_turn_another_holds(
    replicas: tuple[SurveyApplication, SurveyApplication], database_url: str
) -> None:
    first, second = replicas
    wave_id, other_wave = uuid4(), uuid4()
    entered = threading.Event()

    def take_turn() -> None:
        with second.wave_turn(wave_id):
            entered.set()

    with first.wave_turn(wave_id):
        with second.wave_turn(other_wave):  # another wave's turn is free meanwhile
            pass
        waiting = threading.Thread(target=take_turn)
        waiting.start()
        _waiting_for(database_url, wave_lock_key(wave_id))
        assert not entered.is_set()
    waiting.join(timeout=30)
    assert entered.is_set()


def test_pushes_through_two_replicas_into_one_wave_are_all_recorded(
    replicas: tuple[SurveyApplication, SurveyApplication],
) -> None:
    agencies = [Principal(uuid4(), f"调查公司{n}", "agency", None) for n in range(2)]
    units = [uuid4() for _ in range(10)]
    setup = {"agencies": [{"agency_id": str(a.principal_id), "quota": None} for a in agencies]}
    wave = Wave(uuid4(), "两个副本", agencies[0].principal_id, tuple(units), "office:x", setup)
    replicas[0].save(wave)
    unit_ids = [str(u) for u in units]
    accepted: list[int] = []
    start = threading.Barrier(2)

    def push(n: int) -> None:
        start.wait()
        for batch in range(10):
            rows = _questionnaires(100_000 * n + 40 * batch, 40, unit_ids)
            result = replicas[n].record_batch(agencies[n], wave.id, rows, [], None)
            accepted.append(result["accepted"])

    threads = [threading.Thread(target=push, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert accepted == [40] * 20
    assert replicas[1].wave(wave.id).questionnaires == 800


@pytest.mark.parametrize("mode", ["embedded", "memory"])
def test_a_store_of_one_process_takes_turns_by_its_lock_alone(
    mode: str, embedded_settings: CommonSettings
) -> None:
    """SQLite (`pingyi up`) and memory stores are one process's: no advisory lock is asked
    of them, and a push is recorded as ever."""
    common = embedded_settings.model_copy(update={"mode": mode})
    app = SurveyApplication(eventsourcing_env(common, "survey", None))
    try:
        agency = Principal(uuid4(), "调查公司", "agency", None)
        units = [uuid4() for _ in range(3)]
        setup = {"agencies": [{"agency_id": str(agency.principal_id), "quota": None}]}
        wave = Wave(uuid4(), "本机", agency.principal_id, tuple(units), "office:x", setup)
        app.save(wave)
        rows = _questionnaires(0, 5, [str(u) for u in units])
        assert app.record_batch(agency, wave.id, rows, [], None)["accepted"] == 5
        assert app.wave(wave.id).questionnaires == 5
    finally:
        app.close()
