"""A county's part of a wider wave (a city's): what the office of a county where the wave
has survey points reads of it — its points and counties, their totals, and the channels,
groups and agencies of the questionnaires collected in those counties, which the view
tallies per county (`tallies.PER_COUNTY`: `by_county_channel`, …) for this."""

from __future__ import annotations

from services.reporting.progress.tallies import PER_COUNTY, summed
from shared.views import Document

PART_NOTE = (
    "本表为所列县区的部分：这些县区的测评点与县区的进度及其合计，"
    "以及在这些县区回收的问卷按渠道、按调查对象、按测评机构和按问卷状态的统计和满意度分布；"
    "调查对象的目标按所列测评点的目标合计和目标占比计算；"
    "测评机构的配额是全批次的，不在此列。"
)


def county_part(wave: Document, counties: set[str]) -> Document:
    """The wave's row as if it had only the survey points in `counties`: their points and
    counties, the totals summed from those counties, and the channels, groups and agencies
    of the questionnaires counted in those counties (the declared ones are listed even at 0
    by the reader)."""
    points = [p for p in wave["points"] if p["jurisdiction_id"] in counties]
    codes = {p["code"] for p in points}
    by_county = {k: v for k, v in wave["by_county"].items() if k in counties}
    return wave | {
        "points": points,
        "by_point": {k: v for k, v in wave["by_point"].items() if k in codes},
        "by_county": by_county,
        "total": summed(by_county.values()),
        **PER_COUNTY.of(wave, counties),
    }
