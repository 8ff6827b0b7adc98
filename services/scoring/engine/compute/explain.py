"""The scheme's words for one unit's result: how each figure was reached, in Chinese, so
an office can explain a score to the unit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.scoring.engine.compute.arith import ZERO, rounded, text
from services.scoring.engine.scheme import Scheme


def explanation(
    scheme: Scheme,
    unit: dict[str, Any],
    list_names: dict[str, str],
    revision: int,
    tied: int = 1,
) -> str:
    """`tied`: how many ranked units of the unit's group share its rank (itself included)."""
    parts = [f"{scheme.title}（{scheme.scheme_id} 第{scheme.version}版）"]
    parts += [_component(c, revision) for c in unit["components"]]
    reweighted = next(
        (
            c["inputs"]["reweighted_over"]
            for c in unit["components"]
            if "reweighted_over" in c["inputs"]
        ),
        None,
    )
    if reweighted is not None:
        parts.append(f"无数据的成分不计入，其余成分的权重除以其合计{reweighted}")
    parts += [
        f"扣分「{d['name']}」{d['points']}分：{d['formula']}" + _cap(d)
        for d in unit["deductions"]
        if d["points"] != _zero(d["points"])
    ]
    if revision >= 5:  # the parts shown added up to more or less than the score said
        parts += _clamped(unit, scheme)
    if unit["rollup"] is not None:
        parts.append(_rollup(unit["rollup"], revision))
    for o in unit["overrides"]:
        parts.append(f"{o['name']}：{o['reason']}")
    parts.append(_score(unit, scheme, revision))
    parts += _standing(unit, scheme, revision, tied)
    if unit["lists"]:
        parts.append("列入：" + "、".join(list_names[code] for code in unit["lists"]))
    return "；".join(parts) + "。"


def _rollup(r: dict[str, Any], revision: int) -> str:
    mean = f"{r['sub_units_mean']}分"
    if revision >= 3:  # the score is weighted from the exact mean: show what it is
        scores = [Decimal(s["score"]) for s in r["sub_units"]]
        mean = f"（{sum(scores, Decimal(0))}÷{len(scores)}，约{mean}）"
        if r["own_score"] is None:  # it was "本单位None分"
            return f"{r['name']}：本单位无得分，取下属单位平均{r['sub_units_mean']}分"
    return (
        f"{r['name']}：下属单位平均{mean}×{r['sub_unit_weight']}"
        f" + 本单位{r['own_score']}分×(1-{r['sub_unit_weight']})"
    )


def _component(c: dict[str, Any], revision: int) -> str:
    if c["value"] is None:
        received = _none_valid(c) if revision >= 4 else None
        missing = received or "无数据"
        if revision >= 5 and c["weighted"] is not None:  # when_missing: zero, counted as 0
            return f"「{c['name']}」{missing}，按0分计入（{c['formula']}）" + _weighted(c, revision)
        return f"「{c['name']}」{missing}，不计入（{c['formula']}）"
    line = f"「{c['name']}」{c['value']}分（{c['formula']}）"
    if c["weighted"] is not None:
        line += _weighted(c, revision)
    if c["sample"] is not None:
        line += f"，有效问卷{c['sample']}份"
    return line


def _weighted(c: dict[str, Any], revision: int) -> str:
    weight = c["weight"]
    shared_over = c["inputs"].get("reweighted_over")
    if revision >= 2 and shared_over is not None:  # the weight it carried, not its own
        weight = f"{weight}/{shared_over}"
    return f"×权重{weight}={c['weighted']}分"


def _none_valid(c: dict[str, Any]) -> str | None:
    """A survey component's questionnaires when none of them is valid (every answer at an
    excluded level such as 不了解), or None when it received none."""
    counts = c["inputs"].get("counts") if c["source"] == "survey" else None
    if not counts or not any(counts.values()):
        return None
    received = sum(counts.values())
    by_level = "、".join(f"{level}{n}份" for level, n in counts.items() if n)
    return f"收到问卷{received}份（{by_level}），均不计为有效问卷，有效问卷0份"


def _cap(d: dict[str, Any]) -> str:
    if d["cap"] is not None and d["uncapped"] != d["points"]:
        return f"（应扣{d['uncapped']}分，以{d['cap']}分为限）"
    return ""


def _zero(points: str) -> str:
    return "0" if "." not in points else "0." + "0" * len(points.split(".")[1])


def _clamped(unit: dict[str, Any], scheme: Scheme) -> list[str]:
    """The floor or ceiling the score was held to, when the parts shown add up to less or
    more (revision 5: the score read 90.00 after parts adding up to 100.00, nothing said)."""
    own = unit["rollup"]["own_score"] if unit["rollup"] is not None else unit["score"]
    if own is None or unit["score"] is None:
        return []
    arith = scheme.arithmetic
    total = sum((Decimal(c["weighted"]) for c in unit["components"] if c["weighted"]), ZERO)
    total -= sum((Decimal(d["points"]) for d in unit["deductions"]), ZERO)
    shown = text(rounded(total, arith))
    if Decimal(own) == arith.ceiling and total > arith.ceiling:
        return [f"合计{shown}分，高于上限，按上限{arith.ceiling}分计"]
    if Decimal(own) == arith.floor and total < arith.floor:
        return [f"合计{shown}分，低于下限，按下限{arith.floor}分计"]
    return []


def _score(unit: dict[str, Any], scheme: Scheme, revision: int) -> str:
    if unit["score"] is None:
        return "无综合得分" + (_why_no_score(unit) if revision >= 4 else "")
    line = f"综合得分{unit['score']}分"
    if unit["interval"] is not None:
        lo, hi = unit["interval"]
        line += f"（{scheme.statistics.confidence}置信区间{lo}–{hi}分）"
        if any(c["inputs"].get("interval_method") == "bounded" for c in unit["components"]):
            line += "，" + BOUNDED_WORDS
    return line


BOUNDED_WORDS = (
    "问卷加权得分的区间按有界方法计算：平均分m换算为t=(m−最低分值)/(最高分值−最低分值)，"
    "取t在有效问卷数n（加权时为有效样本量）下的Wilson区间，再换算回分值；"
    "分值在最低与最高之间的答案，其离散程度不超过t(1−t)，故区间偏宽而不会偏窄，"
    "即使答案全部相同，样本少时区间也不会缩成一点"
)
"""Said beside the interval only where a component's interval is the bounded one, so a
result under the default method keeps its words and its digest."""


def _why_no_score(unit: dict[str, Any]) -> str:
    """Why a unit has no score, in the scheme's words (it read 无综合得分 alone)."""
    if any(o["effect"] == "cancel" for o in unit["overrides"]):
        return "：评议成绩已取消"  # the override and its facts are said just before
    names = {c["code"]: c["name"] for c in unit["components"]}
    blocked = [
        names.get(flag.split(":", 1)[1], flag.split(":", 1)[1])
        for flag in unit["flags"]
        if flag.startswith(MISSING_REQUIRED)
    ]
    if blocked:
        missing = "、".join(f"「{name}」" for name in blocked)
        return f"：方案规定{missing}无数据时不计算综合得分"
    return "：计入综合得分的成分均无数据"


MISSING_REQUIRED = "缺少必需成分:"


def _standing(unit: dict[str, Any], scheme: Scheme, revision: int, tied: int) -> list[str]:
    out = []
    if "样本不足" in unit["flags"]:
        out.append(f"样本不足：有效问卷{unit['valid_sample']}份，不参加排名和评定等级")
    if unit["rank"] is not None:
        best, worst = unit["rank_range"]
        line = f"在{unit['category']}中排第{unit['rank']}名"
        if revision >= 4 and tied > 1:  # it read 排第1名 for each of the units tied first
            line = f"在{unit['category']}中与另{tied - 1}个单位同分，并列第{unit['rank']}名"
        if best != worst:
            line += f"（考虑抽样误差，可能名次第{best}至{worst}名）"
        if "indistinguishable_from_neighbours" in unit["flags"]:
            line += "，与相邻名次单位的差别在统计上无法区分"
        out.append(line)
    if unit["grade"] is not None:
        out.append(f"等级：{unit['grade']}（{unit['grade_basis']}）")
    return out
