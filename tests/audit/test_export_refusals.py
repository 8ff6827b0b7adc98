"""What `pingyi audit export` refuses: a run not of the campaign and round asked, a round
with nothing to score, an --out it cannot write. As an auditor runs the
commands (a process of its own, no PINGYI_* settings, data the real services wrote): exit 2
with one line naming the problem, never a traceback (whose exit 1 would read as
"different"), never a pass when nothing was compared, and nothing written. 0 identical,
1 different, 2 could not check (docs/audit.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pingyi.audit_bundle import read_bundle
from tests.audit.refusal_helpers import (
    NOBODY,
    SCHEME,
    refused,
)
from tests.audit.stores import run_pingyi


@pytest.mark.parametrize("which", ["another round", "another campaign"])
def test_export_refuses_a_run_not_of_the_campaign_and_round(
    refusal_history: tuple[Path, dict[str, Any]], tmp_path: Path, which: str
) -> None:
    data, facts = refusal_history
    run_id = facts["runs"][1]["run_id"]  # round 1, final
    asked = (
        ["--campaign", facts["campaign_id"], "--round", "2"]
        if which == "another round"
        else ["--campaign", NOBODY]
    )
    done = run_pingyi(
        "audit", "export", *asked, "--run", run_id, "--out", "b.zip", "--data-dir", str(data),
        cwd=tmp_path,
    )  # fmt: skip
    refused(
        done,
        f"无法导出 export cannot run: 计分 {run_id} 属于评议活动 {facts['campaign_id']} 第 1 轮, "
        "不属于评议活动 ",
        f"(round run {run_id} is of campaign {facts['campaign_id']} round 1, not of campaign ",
    )
    assert list(tmp_path.iterdir()) == []


def test_export_of_a_run_takes_its_round(
    refusal_history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, facts = refusal_history
    run_id = facts["runs"][0]["run_id"]  # the provisional one
    done = run_pingyi(
        "audit", "export", "--campaign", facts["campaign_id"].upper(), "--run", run_id,
        "--out", "b.zip", "--data-dir", str(data), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    about = read_bundle(tmp_path / "b.zip").manifest["about"]
    assert (about["campaign_id"], about["round"], about["run_id"]) == (
        facts["campaign_id"],  # as every contract prints it, however it was typed
        1,
        run_id,
    )


@pytest.mark.parametrize(
    ("campaign", "round_", "reason"),
    [
        (NOBODY, "1", f"中没有评议活动 {NOBODY}: 无可导出 (the registry log (to position "),
        (None, "3", "没有第 3 轮, 该评议活动共 2 轮: 无可导出 (campaign "),
    ],
    ids=["unknown campaign", "round past the cycle"],
)
def test_export_under_a_scheme_refuses_a_round_with_nothing_to_score(
    refusal_history: tuple[Path, dict[str, Any]],
    tmp_path: Path,
    campaign: str | None,
    round_: str,
    reason: str,
) -> None:
    data, facts = refusal_history
    done = run_pingyi(
        "audit", "export", "--campaign", campaign or facts["campaign_id"], "--round", round_,
        "--scheme", str(SCHEME), "--out", "b.zip", "--data-dir", str(data), cwd=tmp_path,
    )  # fmt: skip
    refused(done, reason)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["a folder", "a folder that does not exist"])
def test_export_refuses_an_out_it_cannot_write_and_leaves_nothing(
    refusal_history: tuple[Path, dict[str, Any]], tmp_path: Path, where: str
) -> None:
    """Refused before any log is read; a folder at --out used to be found only by the
    finished bundle's rename, which left the whole bundle beside it as `<out>.partial`."""
    data, facts = refusal_history
    out = tmp_path / "审计包" if where == "a folder" else tmp_path / "没有的目录" / "第一轮.zip"
    if where == "a folder":
        out.mkdir()
    done = run_pingyi(
        "audit", "export", "--campaign", facts["campaign_id"], "--out", str(out),
        "--data-dir", str(data), cwd=tmp_path,
    )  # fmt: skip
    expected = (
        f"{out} 是文件夹: 请写出要在其中写入的审计包文件名 (--out {out} is a folder"
        if where == "a folder"
        else f"没有文件夹 {out.parent} (--out {out}: there is no folder {out.parent})"
    )
    refused(done, "export cannot run: --out ", expected)
    assert ".partial" not in done.stdout
    assert sorted(p.name for p in tmp_path.rglob("*")) == (["审计包"] if out.is_dir() else [])
