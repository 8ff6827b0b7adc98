"""`pingyi replay --verify` on a terminal: its table's headers Chinese first, the English
after, and the table still aligned (a Chinese character takes two columns); its summary
Chinese first with the English after it whole."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from tests.audit.stores import run_pingyi

TERMINAL = {"TTY_COMPATIBLE": "1", "NO_COLOR": "1", "COLUMNS": "160"}
"""What makes rich draw the table as on a terminal, in a pipe."""


def _columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line)


def test_the_table_on_a_terminal_has_chinese_headers_and_stays_aligned(
    refusal_history: tuple[Path, dict[str, Any]],
) -> None:
    data, facts = refusal_history
    done = run_pingyi("replay", "--verify", "--data-dir", str(data), cwd=data.parent, env=TERMINAL)
    assert done.returncode == 0, done.stdout + done.stderr
    out = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout)
    lines = out.splitlines()
    (header,) = [line for line in lines if "计分运行 score run" in line]
    cells = [cell.strip() for cell in header.strip("│┃ ").split("┃")]
    assert cells == ["计分运行 score run", "评议轮次 round", "单位 unit", "结果 result"], header
    table = [line for line in lines if line[:1] in "┏┃┡│└"]
    assert len(table) >= 5 and len({_columns(line) for line in table}) == 1, out
    assert any(facts["runs"][0]["run_id"] in line for line in table), out
    assert (
        lines[-1] == "2 次计分运行中 2 次一致, 0 次不同 (2 of 2 score runs identical, 0 different)"
    )
