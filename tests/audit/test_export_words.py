"""`pingyi audit export` refusals read Chinese first with the English after it, as every
refusal of the product does: the option clashes found before anything is read, and a stored
run the export cannot find. Each is exit 2, one line, nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from pingyi.audit_commands import log_counted
from tests.audit.stores import run_pingyi, scored_history

NOBODY = "00000000-0000-0000-0000-000000000000"
REFUSED = "无法导出 export cannot run: "


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    data = tmp_path_factory.mktemp("words") / "pingyi-data"
    return data, scored_history(data)


def _export(*args: str, cwd: Path) -> str:
    done = run_pingyi("audit", "export", "--out", "b.zip", *args, cwd=cwd)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert not (cwd / "b.zip").exists()
    (line,) = done.stdout.splitlines()
    return line


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (
            ("--scheme", "s.yaml", "--allow-missing", "registry"),
            "--allow-missing registry: 只能是 inspection、scoring (only inspection, scoring)",
        ),
        (
            ("--scheme", "s.yaml", "--run", NOBODY),
            "--run 与 --scheme 不能同时使用 (--run and --scheme exclude each other)",
        ),
        (
            ("--allow-missing", "inspection"),
            "--allow-missing 只用于 --scheme (计分已指明它读取的消息) "
            "(--allow-missing is for --scheme (a run names its logs))",
        ),
    ],
    ids=["allow-missing a required store", "run and scheme", "allow-missing without scheme"],
)
def test_options_that_clash_are_refused_chinese_first(
    tmp_path: Path, args: tuple[str, ...], reason: str
) -> None:
    assert _export("--campaign", NOBODY, *args, cwd=tmp_path) == REFUSED + reason


def test_a_run_that_does_not_exist_is_refused_chinese_first(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, facts = history
    line = _export(
        "--campaign", facts["campaign_id"], "--run", NOBODY, "--data-dir", str(data), cwd=tmp_path
    )
    assert line == f"{REFUSED}没有计分 {NOBODY} (no round run {NOBODY})"


def test_a_round_scoring_has_no_run_of_is_refused_chinese_first(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, facts = history
    campaign = facts["campaign_id"]
    line = _export("--campaign", campaign, "--round", "2", "--data-dir", str(data), cwd=tmp_path)
    assert line == (
        f"{REFUSED}scoring 中没有评议活动 {campaign} 第 2 轮的计分; 请加 --scheme 为审计包计算一次"
        f" (scoring holds no run of campaign {campaign} round 2; pass --scheme to compute one"
        " for the bundle)"
    )


def test_no_scoring_store_is_refused_chinese_first(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, facts = history
    partial = tmp_path / "pingyi-data"
    partial.mkdir()
    for service in ("registry", "survey"):
        shutil.copy(data / f"{service}.sqlite", partial / f"{service}.sqlite")
    line = _export("--campaign", facts["campaign_id"], "--data-dir", str(partial), cwd=tmp_path)
    assert line.startswith(f"{REFUSED}{partial}")
    assert " 没有 scoring 的事件库 (no scoring event store at " in line


def test_what_export_and_verify_report_reads_chinese_first(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, facts = history
    campaign = facts["campaign_id"]
    done = run_pingyi(
        "audit", "export", "--campaign", campaign, "--out", "b.zip", "--data-dir", str(data),
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    *logs, wrote = done.stdout.splitlines()
    assert logs[0].startswith("registry: ") and " 条消息, 位置 1–" in logs[0]
    assert " messages, positions 1–" in logs[0]
    assert wrote.startswith("已写入 wrote b.zip  sha256 ")

    done = run_pingyi("audit", "verify", "b.zip", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = done.stdout.splitlines()[1]
    assert summary.startswith(f"pingyi audit verify b.zip: 评议活动 {campaign} 第 1 轮, 来自 ")
    assert f" (campaign {campaign} round 1, " in summary


def test_an_empty_log_is_counted_without_positions() -> None:
    # An export under --scheme of a round with no inspection fact writes an empty
    # inspection log, whose manifest names no first or last position.
    empty = {"count": 0, "first": None, "last": None}
    assert log_counted(empty) == "0 条消息 (0 messages)"
    one = {"count": 1, "first": 7, "last": 7}
    assert log_counted(one) == "1 条消息, 位置 7–7 (1 message, positions 7–7)"


def test_a_round_past_the_campaigns_is_refused_as_the_api_says_not_sent_to_scheme(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """Exporting a stored run of a round the campaign does not have says so (the campaign
    has 2 rounds), not "pass --scheme", which would only find the same."""
    data, facts = history
    campaign = facts["campaign_id"]
    line = _export("--campaign", campaign, "--round", "5", "--data-dir", str(data), cwd=tmp_path)
    assert (
        line == f"{REFUSED}没有第 5 轮, 该评议活动共 2 轮 (no round 5: the campaign has 2 rounds)"
    )


def test_a_campaign_the_registry_does_not_know_is_said_so(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, _ = history
    line = _export("--campaign", NOBODY, "--data-dir", str(data), cwd=tmp_path)
    assert line == (
        f"{REFUSED}registry 的消息中没有评议活动 {NOBODY} (the registry log knows no campaign"
        f" {NOBODY})"
    )
