"""How `pingyi replay --verify` words each run's row: every cell Chinese first, and the English
after it whole, as it always read (a script that matched the English still finds it); whether
a run is identical is its status, never its words."""

from __future__ import annotations

import copy
from typing import Any

from services.scoring.replay import RetiredRun
from services.scoring.rounds.verdicts import UNREAD, RoundVerdict, compare, differences

RUN, CAMPAIGN = "run-1", "campaign-1"
BASE: dict[str, Any] = {"run_id": RUN, "campaign_id": CAMPAIGN, "round": 2, "final": True}
UNIT: dict[str, Any] = {"unit_id": "u1", "score": "91.50", "lists": ["advanced"]}


def test_an_identical_run_says_its_units_and_round_chinese_first() -> None:
    (row,) = RoundVerdict(**BASE, unit_count=3).rows()
    assert row == (
        "run-1 (round)",
        "campaign-1 第 2 轮 最终结果 (campaign-1 round 2 final)",
        "3 个单位 (3 units)",
        "一致 (identical)",
    )


def test_a_provisional_run_in_ranges_says_how_the_log_was_counted() -> None:
    verdict = RoundVerdict(**{**BASE, "final": False}, unit_count=1, survey_ranges=3)
    (row,) = verdict.rows()
    assert row[1] == "campaign-1 第 2 轮 (campaign-1 round 2)"
    assert row[3] == "一致, 问卷日志分 3 段计数 (identical (survey log in 3 ranges))"


def test_a_differing_unit_says_all_its_chinese_then_its_english_whole() -> None:
    replayed = {**UNIT, "score": "90.00", "lists": []}
    verdict = RoundVerdict(**BASE, units=("u1", "u2"), details={"u1": differences(UNIT, replayed)})
    first, second = verdict.rows()
    assert not verdict.identical
    assert first[2:] == (
        "u1",
        '不一致: lists 存储为 ["advanced"], 重放为 []; score 存储为 "91.50", 重放为 "90.00" '
        '(different: lists stored ["advanced"], replay []; score stored "91.50", replay "90.00")',
    )
    assert second[2:] == ("u2", "不一致 (different)")


def test_what_compare_finds_outside_the_units_is_said_chinese_first() -> None:
    stored = {"inputs_digest": "a", "results_digest": "x", "units": [UNIT]}
    replayed = {
        "inputs_digest": "b",
        "results_digest": "y",
        "units": [copy.deepcopy(UNIT)],
        "survey_ranges": 1,
        "upstream_positions": {"survey": 3},
    }
    verdict = compare(BASE, stored, replayed, {"survey": 4})
    assert not verdict.identical and not verdict.units
    assert [row[3] for row in verdict.rows()] == [
        "日志在该计分运行所记录的位置之前就已结束 "
        "(the logs end before the positions the run names)",
        "输入不同: 截至该计分运行所记录位置的日志并非它当时读取的 "
        "(inputs differ: the logs up to the run's positions are not what it read)",
        "单位之外的结果不同: 名单、摘要 (the results differ outside the units (lists, digests))",
    ]


def test_a_run_whose_logs_could_not_be_read_is_unread_whatever_its_words() -> None:
    verdict = RoundVerdict(
        **BASE, problems=(f"{UNREAD} 没有 survey 的事件库 (no store)",), unread=True
    )
    (row,) = verdict.rows()
    assert row[3] == "无法读取日志 cannot read the logs: 没有 survey 的事件库 (no store)"
    assert verdict.unread and not verdict.identical


def test_a_retired_wave_run_is_said_chinese_first() -> None:
    (final,) = RetiredRun("w-1", "wave-1", "上半年", True).rows()
    assert final == (
        "w-1 (wave run)",
        "上半年 (wave-1) 最终结果 (上半年 (wave-1) final)",
        "-",
        "已停用, 未核对 (retired: not verified)",
    )
    (provisional,) = RetiredRun("w-2", "wave-1", "上半年", False).rows()
    assert provisional[1] == "上半年 (wave-1)"
