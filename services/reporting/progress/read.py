"""A wave's progress as read: received and collected (survey's meaning: voided and
withdrawn questionnaires left out) against target by survey point, county, channel,
respondent group and agency (with its quota), how many questionnaires stand in each status,
and the satisfaction table by county and by channel.

The satisfaction figures are **descriptive**: every overall answer of the questionnaires
counted so far, across all the wave's units, per level, with each level's share of the
answers and the satisfied rate (满意率: the satisfied levels over the answers that rate —
不了解 does not). They are not scores: scoring computes those per unit under the campaign's
scheme, with its weights, exclusions and minimum sample."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from services.reporting.progress.part import PART_NOTE, county_part
from services.reporting.progress.tallies import STATUSES, UNSPECIFIED, bucket
from shared.contracts.survey import CHANNEL_LABELS, WAVE_KIND_LABELS, Channel, WaveKind
from shared.registry_view import RegistryView
from shared.text_order import pinyin_key
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
STATUS_NAMES = {
    "counted": "计入",
    "quarantined": "待审核",
    "rejected": "审核不计入",
    "voided": "作废",
    "withdrawn": "批次撤回",
}
"""Each status in `STATUSES`' order, as the page and the PDF name it."""

Namer = Callable[[str], str]


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


def received(found: Document) -> int:
    """Every questionnaire received (recorded), whatever became of it: the sum of the
    statuses."""
    return sum(found[status] for status in STATUSES)


def _row(key: str, name: str, found: Document, target: int | None, **extra: Any) -> Document:
    """One line of progress. `collected` is survey's: the questionnaires that stand (counted
    or quarantined), a voided one, one of a withdrawn batch or a rejected one leaving it;
    `received` is every one recorded. So `collected` = `counted` + `quarantined`, and
    `excluded` (what does not count) = `received` - `collected` = `voided_or_withdrawn` +
    `rejected`."""
    struck = found["voided"] + found["withdrawn"]
    return {
        "key": key,
        "name": name,
        "received": received(found),
        "voided_or_withdrawn": struck,
        "collected": found["counted"] + found["quarantined"],
        "counted": found["counted"],
        "quarantined": found["quarantined"],
        "rejected": found["rejected"],
        "excluded": found["rejected"] + struck,
        "target": target,
        "completion": None if not target else percent(found["counted"], target),
        **extra,
    }


def progress(wave: Document, registry: RegistryView, counties: set[str] | None = None) -> Document:
    """The progress document of a `progress_waves` row; with `counties`, the part of those
    counties only (a county office's): their survey points, their rows by county and the
    totals of those, and the questionnaires of those counties by channel, group, agency and
    status."""
    if counties is not None:
        wave = county_part(wave, counties)

    def place(key: str) -> str:
        if key == UNSPECIFIED:
            return "未注明"
        found = registry.jurisdiction(key)
        return key if found is None else str(found["name"])

    def agency(key: str) -> str:
        if key == UNSPECIFIED:
            return "未注明"
        found = registry.principal(key)
        return key if found is None else str(found["name"])

    by_point, by_county = _by_point(wave, place), _by_county(wave, place)
    by_channel = [
        _row(key, _channel(key), wave["by_channel"].get(key, bucket()), None)
        for key in declared_first(wave["channels"], wave["by_channel"])
    ]
    total_target = sum(p["target"] for p in wave["points"]) or None
    return {
        **_heading(wave, place),
        "part": None if counties is None else _part_note(counties, place),
        "total": _row("all", "合计", wave["total"], total_target),
        "by_point": by_point,
        "by_county": by_county,
        "by_channel": by_channel,
        "by_group": _by_group(wave, total_target),
        "by_agency": _by_agency(wave, agency, whole=counties is None),
        "by_status": by_status(wave["total"]),
        "satisfaction": {
            "note": NOTE,
            "total": satisfaction(wave["scale"], wave["levels"], wave["total"]["levels"]),
            "by_county": _satisfaction_table(wave, by_county, "county"),
            "by_channel": _satisfaction_table(wave, by_channel, "channel"),
        },
    }


def _heading(wave: Document, place: Namer) -> Document:
    return {
        "wave_id": wave["wave_id"],
        "name": wave["name"],
        "jurisdiction_id": wave["jurisdiction_id"],
        "jurisdiction_name": place(wave["jurisdiction_id"]),
        "campaign_id": wave["campaign_id"],
        "round": wave["round"],
        "kind": wave["kind"],
        "kind_name": WAVE_KIND_LABELS.get(WaveKind(wave["kind"]), wave["kind"]),
        "scale": wave["scale"],
        "voter_check": wave["voter_check"],
        "opened_at": wave["opened_at"],
        "closed_at": wave["closed_at"],
    }


def _part_note(counties: set[str], place: Namer) -> Document:
    names = [place(county) for county in sorted(counties, key=lambda c: pinyin_key(place(c)))]
    return {"counties": names, "jurisdiction_ids": sorted(counties), "note": PART_NOTE}


def _by_point(wave: Document, place: Namer) -> list[Document]:
    points = {p["code"]: p for p in wave["points"]}
    rows = []
    for code in declared_first(list(points), wave["by_point"]):
        point = points.get(code)
        found = wave["by_point"].get(code, bucket())
        if point is None:
            rows.append(_row(code, _label(code), found, None, quota=None, county=None))
            continue
        county = place(point["jurisdiction_id"])
        rows.append(
            _row(code, point["name"], found, point["target"], quota=point["quota"], county=county)
        )
    return rows


def _by_county(wave: Document, place: Namer) -> list[Document]:
    """A county's target is the sum of its points'."""
    targets: dict[str, int] = {}
    for point in wave["points"]:
        county = point["jurisdiction_id"]
        targets[county] = targets.get(county, 0) + point["target"]
    return [
        _row(key, place(key), wave["by_county"].get(key, bucket()), targets.get(key))
        for key in declared_first(list(targets), wave["by_county"])
    ]


def _by_group(wave: Document, total_target: int | None) -> list[Document]:
    """A group's target is its share of the points' total (half up); `share` is its part of
    what was counted."""
    groups = {g["code"]: g for g in wave["groups"]}
    rows = []
    for key in declared_first(list(groups), wave["by_group"]):
        share = groups[key]["target_percent"] if key in groups else None
        found = wave["by_group"].get(key, bucket())
        target = None
        if share is not None and total_target:
            whole = _CTX.divide(Decimal(total_target * share), Decimal(100))
            target = int(whole.to_integral_value(context=_CTX))
        name = groups[key]["name"] if key in groups else _label(key)
        counted = percent(found["counted"], wave["total"]["counted"])
        rows.append(_row(key, name, found, target, target_percent=share, share=counted))
    return rows


def _by_agency(wave: Document, agency: Namer, *, whole: bool) -> list[Document]:
    """The agencies the wave declared, in its order (listed at 0 too), then any other a
    questionnaire named; each with its quota, the whole wave's, so null in a county's part
    (a part cannot tell what of the quota is its own)."""
    quotas = {a["agency_id"]: a["quota"] for a in wave["agency_quotas"]}
    return [
        _row(
            key,
            agency(key),
            wave["by_agency"].get(key, bucket()),
            None,
            quota=quotas.get(key) if whole else None,
        )
        for key in declared_first(list(quotas), wave["by_agency"])
    ]


def by_status(found: Document) -> list[Document]:
    """Every status, in `STATUSES`' order and listed at 0 too, with its questionnaires and
    their share of those received (voided and withdrawn ones included, so the shares add up
    to 100)."""
    return [
        {
            "key": status,
            "name": STATUS_NAMES[status],
            "count": found[status],
            "share": percent(found[status], received(found)),
        }
        for status in STATUSES
    ]


def _satisfaction_table(wave: Document, rows: list[Document], dimension: str) -> list[Document]:
    found = wave[f"by_{dimension}"]
    return [
        {"key": row["key"], "name": row["name"], "counted": row["counted"]}
        | satisfaction(wave["scale"], wave["levels"], found.get(row["key"], bucket())["levels"])
        for row in rows
    ]


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
