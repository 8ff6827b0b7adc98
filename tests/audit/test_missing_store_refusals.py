"""A store a replay or an export reads is missing, or cannot be read. As an auditor runs the
commands (a process of its own, no PINGYI_* settings, data the real services wrote): exit 2
with one line naming the problem, never a traceback (whose exit 1 would read as
"different"), never a pass when nothing was compared, and nothing written. 0 identical,
1 different, 2 could not check (docs/audit.md)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

from pingyi.audit_bundle import read_bundle
from tests.audit.refusal_helpers import (
    SCHEME,
    refused,
)
from tests.audit.stores import copy_of, run_pingyi


def _without_inspection(data: Path, target: Path) -> Path:
    target.mkdir()
    for service in ("registry", "survey", "scoring"):
        shutil.copy(data / f"{service}.sqlite", target / f"{service}.sqlite")
    return target


def test_replay_without_the_inspection_store_checks_nothing(
    refusal_history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, _ = refusal_history
    partial = _without_inspection(data, tmp_path / "pingyi-data")
    before = sorted(p.name for p in partial.iterdir())
    done = run_pingyi("replay", "--verify", "--data-dir", str(partial), cwd=tmp_path)
    refused(
        done,
        "无法重放 replay cannot run: 没有核对所依据的事件库 (no event store to verify from): "
        "inspection:",
    )
    assert "score runs identical" not in done.stdout and "次计分运行中" not in done.stdout
    assert sorted(p.name for p in partial.iterdir()) == before


def test_a_run_whose_logs_cannot_be_read_is_not_a_difference(
    refusal_history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """A survey message stored without its body (the offline reader cannot read it): both
    runs could not be compared, which is neither identical nor different."""
    data, facts = refusal_history
    unreadable = copy_of(data, tmp_path / "pingyi-data")
    with sqlite3.connect(unreadable / "survey.sqlite") as db:
        db.execute(
            "UPDATE stored_events SET message = NULL WHERE rowid ="
            " (SELECT min(rowid) FROM stored_events WHERE length(message) > 0)"
        )
    done = run_pingyi("replay", "--verify", "--data-dir", str(unreadable), cwd=tmp_path)
    refused(
        done,
        "2 次计分运行中 0 次一致, 0 次不同, 2 次无法核对 "
        "(0 of 2 score runs identical, 0 different, 2 could not be checked)",
    )
    for run in facts["runs"]:
        assert any(
            run["run_id"] in line and "无法读取日志 cannot read the logs: " in line
            for line in done.stdout.splitlines()
        ), done.stdout


def test_export_under_a_scheme_refuses_a_missing_store_unless_told(
    refusal_history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, facts = refusal_history
    partial = _without_inspection(data, tmp_path / "pingyi-data")
    args = ["audit", "export", "--campaign", facts["campaign_id"], "--scheme", str(SCHEME),
            "--out", "b.zip", "--data-dir", str(partial)]  # fmt: skip
    done = run_pingyi(*args, cwd=tmp_path)
    refused(
        done,
        "export cannot run: 没有 inspection 的事件库 (",
        "如要不含它导出, 请加 --allow-missing inspection (no event store of inspection",
    )
    assert not (tmp_path / "b.zip").exists()

    done = run_pingyi(*args, "--allow-missing", "inspection", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (
        "警告 warning: 没有 inspection 的事件库: 审计包中没有 inspection 的消息 "
        "(no inspection event store: the bundle holds no inspection log)"
    ) in done.stderr
    assert read_bundle(tmp_path / "b.zip").origins == ["registry", "survey", "scoring"]
