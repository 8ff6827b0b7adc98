"""Replay's registry fold: lifecycle facts count only past the position a run's roster began
following them at, and a roster captured for one run is not changed by later facts."""

from __future__ import annotations

from uuid import uuid4

import pytest

from services.scoring.replay_fold import RegistryFold, RegistryFolds
from tests.scoring.feeds import Feed, unit_moved, unit_registered, unit_renamed


@pytest.mark.parametrize(
    ("lifecycle_after", "names", "position"),
    [
        (None, ["舞阳县公安局", "舞阳县教育局"], 3),
        (2, ["舞阳县公安局", "舞阳县教育体育局"], 4),
        (0, ["舞阳县公安分局", "舞阳县教育体育局"], 4),
    ],
)
def test_lifecycle_facts_count_after_the_recorded_position(
    lifecycle_after: int | None, names: list[str], position: int
) -> None:
    feed, county = Feed("registry"), uuid4()
    a, b = unit_registered(county, "舞阳县公安局"), unit_registered(county, "舞阳县教育局")
    messages = [
        feed.message(a),
        feed.message(unit_renamed(a.unit_id, a.name, "舞阳县公安分局")),
        feed.message(b),
        feed.message(unit_renamed(b.unit_id, b.name, "舞阳县教育体育局")),
    ]
    fold = RegistryFold(lifecycle_after)
    for message in messages:
        fold.apply(message)
    at, units = fold.capture({str(a.unit_id), str(b.unit_id)})
    assert at == position
    assert [units[str(u.unit_id)]["name"] for u in (a, b)] == names


def test_a_capture_keeps_the_roster_as_it_was() -> None:
    feed, county, other = Feed("registry"), uuid4(), uuid4()
    unit = unit_registered(county, "舞阳县公安局")
    folds = RegistryFolds({None, 0})
    folds.apply(feed.message(unit))
    captured = folds.capture({None: {str(unit.unit_id)}, 0: {str(unit.unit_id)}})
    folds.apply(feed.message(unit_renamed(unit.unit_id, unit.name, "舞阳县公安分局")))
    moved = feed.message(unit_moved(unit.unit_id, county, other))
    folds.apply(moved)

    assert captured[0] == captured[None]
    position, entries = captured[0]
    assert position == 1
    assert entries[str(unit.unit_id)]["name"] == "舞阳县公安局"
    assert entries[str(unit.unit_id)]["jurisdiction_id"] == str(county)
    later = folds.capture({0: {str(unit.unit_id)}})[0]
    assert later[0] == moved.position
    assert later[1][str(unit.unit_id)] == {
        "name": "舞阳县公安分局",
        "category": unit.category,
        "jurisdiction_id": str(other),
        "status": "active",
    }
