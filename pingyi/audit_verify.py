"""Verifying an audit bundle offline: recompute the round from the bundle's scheme and
messages with the scoring engine, compare byte for byte with the bundle's results, and on a
difference name the unit, the component and the input messages behind it. The messages are
streamed from the bundle into the engine's fold (`pingyi.audit_stream`, where `engine()`
is), so a bundle is checked in memory flat in its number of questionnaires; a difference's
search reads them again for each recomputation, without some of them or with one changed,
and holds none either. The differences and their report are `pingyi.audit_verdict`'s.

Finding the messages: for a survey component, the questionnaires that answered the unit
with the level the recomputation gained are tried first, one class of alike questionnaires
at a time, with the answer changed back to the level it lost (`pingyi.audit_narrow`, from
what the survey contract says, `pingyi.audit_answers`): one consistent questionnaire is
named; several equally consistent are named as a set, with the answer they gave and what
the results imply it was, none claimed. Anything else is found by bisection
(`pingyi.audit_search`: recompute without half of the candidates; a half whose removal
leaves the component as it was touches nothing and is dropped), then each touching message
is tried alone and named when recomputing without it brings the component closer to the
bundle's results. When the search would take more recomputations than its budget, the
candidates found so far are named as a range. Each questionnaire of a
`survey.batch.recorded` part (v1 or v2) is a candidate of its own, so a changed answer is
named by its questionnaire whichever form the survey log holds it in.

Depends on the contract models, canonical JSON and the engine only: no database, no server.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pingyi.audit_answers import level_counts
from pingyi.audit_bundle import Bundle
from pingyi.audit_difference import flat
from pingyi.audit_search import Compute, Search, by_id
from pingyi.audit_stream import ReadFailed, StreamedMessages, engine
from pingyi.audit_verdict import (
    STATUS_SAID,
    ComponentDifference,
    UnitDifference,
    Verdict,
    compare_units,
    short,
    top_level,
)
from pingyi.audit_words import said
from shared.canonical import canonical_json

__all__ = [
    "BUDGET",
    "STATUS_SAID",
    "CannotRecompute",
    "ComponentDifference",
    "NothingToCheck",
    "UnitDifference",
    "Verdict",
    "compare_units",
    "engine",
    "other_scheme_said",
    "scheme_owned",
    "stored_revision",
    "verify_bundle",
]

BUDGET = 400
"""Recomputations allowed per differing component while looking for its messages."""
TOTAL_BUDGET = 800
"""Recomputations allowed for the whole verification's searches: a bundle whose results
differ in many units (messages cut out of it) would otherwise search each to its budget,
for many minutes, and say no more in the end than the first few searches do."""


class CannotRecompute(Exception):
    """The engine refused the bundle's own inputs: nothing to compare with."""


class NothingToCheck(Exception):
    """The bundle's results and the recomputed ones agree but hold no unit: a check that
    compared nothing never passes."""


def verify_bundle(
    bundle: Bundle, compute: Compute, budget: int = BUDGET, total_budget: int = TOTAL_BUDGET
) -> Verdict:
    """`budget`: recomputations per differing component's search; `total_budget`: for all
    of them together."""
    campaign_id, round_ = _round(bundle)
    revision = stored_revision(bundle.results)
    # One reading of the messages for the verification and its search: its first pass
    # (the decisions) is made once for both (`StreamedMessages.named`).
    messages = StreamedMessages(bundle)
    try:
        recomputed = compute(bundle.scheme, messages, campaign_id, round_, revision)
    except ReadFailed as failed:  # the bundle's reason, not the engine's
        raise failed.error from None
    except Exception as error:  # the engine's reason is the report
        refused = said("计分引擎拒绝了审计包的输入", "the engine refused the bundle's inputs")
        raise CannotRecompute(f"{refused}: {type(error).__name__}: {error}") from error
    if canonical_json(recomputed) == canonical_json(bundle.results):
        if not bundle.results.get("units"):
            raise NothingToCheck(
                said(
                    f"评议活动 {campaign_id} 第 {round_} 轮没有单位, 审计包的结果中没有, "
                    "由其消息重算也没有: 无可比较",
                    f"campaign {campaign_id} round {round_} has no unit, in the bundle's "
                    "results or recomputed from its messages: nothing to compare",
                )
            )
        return Verdict(True, [], [])
    units = compare_units(bundle.results, recomputed)
    other_scheme = other_scheme_said(bundle.results, recomputed)
    missing = "" if other_scheme else _fewer_answers_said(messages, units)
    if not other_scheme:  # the scheme changed: any difference may be its doing
        try:
            _search(bundle, messages, compute, (budget, max(budget, total_budget)), units)
        except ReadFailed as failed:  # the bundle changed while the search read it again
            raise failed.error from None
    problems = top_level(bundle.results, recomputed, skip={"scheme"} if other_scheme else set())
    first = [s for s in (_no_unit_said(bundle, recomputed), other_scheme, missing) if s]
    return Verdict(False, [*first, *problems], units)


def _fewer_answers_said(messages: StreamedMessages, units: list[UnitDifference]) -> str:
    """When the results count more survey answers for some units than the bundle's
    messages give them: said once, up front, with where the logs' positions jump furthest.
    Messages cut out of the bundle (the chain repaired over them) show so; an inserted
    void or rejection would too, which the searches below still look for."""
    short_of = [
        stored - recomputed
        for unit in units
        for component in unit.components
        if (stored := _answers(component.stored)) is not None
        and (recomputed := _answers(component.recomputed)) is not None
        and recomputed < stored
    ]
    if not short_of:
        return ""
    jumps = _largest_jumps(messages)
    zh_jumps = "; ".join(f"{o} 日志位置 {a} → {b}" for o, (a, b) in jumps)
    en_jumps = "; ".join(f"{o} log positions {a} → {b}" for o, (a, b) in jumps)
    return said(
        f"结果为 {len(short_of)} 个指标计入的回答比审计包的消息给出的多 (共多 "
        f"{sum(short_of)} 份): 审计包可能缺少消息, 或其中有作废、拒收等决定被加入; "
        f"各日志位置最大的跳跃: {zh_jumps}",
        f"the results count more answers for {len(short_of)} components than the bundle's "
        f"messages give ({sum(short_of)} in all): messages may be missing from the bundle, "
        f"or decisions (voids, rejections) added to it; the largest jump in each log's "
        f"positions: {en_jumps}",
    )


def _answers(component: Any) -> int | None:
    counts = level_counts(component)
    return None if counts is None else sum(counts.values())


def _largest_jumps(messages: StreamedMessages) -> list[tuple[str, tuple[int, int]]]:
    """Per origin, the two consecutive messages furthest apart in position (internal events
    leave small jumps in every log; messages cut out leave a large one)."""
    last: dict[str, int] = {}
    widest: dict[str, tuple[int, int]] = {}
    for _, message in messages.numbered():
        before = last.get(message.origin)
        if before is not None:
            a, b = widest.get(message.origin, (before, before))
            if message.position - before > b - a:
                widest[message.origin] = (before, message.position)
        last[message.origin] = message.position
    return sorted(widest.items())


def _search(
    bundle: Bundle,
    messages: StreamedMessages,
    compute: Compute,
    budgets: tuple[int, int],
    units: list[UnitDifference],
) -> None:
    """Names the messages behind each differing component that the scheme does not explain,
    reading them again from the bundle for every recomputation (`pingyi.audit_search`)."""
    campaign_id, round_ = _round(bundle)
    revision = stored_revision(bundle.results)
    search: Search | None = None
    budget, total = budgets
    left = total
    for unit in units:
        for component in unit.components:
            component.scheme = scheme_owned(bundle.scheme, component)
            if component.scheme:
                continue
            if left <= 0:
                component.searched = _not_searched(total)
                continue
            if search is None:
                search = Search(
                    bundle.scheme, compute, messages, campaign_id, round_, budget, revision
                )
            search.budget = min(budget, left)
            found = search.explain(
                unit.unit_id, component.code, component.stored, component.recomputed
            )
            left -= min(search.spent, search.budget)
            component.messages, component.searched = found.messages, found.searched
            component.suspects = found.suspects


def _not_searched(total: int) -> str:
    return said(
        f"未查找: 本次校验的 {total} 次重算预算已用于以上各项",
        f"not searched: this verification's budget of {total} recomputations went to the "
        "components above",
    )


def _no_unit_said(bundle: Bundle, recomputed: Mapping[str, Any]) -> str:
    """When the messages give the round no unit at all while the results hold some: the
    results cannot be of these messages (another campaign's, or the logs cut short)."""
    if recomputed.get("units") or not bundle.results.get("units"):
        return ""
    campaign_id, round_ = _round(bundle)
    held = len(bundle.results["units"])
    return said(
        f"审计包的消息中, 评议活动 {campaign_id} 第 {round_} 轮没有单位 (其 registry 日志没有"
        f"开启该评议活动, 或未登记任何单位, 或该轮超出其周期); 其结果却有 {held} 个: "
        "结果不是由这些消息算出的",
        f"the bundle's messages give campaign {campaign_id} round {round_} no unit (its "
        "registry log does not open that campaign, or enrols no unit in it, or the round is "
        f"past its cycle); its results hold {held}: they were not computed from these messages",
    )


def other_scheme_said(results: Mapping[str, Any], recomputed: Mapping[str, Any]) -> str:
    """When the results name another scheme than the bundle's scheme.json (`scheme`: id,
    version and hash, which the engine takes from the document it computes by): that said,
    and that no input message is searched for, since the scheme alone may explain every
    difference. Empty when they name the same."""
    stated, found = results.get("scheme"), recomputed.get("scheme")
    if stated == found:
        return ""
    under, held = _scheme_named(stated), _scheme_named(found)
    return "方案 scheme: " + said(
        f"结果是按 {under} 计算的; 审计包的 scheme.json 是 {held}: 不是这些结果的方案, "
        "以下每处不同都可能出自方案, 不再查找输入消息",
        f"the results were computed under {under}; the bundle's scheme.json is {held}: not "
        "the scheme of these results, so every difference below may be the scheme's, and no "
        "input message is searched for",
    )


def _scheme_named(ref: Any) -> str:
    if not isinstance(ref, dict):
        return short(ref)
    return f"{ref.get('scheme_id')} v{ref.get('version')} ({ref.get('scheme_hash')})"


def scheme_owned(scheme: Mapping[str, Any], component: ComponentDifference) -> str:
    """The component's differing values that the bundle's scheme states, recomputed as the
    scheme says and not as the results do (a level's weight, the component's weight,
    formula, name, excluded levels …, found by the same key in the scheme's component of
    that code): the results were computed under another scheme, though they name this one.
    Empty when there is none, and the messages are searched as usual."""
    if not isinstance(component.stored, dict) or not isinstance(component.recomputed, dict):
        return ""
    stated = by_id(scheme.get("components"), "code").get(component.code)
    if stated is None:
        return ""
    says = flat(stated)
    old, new = flat(component.stored), flat(component.recomputed)
    chinese, english = [], []
    for path in sorted(p for p in old.keys() | new.keys() if old.get(p) != new.get(p)):
        key = _scheme_key(path, says)
        if key is not None and says[key] == new.get(path):
            name, stated_value, held = path.lstrip("."), short(new.get(path)), short(old.get(path))
            chinese.append(
                f"{name} 在审计包的 scheme.json 中是 {stated_value} ({key.lstrip('.')}), "
                f"在其结果中是 {held}"
            )
            english.append(
                f"{name} is {stated_value} in the bundle's scheme.json "
                f"({key.lstrip('.')}), {held} in its results"
            )
    if not chinese:
        return ""
    return said(
        "; ".join(chinese) + ": 结果不是按其所称的方案计算的, 任何输入消息都无法解释",
        "; ".join(english) + ": the results were not computed under the scheme they name, "
        "and no input message can explain it",
    )


def _scheme_key(path: str, says: Mapping[str, Any]) -> str | None:
    """The scheme component's path that `path` (of a result's component) ends with, at a
    key's boundary: `.inputs.level_weights.满意` ends with `.level_weights.满意`."""
    for key in says:
        if path == key or (path.endswith(key) and key.startswith((".", "["))):
            return key
    return None


def stored_revision(results: Mapping[str, Any]) -> int:
    """The engine revision the bundle's results were computed under, as they record it
    (`services.scoring.engine.compute.revision`, not imported here: reading a bundle needs
    only the contracts; the engine refuses a revision it does not know)."""
    found = results.get("engine_revision", 1)
    if type(found) is not int:  # said as the bundle has it, not as a stand-in number
        raise CannotRecompute(
            "results.json: "
            + said(
                f"engine_revision {found!r} 不是计分引擎的版本号",
                f"engine_revision {found!r} is not a revision",
            )
        )
    return found


def _round(bundle: Bundle) -> tuple[str, int]:
    """The campaign and round the bundle is of (`read_bundle` checked them against its
    results: a UUID and a round number from 1)."""
    about = bundle.manifest["about"]
    return about["campaign_id"], about["round"]
