"""The categories a scheme names (rank cut-offs per category, sub-units' categories) set
against a campaign's: a name the campaign does not have holds for no unit, silently — a
`top: {政府部门: 20}` where the campaign says 政府部门及其它机构 gives nobody 先进. Said as
warnings where a campaign is given its scheme, not refused: a campaign's categories may be
amended after the scheme is assigned."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from services.scoring.engine.scheme import Scheme
from services.scoring.engine.scheme.components import SubUnitsComponent
from services.scoring.engine.scheme.rules import Condition

EVERY_OTHER = "*"


def named_categories(scheme: Scheme) -> Iterator[tuple[str, str]]:
    """(where in the document, category) for every category the scheme names."""
    for i, component in enumerate(scheme.components):
        if isinstance(component, SubUnitsComponent):
            for category in component.categories:
                yield f"components.{i}.categories", category
    rules = scheme.grading.rules if scheme.grading is not None else ()
    for i, rule in enumerate(rules):
        yield from _in_condition(f"grading.rules.{i}.when", rule.when)
    for i, listed in enumerate(scheme.lists):
        yield from _in_condition(f"lists.{i}.when", listed.when)


def _in_condition(where: str, condition: Condition) -> Iterator[tuple[str, str]]:
    for field in ("top", "bottom"):
        value = getattr(condition, field)
        if isinstance(value, dict):
            for category in value:
                if category != EVERY_OTHER:
                    yield f"{where}.{field}", category
    for j, inner in enumerate(condition.any_of):
        yield from _in_condition(f"{where}.any_of.{j}", inner)


def category_warnings(scheme: Scheme, categories: Iterable[str]) -> list[str]:
    """One warning per place the scheme names a category the campaign does not have,
    Chinese first as a refusal's reason is (the offices that assign schemes read Chinese)."""
    known = set(categories)
    listed = "、".join(sorted(known))
    return [
        f"方案在 {where} 所列类别 {category!r} 不是本评议活动的类别 (活动的类别: "
        f"{listed or '无'}), 对任何单位都不成立 ({where} names the category {category!r}, "
        f"which the campaign does not have (its categories: {listed or 'none'}): it holds for "
        "no unit)"
        for where, category in named_categories(scheme)
        if category not in known
    ]
