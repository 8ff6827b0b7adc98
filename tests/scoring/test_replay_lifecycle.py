"""Units renamed and moved in the registry between and during waves: live runs use the roster
as of the registry position they read up to, and replay recomputes every run identically."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError

from pingyi.composition import open_outbox
from pingyi.replay import verify, verify_run
from services.scoring.application import ScoringApplication
from services.scoring.domain import ROSTER_ID, Roster
from services.scoring.inboxes import ScoringInbox
from shared.canonical import digest
from shared.contracts import IntegrationMessage
from shared.messaging.inbox import plan_batch
from shared.settings import CommonSettings, eventsourcing_env
from tests.harness import ADMIN, Cluster
from tests.scoring.helpers import (
    caught_up,
    close_wave,
    ok,
    open_wave,
    pattern,
    push,
    score_runs,
    seed_world,
    tampered,
)

NEW_NAME = "舞阳县公安分局"


class History:
    def __init__(self, common: CommonSettings) -> None:
        self.common = common
        self.runs: dict[str, dict[str, Any]] = {}
        self.renamed_unit = ""
        self.old_name = ""
        self.moved_unit = ""
        self.responses: dict[str, int] = {}

    def registry_message(self, event_type: str) -> IntegrationMessage:
        outbox = open_outbox("registry", self.common)
        try:
            return next(m for m in outbox.iterate() if m.event_type == event_type)
        finally:
            outbox.close()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    """The first wave closes; a unit is renamed and another moved to the other county while
    the second wave is open (a provisional run before, one after); then it closes."""
    common = CommonSettings(
        mode="embedded",
        data_dir=tmp_path_factory.mktemp("lifecycle"),
        bootstrap_admin_key=ADMIN["X-API-Key"],  # type: ignore[arg-type]
        log_json=False,
    )
    found = History(common)
    with Cluster(common, ["registry", "survey", "scoring"]) as cluster:
        world = seed_world(cluster)
        found.renamed_unit, found.moved_unit = world.unit_ids[0], world.unit_ids[1]
        found.old_name = world.unit_names[found.renamed_unit]
        first = open_wave(cluster, world, "上半年测评")
        push(cluster, world, first, pattern(world, ("满意", "基本满意", "不满意")) * 2, "A1")
        close_wave(cluster, world, first)
        second = open_wave(cluster, world, "下半年测评")
        push(cluster, world, second, pattern(world, ("满意", "满意", "不了解")) * 3, "B1")
        caught_up(cluster)
        found.runs["before"] = request(cluster, world.county_office, second)
        registry = cluster["registry"]
        rename = {"name": NEW_NAME, "reason": "机构改革更名"}
        ok(registry.post(f"/units/{found.renamed_unit}/rename", json=rename, headers=ADMIN))
        move = {"jurisdiction_id": world.other_county_id, "reason": "管理体制调整划转"}
        ok(registry.post(f"/units/{found.moved_unit}/move", json=move, headers=ADMIN))
        caught_up(cluster)
        found.runs["after"] = request(cluster, world.county_office, second)
        close_wave(cluster, world, second)
        caught_up(cluster)
        for name, wave_id in (("first", first), ("second", second)):
            final = next(r for r in score_runs(cluster, wave_id) if r["final"])
            found.runs[name] = ok(
                cluster["scoring"].get(f"/score-runs/{final['run_id']}", headers=ADMIN)
            )
        found.responses = {"first": 2, "second": 3}
    return found


def request(cluster: Cluster, office: dict[str, str], wave_id: str) -> dict[str, Any]:
    run: dict[str, Any] = ok(
        cluster["scoring"].post(f"/waves/{wave_id}/score-runs", headers=office)
    )
    return run


def name_of(run: dict[str, Any], unit_id: str) -> str:
    return str(next(r["unit_name"] for r in run["results"] if r["unit_id"] == unit_id))


def test_the_first_waves_final_run_keeps_the_old_name_the_second_shows_the_new(
    history: History,
) -> None:
    first, second = history.runs["first"], history.runs["second"]
    renamed = history.registry_message("registry.unit.renamed").position
    moved = history.registry_message("registry.unit.moved").position
    assert first["upstream_positions"]["registry"] < renamed < moved
    assert second["upstream_positions"]["registry"] == moved
    assert name_of(first, history.renamed_unit) == history.old_name
    assert name_of(second, history.renamed_unit) == NEW_NAME
    others = [u for u in (r["unit_id"] for r in first["results"]) if u != history.renamed_unit]
    assert [name_of(first, u) for u in others] == [name_of(second, u) for u in others]


def test_verify_reports_every_run_identical(history: History) -> None:
    results = verify(history.common)
    assert {str(r.run_id) for r in results} == {r["run_id"] for r in history.runs.values()}
    for result in results:
        assert result.identical, result.as_dict()


def test_a_rename_after_a_runs_registry_position_does_not_change_its_recomputation(
    history: History,
) -> None:
    before, after = history.runs["before"], history.runs["after"]
    renamed = history.registry_message("registry.unit.renamed").position
    assert before["upstream_positions"]["registry"] < renamed
    assert before["upstream_positions"]["survey"] == after["upstream_positions"]["survey"]
    # The rename is in the log replay reads, and the later run shows it ...
    assert name_of(after, history.renamed_unit) == NEW_NAME
    changed = {
        old["unit_id"]
        for old, new in zip(before["results"], after["results"], strict=True)
        if old != new
    }
    assert changed == {history.renamed_unit}
    # ... the move only in its inputs (the published results carry no jurisdiction).
    assert before["inputs_digest"] != after["inputs_digest"]

    result = verify_run(history.common, UUID(before["run_id"]))
    assert result.identical, result.as_dict()
    assert result.upstream_positions == before["upstream_positions"]
    (unit,) = [u for u in result.units if u.unit_id == history.renamed_unit]
    assert unit.unit_name == history.old_name and unit.status == "identical"


def test_a_redelivered_rename_changes_nothing(history: History) -> None:
    rename = history.registry_message("registry.unit.renamed")
    app = ScoringApplication(eventsourcing_env(history.common, "scoring", None))
    try:
        inbox, head = ScoringInbox(app), app.recorder.max_notification_id()
        roster = app.repository.get(ROSTER_ID)
        assert isinstance(roster, Roster)
        plan = plan_batch(inbox.last_position("registry"), [rename])
        assert plan.to_apply == [] and plan.duplicates == [rename]
        with pytest.raises(IntegrityError):
            inbox.apply("registry", [rename])
        assert app.recorder.max_notification_id() == head
        again = app.repository.get(ROSTER_ID)
        assert isinstance(again, Roster)
        assert (again.version, again.units) == (roster.version, roster.units)
        assert again.units[history.renamed_unit]["name"] == NEW_NAME
    finally:
        app.close()
    assert all(result.identical for result in verify(history.common))


def as_stored_before_lifecycle(run: dict[str, Any], responses: int) -> Any:
    """A change making a run's stored record what the scoring code before lifecycle facts
    wrote: a v1 event, and an inputs digest over units with name and category only."""
    inputs = {
        "wave_id": run["wave_id"],
        "jurisdiction_id": run["jurisdiction_id"],
        "wave_name": run["wave_name"],
        "responses": responses,
        "units": [
            {
                "unit_id": r["unit_id"],
                "name": r["unit_name"],
                "category": r["category"],
                "counts": r["counts"],
            }
            for r in sorted(run["results"], key=lambda r: r["unit_id"])
        ],
    }

    def change(record: dict[str, Any]) -> None:
        assert record.pop("class_version") == 2
        assert isinstance(record.pop("lifecycle_after"), int)
        record["inputs_digest"] = digest(inputs)

    return change


def test_runs_stored_before_lifecycle_facts_replay_by_their_own_rules(
    history: History, tmp_path: Path
) -> None:
    first, second = history.runs["first"], history.runs["second"]
    common = tampered(
        history.common,
        tmp_path / "first",
        first["run_id"],
        as_stored_before_lifecycle(first, history.responses["first"]),
    )
    common = tampered(
        common,
        tmp_path / "second",
        second["run_id"],
        as_stored_before_lifecycle(second, history.responses["second"]),
    )
    results = {str(r.run_id): r for r in verify(common)}
    # The old record decodes, and with no lifecycle fact before it, replays identically.
    assert results[first["run_id"]].identical, results[first["run_id"]].as_dict()
    # The old rules never applied renames: a record claiming the new name under them fails.
    old_rules = results[second["run_id"]]
    (unit,) = [u for u in old_rules.units if u.status != "identical"]
    assert unit.unit_id == history.renamed_unit
    assert unit.fields == ("result_digest", "unit_name")
    assert results[history.runs["after"]["run_id"]].identical
