"""The per-level shares and the lists as a reader checks them: every output takes the
levels in the scale's order, 不了解 included with its count; shares a scheme weighted by
survey point say so (the JSON's `weighting`, 加权 on page, PDF and in the files' headers);
a list reads by category in the campaign's order, then rank, then name in pinyin order."""

from __future__ import annotations

import csv
import io
from typing import Any

from services.reporting.rounds import pdf
from services.reporting.rounds.exports import csv_chunks
from services.reporting.rounds.read import entry, named_lists
from services.reporting.rounds.shares import distribution, shares, weighting_note

GOV = "政府部门及其它机构"
PUBLIC = "公共服务行业"


def _component(weighting: str) -> dict[str, Any]:
    # As scoring stores them: keys sorted by code point (不了解 < 不满意 < 基本满意 < 满意).
    return {
        "code": "questionnaire",
        "name": "问卷测评群众满意度",
        "source": "survey",
        "inputs": {
            "scale": "four_level",
            "counts": {"不了解": 39, "不满意": 12, "基本满意": 30, "满意": 387},
            "valid": 429,
            "shares": {"不满意": "2.60", "基本满意": "7.00", "满意": "90.40"},
            "satisfaction_rate": "97.40",
            "weighted_score": "95.98",
            "weighting": weighting,
        },
    }


def _unit(unit_id: str, name: str, category: str, rank: int | None, **more: Any) -> Any:
    return {
        "unit_id": unit_id,
        "unit_name": name,
        "category": category,
        "sub_unit": False,
        "rank": rank,
        "rank_range": None if rank is None else [rank, rank],
        "status": "ranked" if rank is not None else "unranked",
        "score": "90.00",
        "interval": None,
        "grade": "优",
        "grade_basis": None,
        "valid_sample": 429,
        "flags": [],
        "lists": [],
        "result_digest": "d",
        "components": [_component("by_point")],
    } | more


WEIGHTED_TEXT = (
    "按测评点加权占比：满意 90.40%（387份）；基本满意 7.00%（30份）；不满意 2.60%（12份）；"
    "不了解 39份（不计入有效样本）"
)


def test_shares_keep_the_scale_order_and_say_they_are_weighted() -> None:
    [share] = shares(_unit("u1", "漯河市公安局", GOV, 1))
    assert list(share["counts"]) == ["满意", "基本满意", "不满意", "不了解"]
    assert list(share["shares"]) == ["满意", "基本满意", "不满意"]
    assert share["weighting"] == "by_point"
    assert distribution([share]) == WEIGHTED_TEXT
    plain = shares(_unit("u1", "漯河市公安局", GOV, 1, components=[_component("none")]))
    assert plain[0]["weighting"] == "none"
    assert distribution(plain) == WEIGHTED_TEXT.removeprefix("按测评点加权占比：")


def test_the_pdf_and_the_csv_label_weighted_shares() -> None:
    line = entry(_unit("u1", "漯河市公安局", GOV, 1))
    assert WEIGHTED_TEXT in pdf._cells(line)
    assert "按测评点加权" in weighting_note([line])
    assert weighting_note([entry(_unit("u1", "x", GOV, 1, components=[_component("none")]))]) == ""
    text = b"".join(csv_chunks([_unit("u1", "漯河市公安局", GOV, 1)], {})).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text)))
    cells = dict(zip(header, row, strict=True))
    assert cells["问卷测评群众满意度·满意（%，按测评点加权）"] == "90.40"
    assert cells["问卷测评群众满意度·满意（份）"] == "387"
    assert header.index("问卷测评群众满意度·满意（份）") < header.index(
        "问卷测评群众满意度·不了解（份）"
    )


def test_a_list_reads_by_category_then_rank_then_name() -> None:
    units = [
        _unit("00-a", "中国移动", PUBLIC, 2),
        _unit("01-b", "郾城区民政局", GOV, None),
        _unit("02-c", "漯河市财政局", GOV, 2),
        _unit("03-d", "供电公司", PUBLIC, 1),
        _unit("04-e", "发展改革委", GOV, None),
        _unit("05-f", "漯河市公安局", GOV, 1),
        _unit("06-g", "电信公司", PUBLIC, 2),
    ]
    by_unit = {u["unit_id"]: entry(u) for u in units}
    payload = {"list_names": {"advanced": "先进单位"}, "lists": {"advanced": sorted(by_unit)}}
    [advanced] = named_lists(payload, by_unit, [GOV, PUBLIC])
    assert [u["unit_name"] for u in advanced["units"]] == [
        "漯河市公安局",
        "漯河市财政局",
        "发展改革委",  # unranked: by pinyin, fā before yǎn
        "郾城区民政局",
        "供电公司",
        "电信公司",  # tied at 2: diàn before zhōng (by code point 中 < 电)
        "中国移动",
    ]
