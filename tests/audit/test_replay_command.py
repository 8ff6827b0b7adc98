"""`pingyi replay --verify` as an auditor runs it: a process of its own, no PINGYI_* settings,
against data directories the real services wrote. Nothing to verify is exit 2 and creates
nothing; a forged answer in the survey log is exit 1 naming the run, the unit and the input;
wave runs of the first release in the log are named as retired and change no verdict."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.audit.stores import copy_of, edit_survey_answer, run_pingyi, scored_history
from tests.scoring.retired_log import WAVE_NAME, append_to_sqlite


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    data = tmp_path_factory.mktemp("replay-cli") / "pingyi-data"
    return data, scored_history(data)


def test_stored_runs_verify_identically(history: tuple[Path, dict[str, Any]]) -> None:
    data, facts = history
    done = run_pingyi("replay", "--verify", "--data-dir", str(data), cwd=data.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 次计分运行中 2 次一致, 0 次不同 (2 of 2 score runs identical, 0 different)" in (
        done.stdout
    )
    for run in facts["runs"]:
        assert run["run_id"] in done.stdout


def test_a_report_in_a_pipe_keeps_every_id_whole(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """Not a terminal, 80 columns: each run is one line with its run and campaign ids whole
    (a table fitted to the width cut them to `31516bfc-c29c-5952-a…`), and a refusal too."""
    data, facts = history
    narrow = {"COLUMNS": "80"}
    done = run_pingyi("replay", "--verify", "--data-dir", str(data), cwd=data.parent, env=narrow)
    assert done.returncode == 0, done.stdout + done.stderr
    for run in facts["runs"]:
        (line,) = [row for row in done.stdout.splitlines() if run["run_id"] in row]
        assert facts["campaign_id"] in line and line.endswith("一致 (identical)"), done.stdout
    nowhere = run_pingyi("replay", "--verify", cwd=tmp_path, env=narrow)
    assert nowhere.returncode == 2, nowhere.stdout + nowhere.stderr
    (refusal,) = nowhere.stdout.splitlines()
    assert refusal.startswith("无法重放 replay cannot run: ") and "--data-dir" in refusal


def test_the_default_folder_is_used_when_run_where_the_data_is(
    history: tuple[Path, dict[str, Any]],
) -> None:
    data, _ = history
    done = run_pingyi("replay", "--verify", cwd=data.parent)  # ./pingyi-data
    assert done.returncode == 0, done.stdout + done.stderr


def test_run_from_the_wrong_folder_fails_and_creates_nothing(tmp_path: Path) -> None:
    done = run_pingyi("replay", "--verify", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "无法重放 replay cannot run: " in done.stdout
    assert "没有核对所依据的事件库 (no event store to verify from): " in done.stdout
    assert "pingyi-data" in done.stdout and "--data-dir" in done.stdout
    assert list(tmp_path.iterdir()) == []

    elsewhere = tmp_path / "typo"
    done = run_pingyi("replay", "--verify", cwd=tmp_path, env={"PINGYI_DATA_DIR": str(elsewhere)})
    assert done.returncode == 2, done.stdout + done.stderr
    assert not elsewhere.exists()


def test_stores_without_any_score_run_are_nothing_to_verify(tmp_path: Path) -> None:
    data = tmp_path / "pingyi-data"
    scored_history(data, runs=False)
    before = sorted((p.name, p.stat().st_size) for p in data.iterdir())
    done = run_pingyi("replay", "--verify", "--data-dir", str(data), cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    where = str(data / "scoring.sqlite")
    assert f"{where} 中没有存储任何计分运行: 无可核对 (no score run is stored in {where}: " in (
        done.stdout
    )
    assert "nothing to verify)" in done.stdout
    assert sorted(p.name for p in data.iterdir()) == [name for name, _ in before]


def test_a_forged_answer_names_the_runs_the_unit_and_the_input(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, facts = history
    forged = copy_of(data, tmp_path / "pingyi-data")
    # B-00001 rated the first unit 不满意: now it says 满意.
    edit_survey_answer(forged, "B-00001", "不满意", "满意")
    done = run_pingyi("replay", "--verify", "--data-dir", str(forged), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "2 次计分运行中 0 次一致, 2 次不同 (0 of 2 score runs identical, 2 different)" in (
        done.stdout
    )
    first = facts["unit_ids"][0]
    lines = done.stdout.splitlines()
    for run in facts["runs"]:
        named = [line for line in lines if run["run_id"] in line and first in line]
        assert len(named) == 1, done.stdout
        # A: 满意 ×3, B: 不满意 ×2 — replayed, one 不满意 became 满意.
        chinese, english = named[0].split("  ")[-1].split(" (different: ")
        assert chinese.startswith("不一致: ") and english.endswith(")"), named[0]
        assert "questionnaire.inputs.counts.满意 存储为 3, 重放为 4" in chinese
        assert "questionnaire.inputs.counts.满意 stored 3, replay 4" in english
        assert "questionnaire.inputs.counts.不满意 stored 2, replay 1" in named[0]
        assert any(
            run["run_id"] in line and "输入不同: " in line and "(inputs differ: " in line
            for line in lines
        )
    # The third unit's answers were not touched, and its score is what it was.
    assert not any(facts["unit_ids"][2] in line and "counts" in line for line in lines)


def test_retired_wave_runs_are_named_and_change_no_verdict(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """A log written by the first release holds wave runs: replay names each as retired,
    verifies the round runs as before and exits 0."""
    data, _ = history
    mixed = copy_of(data, tmp_path / "pingyi-data")
    append_to_sqlite(mixed / "scoring.sqlite")
    done = run_pingyi("replay", "--verify", "--data-dir", str(mixed), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 次计分运行中 2 次一致, 0 次不同 (2 of 2 score runs identical, 0 different)" in (
        done.stdout
    )
    assert (
        "第一版的 2 次波次计分运行已停用, 未核对 "
        "(2 retired wave runs of the first release not verified)"
    ) in done.stdout
    retired = [line for line in done.stdout.splitlines() if "(wave run)" in line]
    assert len(retired) == 2
    assert all(line.endswith("已停用, 未核对 (retired: not verified)") for line in retired)
    assert all(WAVE_NAME in line for line in retired)


def test_only_retired_wave_runs_are_nothing_to_verify(tmp_path: Path) -> None:
    data = tmp_path / "pingyi-data"
    scored_history(data, runs=False)
    append_to_sqlite(data / "scoring.sqlite")
    done = run_pingyi("replay", "--verify", "--data-dir", str(data), cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert " 中没有存储任何计分运行 (有 2 次已停用的波次计分运行, 不予核对): 无可核对 (" in (
        done.stdout
    )
    assert "(2 retired wave runs are not verified): nothing to verify)" in done.stdout


@pytest.mark.infra
def test_an_empty_database_is_nothing_to_verify_and_stays_empty(
    database_url: str, tmp_path: Path
) -> None:
    env = {"PINGYI_MODE": "production", "PINGYI_DATABASE_URL": database_url}
    done = run_pingyi("replay", "--verify", cwd=tmp_path, env=env)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "没有核对所依据的事件库 (no event store to verify from): " in done.stdout
    assert "scoring.scoring_events" in done.stdout and "PINGYI_DATABASE_URL" in done.stdout
    with psycopg.connect(database_url) as conn:
        (tables,) = conn.execute(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone() or (None,)
    assert tables == 0


SEAL_LINE = ("警告 WARNING: ", "注意 note: ", "registry: ", "survey: ", "inspection: ", "scoring: ")


def test_a_stored_body_that_does_not_decode_is_named_by_position_in_one_line(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """One byte cut from a survey message's stored body (no longer JSON): each run's row
    names the origin and position of that message, on one line (it printed pydantic's three
    lines, a link among them, and no position: the auditor could not find the message)."""
    data, facts = history
    forged = copy_of(data, tmp_path / "pingyi-data")
    with sqlite3.connect(forged / "survey.sqlite") as db:
        (position, body) = db.execute(
            "SELECT rowid, message FROM stored_events WHERE instr(message, ?) > 0",
            (b"B-00001",),
        ).fetchone()
        db.execute("UPDATE stored_events SET message = ? WHERE rowid = ?", (body[:-1], position))
    done = run_pingyi("replay", "--verify", "--data-dir", str(forged), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    *lines, summary = done.stdout.splitlines()
    assert summary == "2 次计分运行中 0 次一致, 2 次不同 (0 of 2 score runs identical, 2 different)"
    # The runs' rows, then what the seals say of each log (`pingyi.audit_seals`).
    rows = lines[: len(facts["runs"])]
    assert [row.split()[0] for row in rows] == [run["run_id"] for run in facts["runs"]]
    assert all(line.startswith(SEAL_LINE) for line in lines[len(rows) :]), lines
    for row in rows:
        # Pydantic's English, after its Chinese or alone (`shared.reasons.first_problem`).
        assert f"无法解码日志 cannot decode the logs: survey position {position}: " in row
        assert "Invalid JSON: " in row.split(f"survey position {position}: ", 1)[1]
