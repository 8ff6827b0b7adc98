"""What `pingyi replay --verify` says of a stored run it cannot recompute: its scheme unknown
here, registered here but no longer valid, or hashing otherwise here, or its engine revision
one this engine does not have. Each Chinese first and the English after it whole, as the
other rows (`test_replay_words.py`); such a run is a difference by its status (exit 1),
never by its words."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.utils import get_topic

from pingyi.replay import verify
from services.scoring.engine.compute.revision import KEY, KNOWN
from services.scoring.rounds.domain import RoundRun, SchemeRecord
from services.scoring.rounds.replay import Spread
from services.scoring.rounds.verdicts import RoundVerdict
from tests.audit.stores import copy_of, embedded, run_pingyi, scored_history
from tests.scoring.rounds.helpers import SCHEME

ONE_PIECE = Spread(workers=1)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A provisional and a final run of one round, as the real services store them."""
    data = tmp_path_factory.mktemp("scheme-words") / "pingyi-data"
    return data, scored_history(data)


def edited(data: Path, target: Path, topic: str, change: Callable[[dict[str, Any]], None]) -> Path:
    """A copy of the data dir with every stored event of `topic` in scoring's log rewritten."""
    copy = copy_of(data, target)
    with sqlite3.connect(copy / "scoring.sqlite") as db:
        found = db.execute(
            "SELECT rowid, state FROM stored_events WHERE topic = ?", (topic,)
        ).fetchall()
        assert found, topic
        for rowid, state in found:
            decoded = json.loads(state)
            change(decoded)
            db.execute(
                "UPDATE stored_events SET state = ? WHERE rowid = ?",
                (json.dumps(decoded).encode(), rowid),
            )
    return copy


def problems(data: Path) -> list[tuple[str, ...]]:
    verdicts: list[RoundVerdict] = verify(embedded(data), ONE_PIECE)[0]
    assert not any(v.identical or v.unread for v in verdicts)
    return [v.problems for v in verdicts]


def test_a_scheme_unknown_here_is_said_chinese_first(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, facts = history

    def change(state: dict[str, Any]) -> None:
        state["scheme"]["scheme_id"] = "无此方案"

    copy = edited(data, tmp_path / "pingyi-data", get_topic(RoundRun.Computed), change)
    said = "本机没有方案 无此方案 v1 (scheme 无此方案 v1 is unknown here)"
    assert problems(copy) == [(said,), (said,)]
    # The command counts the run as different by its status, and prints the row whole.
    done = run_pingyi("replay", "--verify", "--data-dir", str(copy), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    final = facts["runs"][1]["run_id"]
    (line,) = [row for row in done.stdout.splitlines() if final in row]
    assert line.endswith(f"  -  {said}"), line


def test_a_scheme_that_hashes_otherwise_here_is_said_chinese_first(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, facts = history
    recorded = "sha256:" + "0" * 64

    def change(state: dict[str, Any]) -> None:
        state["scheme"]["scheme_hash"] = recorded

    copy = edited(data, tmp_path / "pingyi-data", get_topic(RoundRun.Computed), change)
    here = facts["runs"][1]["scheme"]["scheme_hash"]
    name = f"{SCHEME['scheme_id']} v1"
    said = (
        f"该计分运行使用的方案 {name} 哈希为 {recorded}; 本机的该方案哈希为 {here} "
        f"(the run used {name} with hash {recorded}; that scheme here hashes to {here})"
    )
    assert problems(copy) == [(said,), (said,)]


def test_a_registered_scheme_that_no_longer_validates_is_said_chinese_first(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, _ = history

    def change(state: dict[str, Any]) -> None:
        state["document"] = ["不是方案"]

    copy = edited(data, tmp_path / "pingyi-data", get_topic(SchemeRecord.Registered), change)
    for (problem,) in problems(copy):
        assert problem == (
            "已登记的方案未通过校验 registered scheme does not validate: "
            "$: 方案须为键值映射 (a scheme is a mapping of keys to values)"
        ), problem


def test_an_engine_revision_unknown_here_is_said_chinese_first(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, _ = history

    def change(state: dict[str, Any]) -> None:
        state["results"][KEY] = 99

    copy = edited(data, tmp_path / "pingyi-data", get_topic(RoundRun.Computed), change)
    known = ", ".join(map(str, sorted(KNOWN)))  # 1, 2, 3, 4
    said = (
        f"该计分运行按计分引擎第 99 版计算; 本引擎只有第 {known} 版, 它由更新的 Pingyi 计算 "
        f"(the run was computed under engine revision 99; this engine knows revisions "
        f"{known} (a newer Pingyi computed it))"
    )
    assert problems(copy) == [(said,), (said,)]
