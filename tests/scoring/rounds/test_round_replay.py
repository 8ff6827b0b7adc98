"""`pingyi replay --verify` on campaign-round runs: the engine, run by the auditor's command
from the stores the real services wrote (embedded mode), gives the stored results byte for
byte, and a forged answer in the survey log is named by run and unit."""

from __future__ import annotations

import gc
import json
import logging
import multiprocessing
import os
import re
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.utils import get_topic

from pingyi.replay import verify
from services.scoring.engine.compute.revision import CURRENT
from services.scoring.engine.scheme import Scheme
from services.scoring.rounds import replay as replay_module
from services.scoring.rounds.domain import RoundRun
from services.scoring.rounds.replay import Spread, replay_round
from services.scoring.rounds.replay_ranges import RangeWorkers
from shared.contracts.scoring import RoundScored
from shared.contracts.wire import encode_body
from shared.settings import CommonSettings
from tests.audit.stores import copy_of, edit_survey_answer, embedded, run_pingyi
from tests.harness import ADMIN, Cluster
from tests.scoring.rounds.helpers import campaign_round, caught_up, push
from tests.scoring.rounds.test_round_api import SCHEME


@pytest.fixture(scope="module")
def scored_round(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    data = tmp_path_factory.mktemp("round") / "pingyi-data"
    with Cluster(embedded(data), ["registry", "survey", "inspection", "scoring"]) as cluster:
        rnd = campaign_round(cluster)
        push(
            cluster["survey"], rnd, [("满意", "满意", "不满意"), ("满意", "基本满意", "满意")], "R"
        )
        caught_up(cluster)
        scoring = cluster["scoring"]
        assert scoring.post(
            "/schemes", json={"document": SCHEME, "reason": "测试"}, headers=ADMIN
        ).status_code in (200, 201)
        assigned = scoring.put(
            f"/campaigns/{rnd.campaign_id}/scheme",
            json={"scheme_id": SCHEME["scheme_id"], "version": 1, "reason": "定"},
            headers=ADMIN,
        )
        assert assigned.status_code == 200, assigned.text
        run = scoring.post(
            f"/campaigns/{rnd.campaign_id}/rounds/1/score-runs",
            json={"final": True, "reason": "上半年"},
            headers=ADMIN,
        )
        assert run.status_code == 201, run.text
    return data, {
        "run": run.json(),
        "unit_ids": rnd.world.unit_ids,
        "campaign_id": rnd.campaign_id,
    }


def test_a_round_run_replays_identically(
    scored_round: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, facts = scored_round
    done = run_pingyi("replay", "--verify", "--data-dir", str(data), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    (line,) = [row for row in done.stdout.splitlines() if facts["run"]["run_id"] in row]
    assert "(round)" in line and line.endswith("一致 (identical)")
    assert "3 个单位 (3 units)" in line


def test_a_forged_answer_names_the_round_run_and_the_unit(
    scored_round: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, facts = scored_round
    forged = copy_of(data, tmp_path / "pingyi-data")
    # R-00000 rated the third unit 不满意: now it says 满意.
    edit_survey_answer(forged, "R-00000", "不满意", "满意")
    done = run_pingyi("replay", "--verify", "--data-dir", str(forged), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = [row for row in done.stdout.splitlines() if facts["run"]["run_id"] in row]
    assert any("输入不同: " in row and "(inputs differ: " in row for row in lines)
    differing = [row for row in lines if "不一致: " in row and "(different: " in row]
    # The forged unit, and those whose rank moved with it; the forged one names its input.
    (forged_row,) = [row for row in differing if facts["unit_ids"][2] in row]
    assert "questionnaire.inputs.counts.不满意 存储为 1, 重放为 0" in forged_row
    assert "questionnaire.inputs.counts.不满意 stored 1, replay 0" in forged_row
    assert all(any(unit in row for unit in facts["unit_ids"]) for row in differing)


def _export(data: Path, facts: dict[str, Any], out: Path, cwd: Path) -> None:
    done = run_pingyi(
        "audit",
        "export",
        "--campaign",
        facts["campaign_id"],
        "--round",
        "1",
        "--out",
        str(out),
        "--data-dir",
        str(data),
        cwd=cwd,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_stored_run_exports_and_verifies_offline(
    scored_round: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """No --scheme: the bundle holds the run's scheme and stored results, and the logs up to
    its positions; verify (no store, no settings) recomputes them identically."""
    data, facts = scored_round
    bundle = tmp_path / "round-1.zip"
    _export(data, facts, bundle, tmp_path)
    done = run_pingyi("audit", "verify", str(bundle), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_bundle_of_forged_logs_does_not_verify(
    scored_round: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, facts = scored_round
    forged = copy_of(data, tmp_path / "pingyi-data")
    edit_survey_answer(forged, "R-00001", "基本满意", "不满意")
    bundle = tmp_path / "forged.zip"
    _export(forged, facts, bundle, tmp_path)
    done = run_pingyi("audit", "verify", str(bundle), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert facts["unit_ids"][1] in done.stdout
    assert "R-00001" in done.stdout


def test_the_survey_log_counted_in_ranges_side_by_side_replays_identically(
    scored_round: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, facts = scored_round
    args = ("replay", "--verify", "--data-dir", str(data), "--workers", "3", "--split-mib", "0")
    done = run_pingyi(*args, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    (line,) = [row for row in done.stdout.splitlines() if facts["run"]["run_id"] in row]
    # Three ranges asked for; the cuts fall between messages by stored bytes, so a log this
    # small may make two (one message outweighs a third of it).
    assert re.search(
        r"一致, 问卷日志分 ([23]) 段计数 \(identical \(survey log in \1 ranges\)\)$", line
    ), line
    assert "3 个单位 (3 units)" in line


def test_a_forged_answer_outside_the_scale_is_caught_with_the_log_in_ranges(
    scored_round: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    # A range cannot tell where an answer outside the scale falls among the wave's levels:
    # the replay then reads the log in one piece, and still names the forged unit.
    data, facts = scored_round
    forged = copy_of(data, tmp_path / "pingyi-data")
    edit_survey_answer(forged, "R-00000", "不满意", "非常满意")
    args = ("replay", "--verify", "--data-dir", str(forged), "--workers", "2", "--split-mib", "0")
    done = run_pingyi(*args, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    differing = [row for row in done.stdout.splitlines() if "(different: " in row]
    (forged_row,) = [row for row in differing if facts["unit_ids"][2] in row]
    assert "questionnaire.inputs.counts.不满意 存储为 1, 重放为 0" in forged_row
    assert "questionnaire.inputs.counts.不满意 stored 1, replay 0" in forged_row


@pytest.mark.parametrize("spread", [("--workers", "1"), ("--workers", "2", "--split-mib", "0")])
def test_a_stored_body_that_no_longer_decodes_is_named_whole_or_in_ranges(
    scored_round: tuple[Path, dict[str, Any]], tmp_path: Path, spread: tuple[str, ...]
) -> None:
    data, facts = scored_round
    forged = copy_of(data, tmp_path / "pingyi-data")
    with sqlite3.connect(forged / "survey.sqlite") as db:
        (position, body) = db.execute(
            "SELECT rowid, message FROM stored_events WHERE instr(message, ?) > 0",
            (b"R-00000",),
        ).fetchone()
        assert b'"part":1' in body
        # A part numbered 0: no part the contract accepts, by either reader.
        db.execute(
            "UPDATE stored_events SET message = ? WHERE rowid = ?",
            (body.replace(b'"part":1', b'"part":0', 1), position),
        )
    done = run_pingyi("replay", "--verify", "--data-dir", str(forged), *spread, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = [row for row in done.stdout.splitlines() if facts["run"]["run_id"] in row]
    assert any("无法解码日志 cannot decode the logs: " in row for row in lines), done.stdout


_RANGE_PROCESSES_DIE = False
"""While true, every process forked from this one ends at once, as a range's process killed
by the kernel (out of memory) would: nothing of the range reaches the replay."""


def _die_if_asked() -> None:
    if _RANGE_PROCESSES_DIE:
        os._exit(137)


os.register_at_fork(after_in_child=_die_if_asked)


def test_a_range_whose_process_dies_is_read_in_one_piece(
    scored_round: tuple[Path, dict[str, Any]],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A range's process that dies closes its pipe: the replay says so in a warning and
    folds the survey log in one piece, to the same verdict."""
    global _RANGE_PROCESSES_DIE
    data, facts = scored_round
    common = CommonSettings(mode="embedded", data_dir=copy_of(data, tmp_path / "pingyi-data"))
    spread = Spread(workers=2, split_bytes=0)
    whole, _retired = verify(common, spread)
    assert [v.survey_ranges for v in whole] == [2]  # ranges, when their processes live
    _RANGE_PROCESSES_DIE = True
    try:
        with caplog.at_level(logging.WARNING, logger="services.scoring.rounds.replay"):
            verdicts, _retired = verify(common, spread)
    finally:
        _RANGE_PROCESSES_DIE = False
    (verdict,) = verdicts
    assert verdict.run_id == facts["run"]["run_id"]
    assert verdict.identical and verdict.survey_ranges == 1
    assert "read in one piece" in caplog.text


def test_a_first_pass_that_fails_leaves_no_range_process_behind(
    scored_round: tuple[Path, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ranges' processes start before the first pass and wait for what it finds: one
    that raises (a decision that no longer decodes, say) is raised whole, and every range's
    process is told to stop and is gone."""
    data, facts = scored_round
    common = CommonSettings(mode="embedded", data_dir=copy_of(data, tmp_path / "pingyi-data"))
    started: list[int] = []

    class Watched(RangeWorkers):
        def __init__(self, common: CommonSettings, bounds: list[int]) -> None:
            super().__init__(common, bounds)
            started.extend(process.pid or 0 for process, _ in self._workers)

    def broken(common: CommonSettings, stop: int, cuts: list[int] | None = None) -> Any:
        raise ValueError("survey position 3: 无法解码")

    monkeypatch.setattr(replay_module, "RangeWorkers", Watched)
    monkeypatch.setattr(replay_module, "_skeleton", broken)
    scheme = Scheme.from_document(SCHEME)
    positions = {"registry": 10**6, "survey": 10**6, "inspection": 10**6}
    with pytest.raises(ValueError, match="无法解码"):
        replay_round(
            common, scheme, facts["campaign_id"], 1, positions, Spread(workers=2, split_bytes=0)
        )
    assert len(started) == 2
    assert multiprocessing.active_children() == []
    for pid in started:  # reaped: no such process is left
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_the_survey_skeleton_is_held_for_the_join_while_short(
    scored_round: tuple[Path, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first pass keeps a short skeleton for the join (one read of it); past
    `SKELETON_HELD` messages the join reads it from the store again: the same verdict."""
    data, facts = scored_round
    common = CommonSettings(mode="embedded", data_dir=copy_of(data, tmp_path / "pingyi-data"))
    reads: list[int] = []
    read_skeleton = replay_module._skeleton

    def counted(common: CommonSettings, stop: int, cuts: list[int] | None = None) -> Any:
        reads.append(stop)
        return read_skeleton(common, stop, cuts)

    monkeypatch.setattr(replay_module, "_skeleton", counted)
    for held, expected_reads in ((replay_module.SKELETON_HELD, 1), (0, 2)):
        monkeypatch.setattr(replay_module, "SKELETON_HELD", held)
        reads.clear()
        (verdict,), _retired = verify(common, Spread(workers=2, split_bytes=0))
        assert verdict.run_id == facts["run"]["run_id"]
        assert verdict.identical and verdict.survey_ranges == 2
        assert len(reads) == expected_reads
        # What the ranges inherited was frozen for their collections only: nothing stays
        # frozen in this process (its objects collectable again).
        assert gc.get_freeze_count() == 0


def _store_as_first_revision(data: Path, run_id: str) -> dict[str, Any]:
    """The stored run's results made what the engine's first revision computes from the same
    logs (as a run stored before revision 2 holds): its scheme and positions unchanged."""
    common = embedded(data)
    topic = get_topic(RoundRun.Computed)
    with sqlite3.connect(data / "scoring.sqlite") as db:
        ((state, body),) = db.execute(
            "SELECT state, message FROM stored_events WHERE originator_id = ? AND topic = ?",
            (UUID(run_id).hex, topic),
        ).fetchall()
        stored = json.loads(state)
        scheme = Scheme.from_document(SCHEME)
        first = replay_round(
            common,
            scheme,
            stored["results"]["campaign_id"],
            stored["results"]["round"],
            dict(stored["upstream_positions"]),
            Spread(workers=1),
            revision=1,
        )
        first.pop("survey_ranges"), first.pop("upstream_positions")
        assert "engine_revision" not in first and stored["results"]["engine_revision"] == CURRENT
        stored |= {"results": first, "results_digest": first["results_digest"]}
        # Its published body as stored at write time, which every reader of the log reads.
        published = json.loads(body)
        payload = RoundScored.model_validate(
            published["payload"]
            | {k: v for k, v in first.items() if k in RoundScored.model_fields}
            | {"engine_revision": 1}
        )
        occurred_at = datetime.fromisoformat(published["occurred_at"])
        db.execute(
            "UPDATE stored_events SET state = ?, message = ? WHERE originator_id = ? AND topic = ?",
            (
                json.dumps(stored).encode(),
                encode_body("scoring", payload, occurred_at),
                UUID(run_id).hex,
                topic,
            ),
        )
    return first


def test_a_run_stored_under_the_first_engine_revision_replays_under_its_own(
    scored_round: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """A run computed before the engine's second revision (tests/scoring/engine/
    test_revision.py) keeps verifying: replay recomputes it under the revision it records,
    not under today's, whose results differ for this round."""
    data, facts = scored_round
    older = copy_of(data, tmp_path / "pingyi-data")
    first = _store_as_first_revision(older, facts["run"]["run_id"])
    assert first["results_digest"] != facts["run"]["results_digest"]
    done = run_pingyi("replay", "--verify", "--data-dir", str(older), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    (line,) = [row for row in done.stdout.splitlines() if facts["run"]["run_id"] in row]
    assert line.endswith("一致 (identical)")


def test_a_final_asked_again_after_an_engine_revision_is_a_run_of_its_own(
    scored_round: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """The same scheme and inputs as a final computed under the first revision: not that
    run again, but a new final under the current revision, which becomes the round's."""
    data, facts = scored_round
    older = copy_of(data, tmp_path / "pingyi-data")
    _store_as_first_revision(older, facts["run"]["run_id"])
    campaign_id = facts["campaign_id"]
    with Cluster(embedded(older), ["registry", "survey", "inspection", "scoring"]) as cluster:
        scoring = cluster["scoring"]
        again = scoring.post(
            f"/campaigns/{campaign_id}/rounds/1/score-runs",
            json={"final": True, "reason": "引擎修订后重算"},
            headers=ADMIN,
        )
        assert again.status_code == 201, again.text
        run = again.json()
        assert run["run_id"] != facts["run"]["run_id"]
        assert run["upstream_positions"] == facts["run"]["upstream_positions"]
        assert run["results"]["engine_revision"] == CURRENT
        asked_twice = scoring.post(
            f"/campaigns/{campaign_id}/rounds/1/score-runs",
            json={"final": True, "reason": "引擎修订后重算"},
            headers=ADMIN,
        )
        assert asked_twice.json()["run_id"] == run["run_id"]
