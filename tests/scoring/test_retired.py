"""A scoring log written by the first release (wave tallies, wave runs) still loads: every
stored event decodes to its retired class, every aggregate loads, replay names the wave runs
as retired, and the round service runs on such a store as on any other."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from services.scoring.application import ScoringApplication
from services.scoring.replay import retired_wave_runs
from services.scoring.retired import RETIRED, ScoreRun
from shared.settings import CommonSettings, eventsourcing_env
from tests.scoring.retired_log import WAVE_NAME, published, rows, store_in


def _app(tmp_path: Path) -> ScoringApplication:
    common = CommonSettings(mode="embedded", data_dir=tmp_path, log_json=False)
    return ScoringApplication(eventsourcing_env(common, "scoring", "scoring"))


def test_every_stored_event_decodes_and_every_aggregate_loads(tmp_path: Path) -> None:
    app = _app(tmp_path)
    try:
        store_in(app)
        stored = app.recorder.select_notifications(start=1, limit=100)
        assert [n.topic for n in stored] == [row["topic"] for row in rows()]
        for notification in stored:
            event = app.mapper.to_domain_event(notification)
            assert type(event).__module__ == "services.scoring.retired"
        ids = {UUID(row["originator_id"]) for row in rows()}
        loaded = [app.repository.get(aggregate_id) for aggregate_id in ids]
        assert {type(aggregate) for aggregate in loaded} == set(RETIRED)
    finally:
        app.close()


def test_replay_names_the_wave_runs_as_retired(tmp_path: Path) -> None:
    app = _app(tmp_path)
    try:
        store_in(app)
        retired = retired_wave_runs(app)
    finally:
        app.close()
    assert [(run.wave_name, run.final) for run in retired] == [
        (WAVE_NAME, False),
        (WAVE_NAME, True),
    ]
    computed = [row for row in rows() if row["topic"].endswith("ScoreRun.Computed")]
    assert [run.run_id for run in retired] == [str(UUID(row["originator_id"])) for row in computed]
    (row,) = retired[1].rows()
    assert row[0].endswith("(wave run)")
    assert row[3] == "已停用, 未核对 (retired: not verified)"


def test_a_v1_wave_run_still_upcasts() -> None:
    state = {"lifecycle_after": 7}
    ScoreRun.Computed.upcast_v1_v2(state)
    assert state == {"lifecycle_after": None}


def test_the_published_wave_runs_are_kept_as_messages() -> None:
    messages = published()
    assert [m.event_type for m in messages] == ["scoring.score.computed"] * 2
    assert [m.payload["final"] for m in messages] == [False, True]
