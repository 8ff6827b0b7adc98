"""What a replay says of a stored run: identical, or which units differ and in what (by
path), and any problem with the logs it read. Each row's words are Chinese first, for the
offices and auditors who read them, and the English after it whole, as it always read: a
script that matched the English still finds it. Whether a run is identical is `identical`
and `unread`, never the words."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from services.scoring.engine.shown import RESTATED, shown_pair
from shared.canonical import digest

UNREAD = "无法读取日志 cannot read the logs:"
"""How a run whose logs could not be read is said; the reason after it (the message log's)
is Chinese first already."""

UNDECODED = "无法解码日志 cannot decode the logs:"
"""How a run whose logs hold a body that no longer decodes is said; the library's reason
after it."""


def said(chinese: str, english: str) -> str:
    """Chinese first, the English after it whole in brackets (`pingyi.audit_words.said`, which
    a service may not import)."""
    return f"{chinese} ({english})"


class Words(NamedTuple):
    """One thing said both ways, kept apart so that a row can say all its Chinese first and
    then all its English whole."""

    chinese: str
    english: str


@dataclass(frozen=True)
class RoundVerdict:
    run_id: str
    campaign_id: str
    round: int
    final: bool
    problems: tuple[str, ...] = ()
    units: tuple[str, ...] = field(default=())
    """Units whose result differs."""
    unit_count: int = 0
    details: dict[str, tuple[Words, ...]] = field(default_factory=dict)
    """unit id -> what differs in its result, stored against replayed (`differences`)."""
    names: dict[str, str] = field(default_factory=dict)
    """unit id -> its name in the stored result (else the replayed one), said beside the id:
    an auditor reads 旅游, not a UUID."""
    survey_ranges: int = 1
    """How many ranges of the survey log were counted side by side (`replay_round`)."""
    unread: bool = False
    """The logs the run was computed from could not be read (a store gone since the check, a
    row stored without its message body): the run was not compared, so it is neither
    identical nor different."""

    @property
    def identical(self) -> bool:
        return not self.problems and not self.units

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(run, round, unit, result): the run's id and kind as they always read (scripts find
        a run by `<id> (round)`), the other cells Chinese first and their English after them
        whole: `3 个单位 (3 units)`, `一致 (identical)`, `不一致: … (different: …)`."""
        run = f"{self.run_id} (round)"
        what = said(
            f"{self.campaign_id} 第 {self.round} 轮" + (" 最终结果" if self.final else ""),
            f"{self.campaign_id} round {self.round}" + (" final" if self.final else ""),
        )
        if self.identical:
            units = said(f"{self.unit_count} 个单位", f"{self.unit_count} units")
            return [(run, what, units, self._identical())]
        rows = [(run, what, "-", problem) for problem in self.problems]
        for unit in self.units:
            detail = self.details.get(unit, ())
            zh = "不一致" + (": " + "; ".join(d.chinese for d in detail) if detail else "")
            en = "different" + (": " + "; ".join(d.english for d in detail) if detail else "")
            name = self.names.get(unit)
            rows.append((run, what, f"{unit} {name}" if name else unit, said(zh, en)))
        return rows

    def _identical(self) -> str:
        if self.survey_ranges <= 1:
            return said("一致", "identical")
        return said(
            f"一致, 问卷日志分 {self.survey_ranges} 段计数",
            f"identical (survey log in {self.survey_ranges} ranges)",
        )


MAX_DETAILS = 6
"""Differences named per unit; the rest are counted."""


def differences(stored: Any, replayed: Any) -> tuple[Words, ...]:
    """The values that differ between a unit's stored and replayed result, by path
    (components and deductions by their code), e.g.
    `components.questionnaire.inputs.counts.满意 存储为 3, 重放为 4` (`… stored 3, replay 4`):
    what an auditor needs to see which input moved. The fields that restate the others
    (`RESTATED`: the words, the digest) are named only when nothing else differs."""
    found: list[Words] = []
    _walk("", stored, replayed, found)
    substantive = [w for w in found if not w.chinese.startswith(_RESTATED)]
    found = substantive or found
    if len(found) > MAX_DETAILS:
        left = len(found) - MAX_DETAILS
        found = [*found[:MAX_DETAILS], Words(f"另有 {left} 处", f"and {left} more")]
    return tuple(found)


def _walk(path: str, old: Any, new: Any, found: list[Words]) -> None:
    if isinstance(old, list) and isinstance(new, list) and _coded(old) and _coded(new):
        old, new = _by_code(old), _by_code(new)
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys(), key=str):
            _walk(f"{path}.{key}" if path else str(key), old.get(key), new.get(key), found)
    elif old != new:
        where, (was, is_now) = path or "result", shown_pair(old, new)
        found.append(
            Words(
                f"{where} 存储为 {was}, 重放为 {is_now}", f"{where} stored {was}, replay {is_now}"
            )
        )


def _coded(items: list[Any]) -> bool:
    return all(isinstance(item, dict) and isinstance(item.get("code"), str) for item in items)


def _by_code(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {item["code"]: item for item in items}


_RESTATED = tuple(f"{name} " for name in RESTATED)


SCHEME_INVALID = "已登记的方案未通过校验 registered scheme does not validate:"
"""How a run whose registered scheme no longer validates is said; the scheme's problems after
it (Chinese first already)."""


def scheme_unknown(scheme_id: str, version: int) -> str:
    """A run whose scheme is neither shipped nor registered here."""
    return said(
        f"本机没有方案 {scheme_id} v{version}", f"scheme {scheme_id} v{version} is unknown here"
    )


def scheme_changed(scheme_id: str, version: int, recorded: str, here: str) -> str:
    """A run whose scheme, under the same id and version, hashes otherwise here."""
    return said(
        f"该计分运行使用的方案 {scheme_id} v{version} 哈希为 {recorded}; 本机的该方案哈希为 {here}",
        f"the run used {scheme_id} v{version} with hash {recorded}; "
        f"that scheme here hashes to {here}",
    )


LOGS_END_EARLY = said(
    "日志在该计分运行所记录的位置之前就已结束", "the logs end before the positions the run names"
)
INPUTS_DIFFER = said(
    "输入不同: 截至该计分运行所记录位置的日志并非它当时读取的",
    "inputs differ: the logs up to the run's positions are not what it read",
)
OUTSIDE_UNITS = said(
    "单位之外的结果不同: 名单、摘要", "the results differ outside the units (lists, digests)"
)


def compare(
    base: dict[str, Any],
    stored: dict[str, Any],
    replayed: dict[str, Any],
    positions: dict[str, int],
) -> RoundVerdict:
    problems: list[str] = []
    ranges = replayed.pop("survey_ranges")
    if replayed.pop("upstream_positions") != positions:
        problems.append(LOGS_END_EARLY)
    if replayed.get("inputs_digest") != stored.get("inputs_digest"):
        problems.append(INPUTS_DIFFER)
    stored_units = {u["unit_id"]: u for u in stored.get("units", [])}
    replayed_units = {u["unit_id"]: u for u in replayed.get("units", [])}
    differing = sorted(
        unit_id
        for unit_id in stored_units.keys() | replayed_units.keys()
        if digest(stored_units.get(unit_id)) != digest(replayed_units.get(unit_id))
    )
    if not differing and digest(stored) != digest(replayed):
        problems.append(OUTSIDE_UNITS)
    details = {u: differences(stored_units.get(u), replayed_units.get(u)) for u in differing}
    names = {u: _name(stored_units.get(u)) or _name(replayed_units.get(u)) for u in differing}
    return RoundVerdict(
        **base,
        problems=tuple(problems),
        units=tuple(differing),
        unit_count=len(stored_units),
        details=details,
        names={u: name for u, name in names.items() if name},
        survey_ranges=ranges,
    )


def _name(unit: dict[str, Any] | None) -> str:
    name = None if unit is None else unit.get("unit_name")
    return name if isinstance(name, str) else ""
