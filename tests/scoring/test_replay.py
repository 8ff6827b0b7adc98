"""Auditors' replay against logs written by the real registry, survey and scoring services."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from pingyi.replay import verify, verify_run
from services.scoring.replay import RunNotFound, SchemeMismatch
from services.scoring.scheme import SATISFACTION_V1, Scheme
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.scoring.helpers import (
    caught_up,
    close_wave,
    ok,
    open_wave,
    pattern,
    push,
    register_units,
    score_runs,
    seed_world,
    tampered,
)

Runs = dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[CommonSettings, Runs]:
    """Two waves: one with two provisional runs and a final run, one closed straight away;
    more registry and survey activity after every run. Services stopped afterwards."""
    common = CommonSettings(
        mode="embedded",
        data_dir=tmp_path_factory.mktemp("replay"),
        bootstrap_admin_key=ADMIN["X-API-Key"],  # type: ignore[arg-type]
        log_json=False,
    )
    runs: Runs = {}
    with Cluster(common, ["registry", "survey", "scoring"]) as cluster:
        world = seed_world(cluster)
        first, second = (
            open_wave(cluster, world, "上半年测评"),
            open_wave(cluster, world, "下半年测评"),
        )
        push(cluster, world, first, pattern(world, ("满意", "基本满意", "不满意")) * 3, "A1")
        caught_up(cluster)
        runs["early"] = request(cluster, world.county_office, first)
        push(cluster, world, first, pattern(world, ("不满意", "满意", "不了解")) * 2, "A2")
        push(cluster, world, second, pattern(world, ("满意", "满意", "基本满意")), "B1")
        caught_up(cluster)
        runs["later"] = request(cluster, world.county_office, first)
        close_wave(cluster, world, second)
        close_wave(cluster, world, first)
        register_units(
            cluster["registry"], world.county_id, [("舞阳县民政局", "政府部门及其它机构")]
        )
        caught_up(cluster)
        final = next(r for r in score_runs(cluster, first) if r["final"])
        (other,) = score_runs(cluster, second)
        for name, summary in (("final", final), ("other", other)):
            runs[name] = ok(
                cluster["scoring"].get(f"/score-runs/{summary['run_id']}", headers=ADMIN)
            )
    return common, runs


def request(cluster: Cluster, office: dict[str, str], wave_id: str) -> dict[str, Any]:
    run: dict[str, Any] = ok(
        cluster["scoring"].post(f"/waves/{wave_id}/score-runs", headers=office)
    )
    return run


def test_every_stored_run_replays_identically(history: tuple[CommonSettings, Runs]) -> None:
    common, runs = history
    results = verify(common)
    assert {str(r.run_id) for r in results} == {r["run_id"] for r in runs.values()}
    for result in results:
        assert result.identical, result.as_dict()
        assert result.inputs_identical and not result.problems
        assert [u.status for u in result.units] == ["identical"] * 3
        assert result.rows()[0][3] == "identical"


def test_later_messages_do_not_change_an_earlier_run(history: tuple[CommonSettings, Runs]) -> None:
    common, runs = history
    early = runs["early"]
    assert early["upstream_positions"]["survey"] < runs["later"]["upstream_positions"]["survey"]
    result = verify_run(common, UUID(early["run_id"]))
    assert result.identical and result.upstream_positions == early["upstream_positions"]


def test_unknown_run_is_an_error(history: tuple[CommonSettings, Runs]) -> None:
    with pytest.raises(RunNotFound):
        verify_run(history[0], uuid4())


def test_a_changed_scheme_definition_fails_loudly(history: tuple[CommonSettings, Runs]) -> None:
    changed = Scheme(
        dict(SATISFACTION_V1.definition)
        | {"weights": {"满意": "1", "基本满意": "0.6", "不满意": "0"}}
    )
    with pytest.raises(SchemeMismatch, match="satisfaction v1"):
        verify(history[0], schemes={changed.key: changed})
    with pytest.raises(SchemeMismatch, match="unknown"):
        verify(history[0], schemes={})


def test_an_edited_score_is_reported_for_its_unit(
    history: tuple[CommonSettings, Runs], tmp_path: Path
) -> None:
    common, runs = history
    final = runs["final"]
    victim = final["results"][1]["unit_id"]

    def raise_score(record: dict[str, Any]) -> None:
        for result in record["results"]:
            if result["unit_id"] == victim:
                result["score"] = "99.99"

    results = {
        str(r.run_id): r for r in verify(tampered(common, tmp_path, final["run_id"], raise_score))
    }
    edited = results[final["run_id"]]
    assert edited.status == "different"
    (unit,) = [u for u in edited.units if u.status != "identical"]
    assert unit.unit_id == victim and unit.fields == ("score",)
    assert "stored results do not match the stored results digest" in edited.problems
    assert edited.inputs_identical
    assert any(row[2] == unit.unit_name and "score" in row[3] for row in edited.rows())
    others = [r for run_id, r in results.items() if run_id != final["run_id"]]
    assert len(others) == 3 and all(r.identical for r in others)


def test_edited_positions_break_the_run_identity(
    history: tuple[CommonSettings, Runs], tmp_path: Path
) -> None:
    common, runs = history
    early = runs["early"]

    def later_positions(record: dict[str, Any]) -> None:
        record["upstream_positions"]["survey"] = runs["later"]["upstream_positions"]["survey"]

    (result,) = [
        r
        for r in verify(tampered(common, tmp_path, early["run_id"], later_positions))
        if str(r.run_id) == early["run_id"]
    ]
    assert not result.identical
    assert "run id does not match the recorded wave, scheme and positions" in result.problems
    assert not result.inputs_identical
    assert {u.status for u in result.units} == {"different"}


def test_an_undecodable_record_is_reported_not_skipped(
    history: tuple[CommonSettings, Runs], tmp_path: Path
) -> None:
    common, runs = history
    other = runs["other"]
    copy = tampered(common, tmp_path, other["run_id"], lambda record: b"\x00not json")
    (result,) = [r for r in verify(copy) if str(r.run_id) == other["run_id"]]
    assert result.status == "different"
    assert result.problems[0].startswith("stored record does not decode")
