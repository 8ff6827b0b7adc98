"""Typer's own refusals of a wrong argument (out of range, not a number, a missing or unknown
option) read Chinese first, Typer's English after it, exit 2 as before; a refusal a command
words itself is unchanged."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pingyi.cli import app as cli

RANGE = "Invalid value for '{0}': Input should be greater than or equal to 1"
NOT_INT = (
    "Invalid value for '{0}': Input should be a valid integer, unable to parse string as an integer"
)


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (
            ["audit", "export", "--campaign", "c", "--out", "b.zip", "--round", "0"],
            "--round 须为不小于 1 的整数 (" + RANGE.format("--round") + ")",
        ),
        (
            ["up", "--base-port", "abc"],
            "--base-port 须为整数 (" + NOT_INT.format("--base-port") + ")",
        ),
        (
            ["replay", "--workers", "0"],
            "--workers 须为不小于 1 的整数 (" + RANGE.format("--workers") + ")",
        ),
        (["audit", "export", "--out", "b.zip"], "缺少 --campaign (Missing option '--campaign'.)"),
        (["audit", "verify"], "缺少 bundle_file (Missing argument 'bundle_file'.)"),
        (["replay", "--bogus"], "没有选项 --bogus (No such option: --bogus"),
        (["replay"], "请加 --verify: 只支持核对 (only --verify is supported)"),
        (
            ["serve", "no-such-service"],
            "没有服务 'no-such-service', 可选: registry, survey, inspection, scoring, reporting "
            "(unknown service 'no-such-service'; choose from registry,",
        ),
    ],
    ids=[
        "range",
        "not a number",
        "range of replay",
        "missing option",
        "missing argument",
        "unknown option",
        "the command's own words",
        "a service named nowhere",
    ],
)
def test_a_wrong_argument_is_refused_chinese_first(command: list[str], said: str) -> None:
    result = CliRunner().invoke(cli, command, env={"COLUMNS": "300"})
    assert result.exit_code == 2, result.output
    shown = " ".join(result.output.replace("│", " ").split())
    assert said in shown, shown
    assert "(" + said not in shown  # said once, not wrapped twice
