"""What a campaign is made of before it has any units: its program pattern, its cycle, its
phases and its categories. Pure functions that check and normalise what a caller sent; the
Campaign aggregate stores only what they return."""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from services.registry.domain.errors import RegistryError
from services.registry.domain.unit_names import name_key
from shared.choices import Choices
from shared.errors import InvalidError

PROGRAM_PATTERNS: dict[str, str] = {
    "democratic_appraisal": "民主评议政风行风",
    "ten_thousand_appraisal": "万人评议",
    "satisfied_grassroots_units": "人民满意基层服务单位创建",
    "double_appraisal": "双评双比",
    "duty_inspection": "履职尽责督促检查",
}
CYCLE_LENGTHS: dict[str, str] = {"one_year": "一年", "two_years": "两年"}
CYCLE_ROUNDS: dict[str, str] = {"whole_cycle": "整个周期", "half_year": "每半年"}
PATTERN_CHOICES = Choices(PROGRAM_PATTERNS)
LENGTH_CHOICES = Choices(CYCLE_LENGTHS)
ROUND_CHOICES = Choices(CYCLE_ROUNDS)
_YEARS = {"one_year": 1, "two_years": 2}
MAX_TEXT = 200


class InvalidCampaign(RegistryError, InvalidError):
    code = "invalid_campaign"


def text(value: object, field: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidCampaign("不能为空 (must not be blank)", field=field)
    cleaned = value.strip()
    if len(cleaned) > limit:
        raise InvalidCampaign(
            f"至多 {limit} 个字符, 现为 {len(cleaned)} 个 "
            f"(should have at most {limit} characters, not {len(cleaned)})",
            field=field,
        )
    return cleaned


def choice(value: object, choices: Choices[str], field: str) -> str:
    """The code `value` names, by its code or its Chinese name as a request body names it
    (`shared.choices`): whoever calls the domain, an import cell included, a name one path
    takes the other takes too."""
    found = choices.code(value)
    if found is None:
        raise InvalidCampaign(choices.refusal(), field=field)
    return found


def day(value: object, field: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidCampaign(
        "须为日期, 如 2016-06-01 (must be a date such as 2016-06-01)", field=field
    )


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def cycle_spec(cycle: Mapping[str, Any]) -> dict[str, str]:
    """A cycle of one or two years, evaluated as a whole or in half-year rounds (双评双比)."""
    length = choice(cycle.get("length"), LENGTH_CHOICES, "cycle.length")
    rounds = choice(cycle.get("rounds"), ROUND_CHOICES, "cycle.rounds")
    starts = day(cycle.get("starts_on"), "cycle.starts_on")
    ends = day(cycle.get("ends_on"), "cycle.ends_on")
    if ends < starts:
        raise InvalidCampaign(
            "不能早于 cycle.starts_on (must not be before cycle.starts_on)", field="cycle.ends_on"
        )
    latest = add_months(starts, 12 * _YEARS[length]) - timedelta(days=1)
    if ends > latest:
        raise InvalidCampaign(
            f"自 {starts} 起的{CYCLE_LENGTHS[length]}周期至迟于 {latest} 结束 "
            f"(a {length} cycle starting {starts} ends by {latest})",
            field="cycle.ends_on",
        )
    return {
        "length": length,
        "rounds": rounds,
        "starts_on": starts.isoformat(),
        "ends_on": ends.isoformat(),
    }


def round_windows(cycle: Mapping[str, str]) -> list[dict[str, str]]:
    """The evaluation rounds of a cycle: the whole cycle, or consecutive half years counted
    from its start (the last one cut at its end)."""
    starts, ends = date.fromisoformat(cycle["starts_on"]), date.fromisoformat(cycle["ends_on"])
    if cycle["rounds"] == "whole_cycle":
        return [{"starts_on": starts.isoformat(), "ends_on": ends.isoformat()}]
    windows: list[dict[str, str]] = []
    index = 0
    while (window_start := add_months(starts, 6 * index)) <= ends:
        window_end = min(add_months(starts, 6 * (index + 1)) - timedelta(days=1), ends)
        windows.append({"starts_on": window_start.isoformat(), "ends_on": window_end.isoformat()})
        index += 1
    return windows


def phases_spec(
    phases: Sequence[Mapping[str, Any]], cycle: Mapping[str, str]
) -> list[dict[str, str]]:
    """Phases in order, each inside the cycle, none overlapping the one before."""
    if not phases:
        raise InvalidCampaign(
            "评议活动至少需要一个阶段 (a campaign needs at least one phase)", field="phases"
        )
    cycle_start = date.fromisoformat(cycle["starts_on"])
    cycle_end = date.fromisoformat(cycle["ends_on"])
    checked: list[dict[str, str]] = []
    previous_end: date | None = None
    for index, phase in enumerate(phases):
        field = f"phases.{index}"
        name = text(phase.get("name"), f"{field}.name", limit=100)
        if any(p["name"] == name for p in checked):
            raise InvalidCampaign("阶段名称重复 (two phases have this name)", field=f"{field}.name")
        starts = day(phase.get("starts_on"), f"{field}.starts_on")
        ends = day(phase.get("ends_on"), f"{field}.ends_on")
        if ends < starts:
            raise InvalidCampaign(
                f"不能早于 {field}.starts_on (must not be before {field}.starts_on)",
                field=f"{field}.ends_on",
            )
        if starts < cycle_start:
            raise InvalidCampaign(
                f"不能早于周期开始日 {cycle_start} "
                f"(must not be before the cycle starts ({cycle_start}))",
                field=f"{field}.starts_on",
            )
        if ends > cycle_end:
            raise InvalidCampaign(
                f"不能晚于周期结束日 {cycle_end} (must not be after the cycle ends ({cycle_end}))",
                field=f"{field}.ends_on",
            )
        if previous_end is not None and starts <= previous_end:
            raise InvalidCampaign(
                f"须晚于 phases.{index - 1} 的结束日 {previous_end}: 阶段按先后列出, 不能重叠 "
                f"(must be after phases.{index - 1} ends ({previous_end}): "
                "phases are listed in order and do not overlap)",
                field=f"{field}.starts_on",
            )
        checked.append({"name": name, "starts_on": starts.isoformat(), "ends_on": ends.isoformat()})
        previous_end = ends
    return checked


def categories_spec(categories: Sequence[object]) -> list[str]:
    """The campaign's own categories (类别), e.g. 政府部门及其它机构 / 公共服务行业. Two that
    differ only in spaces or 全角/半角 forms are one category listed twice (compared as unit
    names are: `name_key`), since a unit enrolled "in" either could not be told apart."""
    if not categories:
        raise InvalidCampaign(
            "评议活动至少需要一个类别 (a campaign needs at least one category)", field="categories"
        )
    checked: list[str] = []
    seen: dict[str, int] = {}
    for index, category in enumerate(categories):
        name = text(category, f"categories.{index}", limit=100)
        earlier = seen.setdefault(name_key(name), index)
        if earlier != index:
            raise InvalidCampaign(
                f"类别重复, 与 categories.{earlier} 相同 "
                f"(listed twice: the same category as categories.{earlier})",
                field=f"categories.{index}",
            )
        checked.append(name)
    return checked


def category_named(categories: Sequence[str], value: str) -> str | None:
    """The campaign's own spelling of a category written with other spaces or 全角/半角
    forms ("政府部门 及其它机构" is 政府部门及其它机构), or None if it has no such category."""
    wanted = name_key(value)
    return next((c for c in categories if name_key(c) == wanted), None)
