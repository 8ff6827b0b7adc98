"""A unit's answers per level (满意度分布) as every output shows them: the JSON, the page,
the PDF, the CSV and the workbook take the levels in one order, the scale's (满意, 基本满意,
不满意, 不了解), and say which shares are weighted.

The shares are scoring's. Without weighting a share is the level's count over the valid
sample, so a table can be checked against its counts. Where the scheme post-stratifies
(`weighting: by_point | by_group`), a share is the weighted count over the weighted total:
it does not equal count ÷ valid, and a table that put the two side by side without saying
so would look wrong, or be "corrected" by a reader.
"""

from __future__ import annotations

from typing import Any

from services.reporting.progress.read import declared_first
from shared.contracts.survey import SCALE_LEVELS, Scale
from shared.views import Document

WEIGHTING_NAMES = {"by_point": "按测评点加权", "by_group": "按调查对象加权"}
"""How the scheme weighted the shares (post-stratification), in the words the outputs use."""


def shares(result: Document) -> list[Document]:
    """Per survey component: counts of every level, the valid sample and the per-level
    shares (%), rounded as the scheme states, exactly as scoring computed them, each in the
    scale's order; `weighting` says whether (and how) the shares are weighted."""
    found = []
    for component in result["components"]:
        if component["source"] != "survey":
            continue
        inputs = component["inputs"]
        scale = inputs.get("scale")
        given = inputs.get("shares")
        found.append(
            {
                "code": component["code"],
                "name": component["name"],
                "counts": in_scale_order(inputs.get("counts") or {}, scale),
                "valid": inputs.get("valid") or 0,
                "shares": None if given is None else in_scale_order(given, scale),
                "satisfaction_rate": inputs.get("satisfaction_rate"),
                "weighted_score": inputs.get("weighted_score"),
                "weighting": inputs.get("weighting") or "none",
            }
        )
    return found


def in_scale_order(counts: dict[str, Any], scale: str | None) -> dict[str, Any]:
    """The values with the scale's levels in the scale's order (满意 before 基本满意 before
    不满意), then any other answer by text: a result stores them sorted by code point, which
    means nothing to a reader."""
    try:
        levels = list(SCALE_LEVELS[Scale(scale)]) if scale is not None else []
    except ValueError:
        levels = []
    return {level: counts[level] for level in declared_first(levels, counts) if level in counts}


def weighting_name(share: Document) -> str | None:
    """加权 with its basis, or None for plain shares."""
    return WEIGHTING_NAMES.get(share.get("weighting") or "none") if is_weighted(share) else None


def is_weighted(share: Document) -> bool:
    return (share.get("weighting") or "none") != "none"


def distribution(shares_of_line: list[Document]) -> str:
    """满意度分布 of a ranking line in words, every level of each component in the scale's
    order with its share and count; a level that is no valid answer (不了解) with its count
    alone; weighted shares introduced as such."""
    parts = [_component_text(share) for share in shares_of_line]
    if len(parts) > 1:
        parts = [f"{s['name']}：{text}" for s, text in zip(shares_of_line, parts, strict=True)]
    return " / ".join(parts)


def _component_text(share: Document) -> str:
    given: dict[str, str] = share["shares"] or {}
    levels = []
    for level, count in share["counts"].items():
        if level in given:
            levels.append(f"{level} {given[level]}%（{count}份）")
        elif share["shares"] is None:
            levels.append(f"{level} {count}份")  # no valid answer: no share to show
        else:
            levels.append(f"{level} {count}份（不计入有效样本）")
    text = "；".join(levels)
    name = weighting_name(share)
    return f"{name}占比：{text}" if name else text


def weightings(lines: list[Document]) -> str:
    """The weightings of a table's shares in words (按测评点加权), "" when none is weighted:
    what a note under the table has to say."""
    names = (weighting_name(share) for line in lines for share in line["shares"])
    return "、".join(dict.fromkeys(name for name in names if name))


def weighting_note(lines: list[Document]) -> str:
    """The note a table of weighted shares carries, "" when none is weighted."""
    weighting = weightings(lines)
    if not weighting:
        return ""
    return (
        f"满意度分布中的占比{weighting}（事后分层），份数为原始问卷数，占比不等于份数除以有效"
        "样本；各层权重见单位评议档案，可用审计包复算。"
    )
