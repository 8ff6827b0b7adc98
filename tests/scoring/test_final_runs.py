"""FinalRuns' mutators apply what the log says and never raise, even for a history today's
commands would not write (a wave settled that was never due)."""

from __future__ import annotations

from uuid import uuid4

from services.scoring.application import ScoringApplication
from services.scoring.domain import FINAL_RUNS_ID, FinalRuns
from shared.settings import CommonSettings, eventsourcing_env
from tests.stored_events import created, following, store


def test_a_settlement_of_a_wave_never_due_still_loads(memory_settings: CommonSettings) -> None:
    app = ScoringApplication(eventsourcing_env(memory_settings, "scoring", None))
    due, stray = str(uuid4()), str(uuid4())
    started = created(FinalRuns, FinalRuns.Started, originator_id=FINAL_RUNS_ID)
    made_due = following(started, FinalRuns.Due, wave_id=due)
    settled = following(made_due, FinalRuns.Settled, wave_id=stray, run_id=str(uuid4()))
    store(app, started, made_due, settled)
    final_runs = app.repository.get(FINAL_RUNS_ID)
    assert isinstance(final_runs, FinalRuns) and final_runs.due == [due]
    app.close()


def test_settling_takes_a_due_wave_off_the_list() -> None:
    final_runs = FinalRuns()
    wave_id = uuid4()
    final_runs.make_due(wave_id)
    final_runs.settle(uuid4(), uuid4())  # not due: no event
    final_runs.settle(wave_id, uuid4())
    assert final_runs.due == []
    assert [type(e).__name__ for e in final_runs.collect_events()] == ["Started", "Due", "Settled"]
