"""Seed 004 at full size: 200 drawn from a pool of 2,000 with sector quotas, then checked
from the stored log alone — and caught when a stored fact is changed afterwards."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from services.registry.domain.draws import InvalidDraw, pool_digest, run_draw
from services.registry.draw_verify import DrawNotVerifiable, verify_draw
from tests.registry.draw_helpers import frozen_draw, settings, tampered
from tests.registry.people_helpers import ADMIN_CALLER, SEED, embedded_app

QUOTAS = {
    "服务对象": 60,
    "人大代表": 30,
    "政协委员": 30,
    "行评代表": 30,
    "机关干部": 25,
    "社区群干": 25,
}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One finished 2,000/200 draw in an embedded data dir (built once: it is the slow part)."""
    data_dir = tmp_path_factory.mktemp("draw")
    app = embedded_app(data_dir)
    try:
        draw = frozen_draw(app, 2000, 200, quotas=QUOTAS)
        with pytest.raises(InvalidDraw) as wrong_seed:
            app.reveal_seed(ADMIN_CALLER, draw.draw_id, "not-the-committed-seed")
        assert wrong_seed.value.field == "seed"
        revealed = app.reveal_seed(ADMIN_CALLER, draw.draw_id, SEED)
        pool = app.draw(draw.draw_id).sectors
    finally:
        app.close()
    yield {
        "dir": data_dir,
        "draw_id": draw.draw_id,
        "frozen": draw.frozen,
        "revealed": revealed,
        "pool": pool,
        "disqualified": str(draw.disqualified),
    }


def test_two_hundred_are_drawn_from_two_thousand_by_quota(drawn: dict[str, Any]) -> None:
    frozen, revealed = drawn["frozen"], drawn["revealed"]
    assert frozen["pool_size"] == 2000 and frozen["pool_digest"] == pool_digest(drawn["pool"])
    chosen = [c["person_id"] for c in revealed["chosen"]]
    assert len(chosen) == len(set(chosen)) == 200
    assert Counter(c["sector"] for c in revealed["chosen"]) == {
        "service_user": 60,
        "npc_deputy": 30,
        "cppcc_member": 30,
        "industry_representative": 30,
        "civil_servant": 25,
        "community_cadre": 25,
    }
    assert revealed["excluded"] == [drawn["disqualified"]]
    assert drawn["disqualified"] not in chosen
    # Anyone with the facts gets the same list from the documented algorithm.
    remaining = {p: s for p, s in drawn["pool"].items() if p != drawn["disqualified"]}
    codes = {
        "服务对象": "service_user",
        "人大代表": "npc_deputy",
        "政协委员": "cppcc_member",
        "行评代表": "industry_representative",
        "机关干部": "civil_servant",
        "社区群干": "community_cadre",
    }
    quotas = {codes[label]: count for label, count in QUOTAS.items()}
    assert run_draw(SEED, remaining, 200, quotas) == chosen


def test_verify_draw_passes_on_the_stored_log(drawn: dict[str, Any]) -> None:
    verification = verify_draw(settings(drawn["dir"]), drawn["draw_id"])
    assert [c.name for c in verification.checks] == [
        "commitment",
        "order",
        "pool digest",
        "pool eligibility",
        "exclusions",
        "draw",
        "published copy",
    ]
    assert verification.passed, verification.rows()


def test_an_unknown_draw_or_missing_log_cannot_be_verified(
    drawn: dict[str, Any], tmp_path: Path
) -> None:
    with pytest.raises(DrawNotVerifiable):
        verify_draw(settings(drawn["dir"]), UUID(int=1))
    with pytest.raises(DrawNotVerifiable):
        verify_draw(settings(tmp_path / "nothing"), drawn["draw_id"])


def failed(data_dir: Path, draw_id: UUID) -> set[str]:
    return {c.name for c in verify_draw(settings(data_dir), draw_id).checks if not c.passed}


def test_a_changed_chosen_list_fails_the_draw_check(drawn: dict[str, Any], tmp_path: Path) -> None:
    pool = sorted(drawn["pool"])

    def change(state: dict[str, Any]) -> None:
        state["chosen"][0] = next(p for p in pool if p not in state["chosen"])

    copy = tampered(drawn, tmp_path / "chosen", "PanelDrawn", change)
    assert failed(copy, drawn["draw_id"]) == {"draw"}


def test_a_changed_seed_fails_the_commitment(drawn: dict[str, Any], tmp_path: Path) -> None:
    def change(state: dict[str, Any]) -> None:
        state["seed"] = "another-seed-entirely-0000"

    copy = tampered(drawn, tmp_path / "seed", "PanelDrawn", change)
    assert {"commitment", "draw"} <= failed(copy, drawn["draw_id"])


def test_a_changed_pool_fails_even_with_a_matching_digest(
    drawn: dict[str, Any], tmp_path: Path
) -> None:
    """Dropping someone and recomputing the digest still disagrees with the log."""

    def change(state: dict[str, Any]) -> None:
        dropped = state["pool"].pop()
        del state["sectors"][dropped]
        state["pool_size"] -= 1
        state["pool_digest"] = pool_digest(state["pool"])

    copy = tampered(drawn, tmp_path / "pool", "PoolFrozen", change)
    assert "pool eligibility" in failed(copy, drawn["draw_id"])


def test_a_changed_digest_fails_the_digest_check(drawn: dict[str, Any], tmp_path: Path) -> None:
    def change(state: dict[str, Any]) -> None:
        state["pool_digest"] = "sha256:" + "0" * 64

    copy = tampered(drawn, tmp_path / "digest", "PoolFrozen", change)
    assert failed(copy, drawn["draw_id"]) == {"pool digest", "published copy"}


def cli(data_dir: Path, draw_id: UUID, **shown: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGYI_")}
    # 80 columns, as a pipe or a log is printed: every line must stay whole there.
    env |= {"PINGYI_MODE": "embedded", "COLUMNS": "80", **shown}
    return subprocess.run(
        [sys.executable, "-m", "pingyi", "verify-draw", str(draw_id), "--data-dir", str(data_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_cli_exits_zero_on_a_real_draw(drawn: dict[str, Any]) -> None:
    result = cli(drawn["dir"], drawn["draw_id"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "7 项检查中 7 项通过 (7 of 7 checks passed)"


def test_the_cli_on_a_terminal_has_chinese_headers(drawn: dict[str, Any]) -> None:
    """Its table's headers Chinese first, the English after each whole, as replay's."""
    result = cli(drawn["dir"], drawn["draw_id"], TTY_COMPATIBLE="1", NO_COLOR="1", COLUMNS="160")
    assert result.returncode == 0, result.stdout + result.stderr
    shown = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)  # rich's bold
    (header,) = [line for line in shown.splitlines() if "检查项 check" in line]
    cells = [cell.strip() for cell in header.strip("│┃ ").split("┃")]
    assert cells == ["检查项 check", "结果 result", "详情 detail"], header


def test_the_cli_exits_non_zero_on_a_tampered_copy(drawn: dict[str, Any], tmp_path: Path) -> None:
    def change(state: dict[str, Any]) -> None:
        state["chosen"] = list(reversed(state["chosen"]))

    copy = tampered(drawn, tmp_path / "cli", "PanelDrawn", change)
    result = cli(copy, drawn["draw_id"])
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL" in result.stdout
    # One line a check, its detail whole (a table fitted to 80 columns cut it).
    [failing] = [line for line in result.stdout.splitlines() if "FAIL" in line]
    assert failing == (
        "抽取 (draw)  未通过 (FAIL)  重新抽取结果不同: 200 个位置不同, 选出 200 人, 记录为 200 人 "
        "(re-run differs: 200 positions, 200 vs 200 chosen)"
    ), result.stdout
    # A path that holds what rich would read as markup is said whole, on one line.
    missing = cli(tmp_path / "审计[bold]数据", drawn["draw_id"])
    assert missing.returncode == 2
    [said] = missing.stdout.splitlines()
    assert said.startswith("无法核对随机抽取 verify-draw cannot run: "), said
    assert "审计[bold]数据" in said, said


def test_a_draw_committed_before_the_pool_rule_loads_and_verifies_under_rule_1(
    drawn: dict[str, Any], tmp_path: Path
) -> None:
    """A `Draw.Committed` stored as version 1 (no `pool_rule`) is read as rule 1, the pool it
    was frozen with: every registration, contacts not compared."""

    def as_stored_before(state: dict[str, Any]) -> None:
        del state["pool_rule"]
        state["class_version"] = 1

    copy = tampered(drawn, tmp_path / "v1", "Committed", as_stored_before)
    verification = verify_draw(settings(copy), drawn["draw_id"])
    assert verification.passed, verification.rows()
    [eligibility] = [row for row in verification.rows() if row[0] == "名单资格 (pool eligibility)"]
    assert "名单规则 1 (" in eligibility[2], eligibility
    assert eligibility[2].endswith(" people (pool rule 1))"), eligibility
