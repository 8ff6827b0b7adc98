"""How `pingyi verify-draw` words each check's row: the check, its result and what was found,
every cell Chinese first and the English after it whole, as it always read (a script that
matched the English still finds it); whether a check passed is `Check.passed`, never the
words. A small draw (24 people, 6 drawn) so that every check can be made to fail cheaply."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from typer.testing import CliRunner

from pingyi.cli import app as cli
from services.registry.domain.draws import pool_digest
from services.registry.draw_verify import DrawNotVerifiable, DrawVerification, verify_draw
from tests.registry.draw_helpers import frozen_draw, settings, tampered
from tests.registry.people_helpers import ADMIN_CALLER, COMMITMENT, SEED, embedded_app

POOL, SIZE = 24, 6
SHORT = COMMITMENT[:16]


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One finished draw (one pool member disqualified after the freeze) and one only
    committed, in an embedded data dir."""
    data_dir = tmp_path_factory.mktemp("draw-words")
    app = embedded_app(data_dir)
    try:
        draw = frozen_draw(app, POOL, SIZE)
        app.reveal_seed(ADMIN_CALLER, draw.draw_id, SEED)
        unfinished = app.create_draw(ADMIN_CALLER, draw.spec, None)
    finally:
        app.close()
    return {
        "dir": data_dir,
        "draw_id": draw.draw_id,
        "unfinished": UUID(unfinished["draw_id"]),
        "frozen": draw.frozen,
        "disqualified": str(draw.disqualified),
    }


def rows(data_dir: Path, draw_id: UUID) -> dict[str, tuple[str, str, str]]:
    """Each row by its check's English name (`Check.name`, which the words do not change)."""
    verification: DrawVerification = verify_draw(settings(data_dir), draw_id)
    return {c.name: row for c, row in zip(verification.checks, verification.rows(), strict=True)}


def test_every_row_of_a_draw_that_verifies_is_chinese_first(drawn: dict[str, Any]) -> None:
    found = rows(drawn["dir"], drawn["draw_id"])
    assert [row[0] for row in found.values()] == [
        "种子承诺 (commitment)",
        "先后顺序 (order)",
        "名单摘要 (pool digest)",
        "名单资格 (pool eligibility)",
        "取消资格 (exclusions)",
        "抽取 (draw)",
        "发布的副本 (published copy)",
    ]
    assert {row[1] for row in found.values()} == {"通过 (PASS)"}
    details = {name: row[2] for name, row in found.items()}
    assert details["commitment"] == (
        f"sha256(种子) = {SHORT}…, 承诺值 {SHORT}… (sha256(seed) = {SHORT}…, committed {SHORT}…)"
    )
    order = r"承诺 @(\d+), 名单截至 @(\d+), 冻结 @(\d+), 公布种子 @(\d+)"
    english = r"committed @\1, pool as of @\2, frozen @\3, revealed @\4"
    assert re.fullmatch(rf"{order} \({english}\)", details["order"]), details["order"]
    digest = drawn["frozen"]["pool_digest"][:23]
    assert details["pool digest"] == f"{POOL} 人, {digest}… ({POOL} people, {digest}…)"
    assert re.fullmatch(
        rf"截至 @(\d+) 的日志得出同样的 {POOL} 人, 名单规则 2 "
        rf"\(the log as of @\1 gives the same {POOL} people \(pool rule 2\)\)",
        details["pool eligibility"],
    ), details["pool eligibility"]
    assert details["exclusions"] == "冻结后取消资格 1 人 (1 disqualified after the freeze)"
    assert details["draw"] == (
        f"重新抽取按同样的顺序选出同样的 {SIZE} 人 "
        f"(re-run chose the same {SIZE} people in the same order)"
    )
    assert details["published copy"] == (
        "PanelDrawn 重述了承诺和冻结时记录的事实 "
        "(PanelDrawn repeats the committed and frozen facts)"
    )


def test_a_draw_not_revealed_says_so_chinese_first(drawn: dict[str, Any]) -> None:
    assert list(rows(drawn["dir"], drawn["unfinished"]).values()) == [
        (
            "种子公布 (revealed)",
            "未通过 (FAIL)",
            "抽取尚未完成: 没有冻结的名单或没有公布种子 "
            "(the draw is not finished: no frozen pool or no reveal)",
        )
    ]


def test_a_changed_commitment_fails_in_words_and_by_status(
    drawn: dict[str, Any], tmp_path: Path
) -> None:
    def change(state: dict[str, Any]) -> None:
        state["commitment"] = "0" * 64

    copy = tampered(drawn, tmp_path / "c", "Committed", change)
    verification = verify_draw(settings(copy), drawn["draw_id"])
    assert not verification.passed
    assert {c.name for c in verification.checks if not c.passed} == {
        "commitment",
        "published copy",
    }
    found = rows(copy, drawn["draw_id"])
    assert found["commitment"][1:] == (
        "未通过 (FAIL)",
        f"sha256(种子) = {SHORT}…, 承诺值 {'0' * 16}… "
        f"(sha256(seed) = {SHORT}…, committed {'0' * 16}…)",
    )
    assert found["published copy"][1:] == (
        "未通过 (FAIL)",
        "PanelDrawn 与原记录不同: commitment (PanelDrawn differs in commitment)",
    )


def test_a_pool_without_an_eligible_member_fails_in_words(
    drawn: dict[str, Any], tmp_path: Path
) -> None:
    def change(state: dict[str, Any]) -> None:
        dropped = next(p for p in state["pool"] if p != drawn["disqualified"])
        state["pool"].remove(dropped)
        del state["sectors"][dropped]
        state["pool_size"] -= 1
        state["pool_digest"] = pool_digest(state["pool"])

    found = rows(tampered(drawn, tmp_path / "p", "PoolFrozen", change), drawn["draw_id"])
    assert found["pool eligibility"][1:] == (
        "未通过 (FAIL)",
        "1 人符合条件却未入名单, 0 人不符合条件, 0 人界别不同, 名单规则 2 "
        "(1 eligible but left out, 0 not eligible, 0 with another sector (pool rule 2))",
    )
    assert found["published copy"][2] == (
        "PanelDrawn 与原记录不同: pool_digest、pool_size "
        "(PanelDrawn differs in pool_digest, pool_size)"
    )


def test_exclusions_the_log_does_not_show_fail_in_words(
    drawn: dict[str, Any], tmp_path: Path
) -> None:
    def change(state: dict[str, Any]) -> None:
        state["excluded"] = []

    found = rows(tampered(drawn, tmp_path / "e", "PanelDrawn", change), drawn["draw_id"])
    assert found["exclusions"][1:] == (
        "未通过 (FAIL)",
        "冻结后取消资格 0 人, 日志显示 1 人 (0 disqualified after the freeze, the log shows 1)",
    )


def test_a_chosen_list_in_another_order_fails_in_words(
    drawn: dict[str, Any], tmp_path: Path
) -> None:
    def change(state: dict[str, Any]) -> None:
        state["chosen"] = list(reversed(state["chosen"]))

    found = rows(tampered(drawn, tmp_path / "o", "PanelDrawn", change), drawn["draw_id"])
    assert found["draw"] == (
        "抽取 (draw)",
        "未通过 (FAIL)",
        f"重新抽取结果不同: {SIZE} 个位置不同, 选出 {SIZE} 人, 记录为 {SIZE} 人 "
        f"(re-run differs: {SIZE} positions, {SIZE} vs {SIZE} chosen)",
    )


def test_a_draw_that_cannot_be_re_run_says_why_chinese_first(
    drawn: dict[str, Any], tmp_path: Path
) -> None:
    def change(state: dict[str, Any]) -> None:
        state["size"] = POOL * 2

    found = rows(tampered(drawn, tmp_path / "s", "Committed", change), drawn["draw_id"])
    status, detail = found["draw"][1:]
    assert status == "未通过 (FAIL)"
    left = POOL - 1  # one disqualified after the freeze
    assert detail == (
        f"无法重新抽取 cannot be re-run: 名单只有 {left} 人 (the pool has only {left} people)"
    ), detail


def test_a_draw_that_cannot_be_verified_says_why_chinese_first(
    drawn: dict[str, Any], tmp_path: Path
) -> None:
    with pytest.raises(DrawNotVerifiable) as unknown:
        verify_draw(settings(drawn["dir"]), UUID(int=1))
    assert str(unknown.value) == (
        f"登记服务的日志中没有抽取 {UUID(int=1)} (the registry log holds no draw {UUID(int=1)})"
    )
    with pytest.raises(DrawNotVerifiable) as missing:
        verify_draw(settings(tmp_path / "nothing"), drawn["draw_id"])
    nothing = tmp_path / "nothing"
    assert str(missing.value) == f"{nothing} 中没有登记服务的日志 (no registry log in {nothing})"
    with pytest.raises(DrawNotVerifiable) as memory:
        verify_draw(settings(tmp_path, "memory"), drawn["draw_id"])
    assert str(memory.value) == (
        "内存模式不保存登记服务的日志, 无从核对抽取 "
        "(memory mode keeps no registry log to verify a draw from)"
    )


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (["verify-draw", "not-a-uuid"], "不是抽取编号 (is not a draw id)"),
        (["replay"], "请加 --verify: 只支持核对 (only --verify is supported)"),
    ],
)
def test_a_wrong_argument_is_refused_chinese_first(command: list[str], said: str) -> None:
    """The option check's refusals (exit 2, before anything is read) speak as the rows do."""
    result = CliRunner().invoke(cli, command, env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert said in " ".join(result.output.split()), result.output
