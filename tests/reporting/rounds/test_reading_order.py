"""Round results as a Chinese reader reads them: the units scoring does not rank listed by
name in dictionary order within their group, and so are tied ones (ranked ones keep the
engine's order otherwise), a
component's level counts in the scale's order, and the CSV's flags in words."""

from __future__ import annotations

import csv
import io
from typing import Any

from services.reporting.rounds.exports import csv_chunks
from services.reporting.rounds.shares import in_scale_order
from services.reporting.rounds.views import in_reading_order

GOV = "政府部门及其它机构"
PUBLIC = "公共服务行业"


def _unit(unit_id: str, name: str, category: str, rank: int | None, **more: Any) -> Any:
    return {
        "unit_id": unit_id,
        "unit_name": name,
        "category": category,
        "sub_unit": None,
        "rank": rank,
        "rank_range": None if rank is None else [rank, rank],
        "status": "ranked" if rank is not None else "unranked",
        "score": None,
        "interval": None,
        "grade": None,
        "grade_basis": None,
        "valid_sample": 0,
        "flags": [],
        "lists": [],
        "result_digest": "d",
        "components": [],
    } | more


def test_unranked_units_are_listed_by_name_within_their_group() -> None:
    # As the engine orders them: by category, ranked first by rank, then the rest by id.
    engine = [
        _unit("u3", "漯河市公安局", GOV, 1),
        _unit("u1", "漯河市财政局", GOV, 2),
        _unit("a0", "舞阳县教育局", GOV, None),  # w
        _unit("a1", "郾城区民政局", GOV, None),  # y
        _unit("a2", "发展改革委", GOV, None),  # f
        _unit("b0", "中国移动", PUBLIC, 1),
        _unit("b1", "自来水公司", PUBLIC, None),
        _unit("b2", "供电公司", PUBLIC, None),
    ]
    names = [u["unit_name"] for u in in_reading_order(engine)]
    assert names == [
        "漯河市公安局",
        "漯河市财政局",
        "发展改革委",
        "舞阳县教育局",
        "郾城区民政局",
        "中国移动",
        "供电公司",
        "自来水公司",
    ]


def test_tied_units_are_listed_by_name_as_the_lists_list_them() -> None:
    # The engine orders a tie by unit id; the page's table and its lists read it by name.
    engine = [
        _unit("u1", "漯河市税务局", GOV, 1),  # s
        _unit("u2", "漯河市民政局", GOV, 1),  # m
        _unit("u0", "漯河市财政局", GOV, 3),  # c, ranked below: stays below
        _unit("u4", "郾城区公安局", GOV, 4),  # y
        _unit("u3", "发展改革委", GOV, 4),  # f
        _unit("u5", "舞阳县教育局", GOV, None),
    ]
    names = [u["unit_name"] for u in in_reading_order(engine)]
    assert names == [
        "漯河市民政局",
        "漯河市税务局",
        "漯河市财政局",
        "发展改革委",
        "郾城区公安局",
        "舞阳县教育局",
    ]


def test_level_counts_follow_the_scale() -> None:
    stored = {"不了解": 1, "不满意": 2, "基本满意": 3, "满意": 4}  # code-point order
    assert list(in_scale_order(stored, "four_level")) == ["满意", "基本满意", "不满意", "不了解"]
    assert list(in_scale_order({"一般": 1, **stored}, "four_level"))[-1] == "一般"
    assert list(in_scale_order(stored, None)) == sorted(stored)


def test_the_csv_says_its_flags_in_words() -> None:
    flags = ["indistinguishable_from_neighbours", "样本不足"]
    rows = [_unit("u1", "漯河市公安局", GOV, 1, flags=flags)]
    text = b"".join(csv_chunks(rows, {})).decode("utf-8-sig")
    header, line = list(csv.reader(io.StringIO(text)))
    flagged = dict(zip(header, line, strict=True))
    assert flagged["标记"] == "与相邻名次差异不显著"  # 样本不足 has its own column
    assert flagged["样本不足"] == "样本不足"


def test_a_missing_component_is_named_by_its_name() -> None:
    component = {"code": "hotline", "name": "政风行风热线", "source": "hotline", "inputs": {}}
    rows = [_unit("u1", "漯河市公安局", GOV, None, flags=["缺少必需成分:hotline"])]
    rows[0]["components"] = [component]
    text = b"".join(csv_chunks(rows, {})).decode("utf-8-sig")
    header, line = list(csv.reader(io.StringIO(text)))
    assert dict(zip(header, line, strict=True))["标记"] == "缺少必需成分：政风行风热线"
