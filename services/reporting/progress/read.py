"""A wave's progress as read: collected against target by survey point, county, channel and
respondent group, and the satisfaction table by county and by channel.

The satisfaction figures are **descriptive**: every overall answer of the questionnaires
counted so far, across all the wave's units, per level, with each level's share of the
answers and the satisfied rate (满意率: the satisfied levels over the answers that rate —
不了解 does not). They are not scores: scoring computes those per unit under the campaign's
scheme, with its weights, exclusions and minimum sample."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from services.reporting.progress.views import UNSPECIFIED
from shared.contracts.survey import CHANNEL_LABELS, WAVE_KIND_LABELS, Channel, WaveKind
from shared.registry_view import RegistryView
from shared.views import Document

_CTX = Context(prec=28, rounding=ROUND_HALF_UP)
_HUNDREDTH = Decimal("0.01")
SATISFIED = {
    "three_level": ("满意", "基本满意"),
    "four_level": ("满意", "基本满意"),
    "five_level": ("非常满意", "满意"),
}
"""The levels a satisfied rate counts, per worded scale; numeric scales report a mean."""
NOT_RATING = ("不了解",)
NUMERIC = ("numeric_10", "percent")
NOTE = (
    "描述性统计：已计入问卷对全部参评单位的总体评价，按等次计数；各等次占比以全部评价为分母，"
    "满意率以表示了解的评价（不含“不了解”）为分母。这些不是单位得分，单位得分以评分方案计算。"
)


def percent(part: int, whole: int) -> str | None:
    if whole == 0:
        return None
    return str(_CTX.divide(Decimal(part * 100), Decimal(whole)).quantize(_HUNDREDTH, context=_CTX))


def satisfaction(scale: str, levels: list[str], counts: dict[str, int]) -> Document:
    """Counts per level (the scale's order, then anything else), shares, and the satisfied
    rate or, on a numeric scale, the mean answer."""
    order = declared_first(levels, counts)
    if scale in NUMERIC:
        order = [level for level in order if counts.get(level)]
    answers = sum(counts.values())
    rating = answers - sum(counts.get(level, 0) for level in NOT_RATING)
    found: Document = {
        "answers": answers,
        "rating_answers": rating,
        "counts": {level: counts.get(level, 0) for level in order},
        "shares": {level: percent(counts.get(level, 0), answers) for level in order},
        "satisfied_rate": None,
        "mean": None,
    }
    if scale in SATISFIED:
        found["satisfied_rate"] = percent(
            sum(counts.get(level, 0) for level in SATISFIED[scale]), rating
        )
    elif answers:
        total = sum(Decimal(level) * n for level, n in counts.items() if level.isdigit())
        found["mean"] = str(_CTX.divide(total, Decimal(answers)).quantize(_HUNDREDTH, context=_CTX))
    return found


def _row(key: str, name: str, found: Document, target: int | None, **extra: Any) -> Document:
    return {
        "key": key,
        "name": name,
        "collected": found["collected"],
        "counted": found["counted"],
        "quarantined": found["quarantined"],
        "excluded": found["rejected"] + found["voided"] + found["withdrawn"],
        "target": target,
        "completion": None if not target else percent(found["counted"], target),
        **extra,
    }


def _empty() -> Document:
    return {
        "collected": 0,
        "counted": 0,
        "quarantined": 0,
        "rejected": 0,
        "voided": 0,
        "withdrawn": 0,
        "levels": {},
    }


PART_NOTE = (
    "本表为所列县区的部分：这些县区的测评点与县区的进度及其合计，"
    "以及在这些县区回收的问卷按渠道、按调查对象的进度和满意度分布；"
    "调查对象的目标按所列测评点的目标合计和目标占比计算。"
)


def progress(wave: Document, registry: RegistryView, counties: set[str] | None = None) -> Document:
    """The progress document of a `progress_waves` row; with `counties`, the part of those
    counties only (a county office's): their survey points, their rows by county and the
    totals of those, and the questionnaires of those counties by channel and group."""
    if counties is not None:
        wave = _part(wave, counties)

    def place(key: str) -> str:
        if key == UNSPECIFIED:
            return "未注明"
        found = registry.jurisdiction(key)
        return key if found is None else str(found["name"])

    points = {p["code"]: p for p in wave["points"]}
    county_targets: dict[str, int] = {}
    for point in wave["points"]:
        county_targets[point["jurisdiction_id"]] = (
            county_targets.get(point["jurisdiction_id"], 0) + point["target"]
        )
    total_target = sum(p["target"] for p in wave["points"]) or None
    counted_total = wave["total"]["counted"]
    by_point = [
        _row(
            code,
            points[code]["name"] if code in points else _label(code),
            wave["by_point"].get(code, _empty()),
            points[code]["target"] if code in points else None,
            quota=points[code]["quota"] if code in points else None,
            county=place(points[code]["jurisdiction_id"]) if code in points else None,
        )
        for code in declared_first(list(points), wave["by_point"])
    ]
    by_county = [
        _row(key, place(key), wave["by_county"].get(key, _empty()), county_targets.get(key))
        for key in declared_first(list(county_targets), wave["by_county"])
    ]
    by_channel = [
        _row(key, _channel(key), wave["by_channel"].get(key, _empty()), None)
        for key in declared_first(wave["channels"], wave["by_channel"])
    ]
    groups = {g["code"]: g for g in wave["groups"]}
    by_group = []
    for key in declared_first(list(groups), wave["by_group"]):
        share = groups[key]["target_percent"] if key in groups else None
        found = wave["by_group"].get(key, _empty())
        target = None
        if share is not None and total_target:
            target = int(
                _CTX.divide(Decimal(total_target * share), Decimal(100)).to_integral_value(
                    context=_CTX
                )
            )
        by_group.append(
            _row(
                key,
                groups[key]["name"] if key in groups else _label(key),
                found,
                target,
                target_percent=share,
                share=percent(found["counted"], counted_total),
            )
        )
    scale, levels = wave["scale"], wave["levels"]

    def table(rows: list[Document], dimension: str) -> list[Document]:
        found = wave[f"by_{dimension}"]
        return [
            {"key": row["key"], "name": row["name"], "counted": row["counted"]}
            | satisfaction(scale, levels, found.get(row["key"], _empty())["levels"])
            for row in rows
        ]

    part = None
    if counties is not None:
        names = [place(county) for county in sorted(counties, key=place)]
        part = {"counties": names, "jurisdiction_ids": sorted(counties), "note": PART_NOTE}
    return {
        "wave_id": wave["wave_id"],
        "name": wave["name"],
        "part": part,
        "jurisdiction_id": wave["jurisdiction_id"],
        "jurisdiction_name": place(wave["jurisdiction_id"]),
        "campaign_id": wave["campaign_id"],
        "round": wave["round"],
        "kind": wave["kind"],
        "kind_name": WAVE_KIND_LABELS.get(WaveKind(wave["kind"]), wave["kind"]),
        "scale": scale,
        "opened_at": wave["opened_at"],
        "closed_at": wave["closed_at"],
        "total": _row("all", "合计", wave["total"], total_target),
        "by_point": by_point,
        "by_county": by_county,
        "by_channel": by_channel,
        "by_group": by_group,
        "satisfaction": {
            "note": NOTE,
            "total": satisfaction(scale, levels, wave["total"]["levels"]),
            "by_county": table(by_county, "county"),
            "by_channel": table(by_channel, "channel"),
        },
    }


def _part(wave: Document, counties: set[str]) -> Document:
    """The wave's row as if it had only the survey points in `counties`: their points and
    counties, the totals summed from those counties, and the channels and groups of the
    questionnaires counted in those counties (the declared ones listed even at 0)."""
    points = [p for p in wave["points"] if p["jurisdiction_id"] in counties]
    codes = {p["code"] for p in points}
    by_county = {k: v for k, v in wave["by_county"].items() if k in counties}
    return wave | {
        "points": points,
        "by_point": {k: v for k, v in wave["by_point"].items() if k in codes},
        "by_county": by_county,
        "total": _summed(by_county.values()),
        "by_channel": _in_counties(wave, "channel", counties),
        "by_group": _in_counties(wave, "group", counties),
    }


def _in_counties(wave: Document, dimension: str, counties: set[str]) -> dict[str, Document]:
    """The buckets of `dimension` summed over `counties`, key by key."""
    found: dict[str, list[Document]] = {}
    for county, buckets in wave.get(f"by_county_{dimension}", {}).items():
        if county in counties:
            for key, counts in buckets.items():
                found.setdefault(key, []).append(counts)
    return {key: _summed(counts) for key, counts in found.items()}


def _summed(buckets: Iterable[Document]) -> Document:
    total = _empty()
    for found in buckets:
        for key, value in found.items():
            if key == "levels":
                for level, n in value.items():
                    total["levels"][level] = total["levels"].get(level, 0) + n
            else:
                total[key] = total.get(key, 0) + value
    return total


def declared_first(declared: list[str], found: Mapping[str, Any]) -> list[str]:
    """What was declared (a wave's points, a scale's levels), in its order, then whatever
    else came in, by code."""
    return [*declared, *sorted(set(found) - set(declared))]


def _label(code: str) -> str:
    return "未注明" if code == UNSPECIFIED else code


def _channel(code: str) -> str:
    if code == UNSPECIFIED:
        return "未注明"
    try:
        return CHANNEL_LABELS[Channel(code)]
    except ValueError:
        return code
