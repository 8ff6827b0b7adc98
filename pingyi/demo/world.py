"""The demo's world: Luohe's counties and 80 units (seed 000), the campaign's categories,
the template's six evaluation contents, respondent groups, channels, opinions and the
inspectors' findings: the facts the loader enters through the APIs."""

from __future__ import annotations

import csv
import random
from datetime import datetime
from importlib import resources

from services.registry.domain import UNIT_KIND_BY_LABEL
from shared.contracts.registry import CHINA

COUNTIES = (
    ("YH", "源汇区", "district"),
    ("YC", "郾城区", "district"),
    ("ZL", "召陵区", "district"),
    ("WY", "舞阳县", "county"),
    ("LY", "临颍县", "county"),
)
"""Luohe's counties and districts, each with one 固定测评点 (its code, then its name)."""
SURVEY_POINTS = tuple(f"{code}-01" for code, _, _ in COUNTIES)
GOV = "政府部门及其它机构"
PUBLIC = "公共服务行业"
CAMPAIGN = "漯河市2026年度民主评议政风行风"
DIMENSIONS = (
    ("duty", "履行职责、落实政策情况"),
    ("openness", "办事公开情况"),
    ("deeds", "为群众做实事做好事情况"),
    ("conduct", "治理各种不正之风情况"),
    ("efficiency", "办事效率、服务质量情况"),
    ("ethics", "遵守职业道德情况"),
)
"""Seed 000's six evaluation contents (评议内容), rated per unit."""
GROUPS = (("service_user", "服务对象", 50), ("supervisor", "监督员", 25), ("public", "群众", 25))
CHANNELS = ("survey_point", "paper")
OPINIONS = (
    "窗口服务态度需改进",
    "办事流程还可以再简化",
    "希望公开办事指南和收费标准",
    "工作人员热情周到，值得表扬",
    "电话经常无人接听",
)
COLLECTION_STARTS = datetime(2026, 5, 8, 9, 0, tzinfo=CHINA)
"""Inside the campaign's first half-year round (2026-01-01 to 2026-06-30)."""
DEMO_WAVE = "2026年度民主评议政风行风问卷测评(演示)"
PUBLIC_WAVE = "2026年度公共服务行业网上公开评议(演示)"
PUBLIC_UNITS = 8
VOTERS = 12

DEMO_SCHEME = "luohe-2yr-zhengfeng"
"""The shipped scheme of seed 000's program, which the demo campaign is scored by."""


def luohe_units() -> list[dict[str, str]]:
    text = resources.files("pingyi.samples").joinpath("luohe_000_units.csv").read_text("utf-8")
    return [
        {
            "name": row["单位名称"],
            "kind": UNIT_KIND_BY_LABEL[row["单位类型"]],
            "category": row["类别"],
        }
        for row in csv.DictReader(text.splitlines())
    ]


FINDINGS = (
    ("暗访", "工作时间窗口人员脱岗", "工作纪律", "较重", "2"),
    ("电话暗访", "咨询电话无人接听", "服务态度", "一般", "1"),
    ("随机检查", "办事指南未公开", "办事公开", "一般", "0.5"),
)
"""Seed 000's 明察暗访: what inspectors found, with the evaluation content and deduction."""


def rate(rng: random.Random, leaning: float) -> str:
    draw = rng.random()
    if draw < 0.06:
        return "不了解"
    if draw < 0.06 + leaning * 0.94:
        return "满意"
    return "基本满意" if rng.random() < 0.7 else "不满意"
