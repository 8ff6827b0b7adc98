"""Rules that tie one part to the codes of another: codes used once, the weights' sum, and
the components, carried figures and sample a part names. A name is judged unknown only
when no item without its shape might be the one it names (`shaped`)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from services.scoring.engine.scheme.checks.found import (
    MUST_NAME_SURVEY,
    Found,
    said,
    unknown_component,
)
from services.scoring.engine.scheme.checks.shaped import Shaped
from services.scoring.engine.scheme.components import (
    CarriedComponent,
    SubUnitsComponent,
    SurveyComponent,
    TallyComponent,
)


def references(parts: Shaped, found: Found) -> None:
    for section in ("components", "deductions", "overrides", "lists"):
        # Among the items that have their shape: a code repeated among them is repeated
        # whatever an item without its shape holds.
        _unique(section, [(i, x.code) for i, x in parts.each(section)], found.add)
    for i, c in parts.each("components"):
        if isinstance(c, TallyComponent):
            _unique(f"components.{i}.rules", list(enumerate(r.code for r in c.rules)), found.added)
    if parts.whole("components"):
        total = sum((c.weight for c in parts.sections["components"]), Decimal(0))
        if total != 1:
            found.add(
                "components",
                said(
                    f"各成分的权重之和须为 1, 现为 {total}",
                    f"the weights must sum to 1, they sum to {total}",
                ),
            )
    _named_components(parts, found)
    _carried(parts, found)


def _unique(section: str, codes: list[tuple[int, str]], add: Callable[[str, str], None]) -> None:
    seen: set[str] = set()
    for i, code in codes:
        if code in seen:
            add(f"{section}.{i}.code", said(f"代码 {code} 重复使用", f"code {code} used twice"))
        seen.add(code)


def _named_components(parts: Shaped, found: Found) -> None:
    """The sample's component, the ties' and the sub-units' name components there are."""
    statistics = parts.sections.get("statistics")
    sample = None if statistics is None else statistics.sample_component
    if sample:
        survey = parts.first(
            "components", lambda c: isinstance(c, SurveyComponent) and c.code == sample
        )
        if survey is None:
            found.add("statistics.sample_component", MUST_NAME_SURVEY)
    ranking = parts.sections.get("ranking")
    for j, code in enumerate(() if ranking is None else ranking.ties):
        if parts.has("components", code) is False:
            found.add(f"ranking.ties.{j}", unknown_component(code))
    sub_units = parts.sections.get("sub_units")
    for j, code in enumerate(() if sub_units is None else sub_units.components):
        named = parts.first("components", _coded(code))
        if named is None:
            found.add(f"sub_units.components.{j}", unknown_component(code))
        elif isinstance(named, SubUnitsComponent):
            found.add(
                f"sub_units.components.{j}",
                said(
                    f"{code} 不能用于给下属单位评分 (下属单位没有下属单位)",
                    f"{code} cannot score a sub-unit (sub-units of sub-units)",
                ),
            )


def _carried(parts: Shaped, found: Found) -> None:
    """What is carried forward is a component, and a carried component is carried."""
    for j, carried in parts.each("carry_forward"):
        if parts.has("components", carried.code) is False:
            found.add(f"carry_forward.{j}.code", unknown_component(carried.code))
    for i, c in parts.each("components"):
        if isinstance(c, CarriedComponent) and parts.has("carry_forward", c.carried_code) is False:
            found.add(
                f"components.{i}.carried_code",
                said(
                    f"{c.carried_code} 不在 carry_forward 中",
                    f"{c.carried_code} is not in carry_forward",
                ),
            )


def _coded(code: str) -> Callable[[Any], bool]:
    return lambda item: bool(item.code == code)
