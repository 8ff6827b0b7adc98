"""What `pingyi audit verify` found: the differences between a bundle's results and the ones
recomputed from its messages, unit by unit and component by component (`compare_units`),
and the report of them (`Verdict.lines`). The search that names the messages behind a
difference fills them in (`pingyi.audit_verify`). No engine, store or service: canonical
JSON and the audit modules' own types only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pingyi.audit_difference import flat
from pingyi.audit_narrow import MessageRef, Suspects
from pingyi.audit_search import by_id
from pingyi.audit_words import said
from services.scoring.engine.shown import RESTATED, shown, shown_pair
from shared.canonical import canonical_json


@dataclass
class ComponentDifference:
    code: str
    stored: Any
    recomputed: Any
    messages: list[MessageRef] = field(default_factory=list)
    searched: str = ""
    """How far the search for messages got, when it did not finish (else empty)."""
    suspects: Suspects | None = None
    """The questionnaires that explain it equally, what they answered and what the results
    imply it was (one: the message named)."""
    scheme: str = ""
    """The differing values the bundle's scheme states (`scheme_owned`), said instead of a
    search: no input message sets a level's weight or a component's formula."""


@dataclass
class UnitDifference:
    unit_id: str
    name: str
    status: str
    """different, missing (recomputed, not in the bundle), unexpected (only in the bundle)."""
    fields: list[str] = field(default_factory=list)
    components: list[ComponentDifference] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    """The differing fields' values, `field: 审计包中为 X, 重算为 Y (field: bundle X,
    recomputed Y)` (`_pair`)."""


@dataclass
class Verdict:
    identical: bool
    problems: list[str]
    """Differences outside the units (digests, scheme …)."""
    units: list[UnitDifference]

    def lines(self) -> list[str]:
        """The report, one finding per line, in Chinese-first wording for offices."""
        if self.identical:
            return [
                "一致 identical: "
                + said(
                    "重算的结果与审计包中的结果逐字节相同",
                    "the recomputed results are byte-identical to the bundle's",
                )
            ]
        out = [f"不一致 different: {problem}" for problem in self.problems]
        for unit in self.units:
            head = f"单位 unit {unit.name} ({unit.unit_id}): {STATUS_SAID[unit.status]}"
            out.append(head + (f" — 字段 fields {', '.join(unit.fields)}" if unit.fields else ""))
            if unit.values:
                out.append(f"  字段 values: {'; '.join(unit.values)}")
            for component in unit.components:
                out.append(f"  指标 component {component.code}: {_changed(component)}")
                if component.scheme:
                    out.append(f"    方案 scheme: {component.scheme}")
                for message in component.messages:
                    out.append(f"    消息 message {message.label()}")
                if component.suspects is not None:
                    out.append(f"    问卷 questionnaires: {component.suspects.said()}")
                if component.searched:
                    out.append(f"    {component.searched}")
        return out


STATUS_SAID = {
    "different": "不同 different",
    "missing": "缺失 missing: "
    + said(
        "由消息重算得出, 审计包的结果中却没有",
        "recomputed from the messages, not in the bundle's results",
    ),
    "unexpected": "多出 unexpected: "
    + said(
        "在审计包的结果中, 由其消息重算却没有",
        "in the bundle's results, not recomputed from its messages",
    ),
}


def compare_units(stored: Mapping[str, Any], recomputed: Mapping[str, Any]) -> list[UnitDifference]:
    old, new = by_id(stored.get("units"), "unit_id"), by_id(recomputed.get("units"), "unit_id")
    differences = []
    for unit_id in sorted(old.keys() | new.keys()):
        before, after = old.get(unit_id), new.get(unit_id)
        name = unit_name(before or after or {})
        if before is None or after is None:
            status = "unexpected" if after is None else "missing"
            differences.append(UnitDifference(unit_id, name, status))
        elif canonical_json(before) != canonical_json(after):
            differences.append(_unit_difference(unit_id, name, before, after))
    return differences


def _unit_difference(
    unit_id: str, name: str, before: Mapping[str, Any], after: Mapping[str, Any]
) -> UnitDifference:
    fields = sorted(
        key
        for key in before.keys() | after.keys()
        if key != "components" and before.get(key) != after.get(key)
    )
    old = by_id(before.get("components"), "code")
    new = by_id(after.get("components"), "code")
    components = [
        ComponentDifference(code, old.get(code), new.get(code))
        for code in sorted(old.keys() | new.keys())
        if old.get(code) != new.get(code)
    ]
    values = _field_values(fields, before, after)
    return UnitDifference(unit_id, name, "different", fields, components, values)


def _field_values(
    fields: list[str], before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[str]:
    """What the bundle's and the recomputed result say for each differing field (the score,
    rank, grade … an auditor compares with the published ones), long ones cut."""
    shown = [f for f in fields if f not in RESTATED] or fields
    return [_pair(before.get(name), after.get(name), name) for name in shown]


def top_level(
    stored: Mapping[str, Any], recomputed: Mapping[str, Any], skip: set[str]
) -> list[str]:
    said_: list[str] = []
    for key in sorted(stored.keys() | recomputed.keys()):
        if key == "units" or key in skip or stored.get(key) == recomputed.get(key):
            continue
        lists = _lists_said(stored, recomputed) if key == "lists" else None
        said_ += lists if lists else [_pair(stored.get(key), recomputed.get(key), key)]
    return said_


def _lists_said(stored: Mapping[str, Any], recomputed: Mapping[str, Any]) -> list[str] | None:
    """A difference in the round's lists (先进, 通报批评 …: code -> unit ids), per list, as
    the units the recomputation adds and takes off it, by name: the two whole documents
    side by side cut at the same length read alike. None when they are not such lists."""
    old, new = stored.get("lists"), recomputed.get("lists")
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return None
    if not all(isinstance(v, list) for v in (*old.values(), *new.values())):
        return None
    names = {**_unit_names(recomputed), **_unit_names(stored)}
    titles = {**(recomputed.get("list_names") or {}), **(stored.get("list_names") or {})}
    found = []
    for code in sorted(old.keys() | new.keys()):
        before, after = [str(u) for u in old.get(code, [])], [str(u) for u in new.get(code, [])]
        if before == after:
            continue
        added = [names.get(u, u) for u in after if u not in before]
        removed = [names.get(u, u) for u in before if u not in after]
        title = f"lists.{code}" + (
            f" ({titles[code]})" if isinstance(titles, dict) and code in titles else ""
        )
        zh, en = [], []
        if added:
            zh.append(f"重算加入 {'、'.join(added)}")
            en.append(f"the recomputation adds {', '.join(added)}")
        if removed:
            zh.append(f"重算移出 {'、'.join(removed)}")
            en.append(f"the recomputation takes off {', '.join(removed)}")
        if not (added or removed):
            zh.append("成员相同, 顺序不同")
            en.append("the same members in another order")
        found.append(said(f"{title}: " + "; ".join(zh), f"{title}: " + "; ".join(en)))
    return found


def _unit_names(results: Mapping[str, Any]) -> dict[str, str]:
    units = results.get("units")
    if not isinstance(units, list):
        return {}
    return {
        str(u.get("unit_id")): unit_name(u) or str(u.get("unit_id"))
        for u in units
        if isinstance(u, dict)
    }


def unit_name(unit: Mapping[str, Any]) -> str:
    """A unit result's name (`name` in older results, `unit_name` now); "" when it has none."""
    return str(unit.get("name") or unit.get("unit_name") or "")


def _changed(component: ComponentDifference, limit: int = 8) -> str:
    """The component's values that differ, each as `_pair` says it."""
    if not isinstance(component.stored, dict) or not isinstance(component.recomputed, dict):
        return _pair(component.stored, component.recomputed)
    old, new = flat(component.stored), flat(component.recomputed)
    paths = sorted(p for p in old.keys() | new.keys() if old.get(p) != new.get(p))
    shown = [_pair(old.get(p), new.get(p), p.lstrip(".")) for p in paths[:limit]]
    left = len(paths) - limit
    more = "; " + said(f"… 另有 {left} 处", f"… {left} more") if left > 0 else ""
    return "; ".join(shown) + more


def _pair(bundle: Any, recomputed: Any, name: str = "") -> str:
    """What the bundle and the recomputation say of one value, Chinese first and the English
    after it whole, `name: bundle X, recomputed Y` as it always read: a script that matched
    it still finds it."""
    named = f"{name}: " if name else ""
    old, new = shown_pair(bundle, recomputed)
    return said(f"{named}审计包中为 {old}, 重算为 {new}", f"{named}bundle {old}, recomputed {new}")


def short(value: Any, limit: int = 300) -> str:
    text = shown(value)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"
