"""Each agency's batches and questionnaires quarantined at intake, counted by the wave from
its `BatchAccepted` events (which always named the agency), so an agency reads its own and
never the whole wave's. A wave's snapshot taken before the counts were kept (`Wave` v2)
still loads: exact when at most one agency had pushed, else the agency's read folds the
wave from its events alone. (The survey application alone, in memory: `Setup`.)"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Snapshot

from services.survey.application import agency_wave_out, wave_out
from shared.principals import Principal
from tests.survey.test_application import Setup


def _wave(setup: Setup) -> UUID:
    return setup.open_wave(
        agencies=[
            {"agency_id": setup.agency_id, "quota": 2},
            {"agency_id": setup.other_agency_id, "quota": None},
        ]
    )


def _push(setup: Setup, who: Principal, wave_id: UUID, n: int, start: int) -> dict[str, Any]:
    return setup.app.record_batch(who, wave_id, setup.rows(n, start=start), [], None)


def _own(setup: Setup, wave_id: UUID, agency: UUID) -> tuple[Any, Any]:
    read = agency_wave_out(setup.app.wave_counted_per_agency(wave_id), str(agency))
    return read["batches"], read["quarantined_at_intake"]


def _v2_snapshot(setup: Setup, wave_id: UUID) -> None:
    """The wave's snapshot as the code before v3 stored it: no count per agency."""
    snapshot = Snapshot.take(setup.app.wave(wave_id))
    for key in ("batches_by_agency", "quarantined_by_agency"):
        snapshot.state.pop(key)
    snapshot.state["class_version"] = 2
    setup.app.snapshots.put([snapshot])  # type: ignore[union-attr]


def test_each_agency_counts_its_own_batches_and_intake_quarantines(setup: Setup) -> None:
    wave_id = _wave(setup)
    assert _push(setup, setup.agency, wave_id, 3, 0)["quarantined"] == 1  # over its quota
    assert _own(setup, wave_id, setup.agency_id) == (1, 1)
    assert _own(setup, wave_id, setup.other_agency_id) == (0, 0)
    _push(setup, setup.other_agency, wave_id, 2, 3)
    assert _own(setup, wave_id, setup.agency_id) == (1, 1)  # unmoved by the other's push
    assert _own(setup, wave_id, setup.other_agency_id) == (1, 0)
    _push(setup, setup.agency, wave_id, 1, 5)
    assert _own(setup, wave_id, setup.agency_id) == (2, 2)
    assert _own(setup, wave_id, setup.other_agency_id) == (1, 0)
    whole = wave_out(setup.app.wave(wave_id))
    assert (whole["batches"], whole["quarantined_at_intake"]) == (3, 2)


def test_a_v2_snapshot_of_one_agencys_pushes_gives_its_counts(setup: Setup) -> None:
    wave_id = _wave(setup)
    _push(setup, setup.agency, wave_id, 3, 0)
    _v2_snapshot(setup, wave_id)
    loaded = setup.app.wave(wave_id)
    assert loaded.counted_per_agency  # every batch it counted was that agency's
    assert loaded.intake_of(str(setup.agency_id)) == (1, 1)
    _push(setup, setup.other_agency, wave_id, 2, 3)
    assert _own(setup, wave_id, setup.agency_id) == (1, 1)
    assert _own(setup, wave_id, setup.other_agency_id) == (1, 0)


def test_a_v2_snapshot_of_several_agencies_pushes_is_folded_from_events(setup: Setup) -> None:
    wave_id = _wave(setup)
    _push(setup, setup.agency, wave_id, 3, 0)
    _push(setup, setup.other_agency, wave_id, 2, 3)
    _v2_snapshot(setup, wave_id)
    _push(setup, setup.agency, wave_id, 1, 5)
    loaded = setup.app.wave(wave_id)
    # The snapshot cannot tell whose its batches were: not known, never guessed.
    assert not loaded.counted_per_agency
    assert loaded.intake_of(str(setup.agency_id)) is None
    assert (loaded.batches, loaded.quarantined) == (3, 2)  # the whole wave's, as before
    assert _own(setup, wave_id, setup.agency_id) == (2, 2)
    assert _own(setup, wave_id, setup.other_agency_id) == (1, 0)
