"""Verifying an audit bundle offline: recompute the round from the bundle's scheme and
messages with the scoring engine, compare byte for byte with the bundle's results, and on a
difference name the unit, the component and the input messages behind it. The messages are
streamed from the bundle into the engine's fold (`pingyi.audit_stream`), so a bundle that
verifies identical is checked in memory flat in its number of questionnaires; only a
difference's search holds them, to recompute without some.

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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pingyi.audit_bundle import Bundle
from pingyi.audit_difference import flat
from pingyi.audit_narrow import MessageRef, Suspects
from pingyi.audit_search import Compute, Search, by_id
from pingyi.audit_stream import ReadFailed, StreamedMessages
from shared.canonical import canonical_json
from shared.contracts.envelope import IntegrationMessage

BUDGET = 400
"""Recomputations allowed per differing component while looking for its messages."""


class CannotRecompute(Exception):
    """The engine refused the bundle's own inputs: nothing to compare with."""


class NothingToCheck(Exception):
    """The bundle's results and the recomputed ones agree but hold no unit: a check that
    compared nothing never passes."""


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
    """The differing fields' values, `field: bundle X, recomputed Y` (`_field_values`)."""


@dataclass
class Verdict:
    identical: bool
    problems: list[str]
    """Differences outside the units (digests, scheme …)."""
    units: list[UnitDifference]

    def lines(self) -> list[str]:
        """The report, one finding per line, in Chinese-first wording for offices."""
        if self.identical:
            return ["一致 identical: the recomputed results are byte-identical to the bundle's"]
        out = [f"不一致 different: {problem}" for problem in self.problems]
        for unit in self.units:
            head = f"单位 unit {unit.name} ({unit.unit_id}): {STATUS_SAID[unit.status]}"
            out.append(head + (f" — fields {', '.join(unit.fields)}" if unit.fields else ""))
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
    "different": "different",
    "missing": "missing (recomputed from the messages, not in the bundle's results)",
    "unexpected": "unexpected (in the bundle's results, not recomputed from its messages)",
}


def engine() -> Compute:
    """The scoring engine's `score_round`, as the verifier calls it (imported only here, so
    that reading a bundle needs nothing but the standard library and the contracts)."""
    from services.scoring.engine import score_round
    from services.scoring.engine.compute.revision import CURRENT
    from services.scoring.engine.fold import named_responses
    from services.scoring.engine.fold.keep import DECISION_TYPES

    def compute(
        scheme: Mapping[str, Any],
        messages: Iterable[IntegrationMessage],
        campaign: str,
        round_: int,
        revision: int | None,
    ) -> dict[str, Any]:
        # Messages that can be read twice (the bundle's, streamed from it, or a search's
        # subset held in a list): the fold then keeps records only of questionnaires a
        # decision names, so its memory is flat in the number of questionnaires.
        keep = None
        if isinstance(messages, StreamedMessages):
            keep = named_responses(messages.of_types(DECISION_TYPES))
        elif isinstance(messages, Sequence):
            keep = named_responses(messages)
        return score_round(
            scheme,
            messages,
            campaign_id=campaign,
            round=round_,
            keep_records=keep,
            revision=CURRENT if revision is None else revision,
        )

    return compute


def verify_bundle(bundle: Bundle, compute: Compute, budget: int = BUDGET) -> Verdict:
    campaign_id, round_ = _round(bundle)
    revision = stored_revision(bundle.results)
    try:
        recomputed = compute(bundle.scheme, StreamedMessages(bundle), campaign_id, round_, revision)
    except ReadFailed as failed:  # the bundle's reason, not the engine's
        raise failed.error from None
    except Exception as error:  # the engine's reason is the report
        raise CannotRecompute(f"{type(error).__name__}: {error}") from error
    if canonical_json(recomputed) == canonical_json(bundle.results):
        if not bundle.results.get("units"):
            raise NothingToCheck(
                f"campaign {campaign_id} round {round_} has no unit, in the bundle's results "
                "or recomputed from its messages: nothing to compare"
            )
        return Verdict(True, [], [])
    # Only a difference holds the messages: the search recomputes without some of them.
    messages = list(bundle.messages())
    search = Search(bundle.scheme, compute, messages, campaign_id, round_, budget, revision)
    units = compare_units(bundle.results, recomputed)
    other_scheme = other_scheme_said(bundle.results, recomputed)
    for unit in units:
        for component in unit.components:
            if other_scheme:  # the scheme changed: any difference may be its doing
                continue
            component.scheme = scheme_owned(bundle.scheme, component)
            if component.scheme:
                continue
            found = search.explain(
                unit.unit_id, component.code, component.stored, component.recomputed
            )
            component.messages, component.searched = found.messages, found.searched
            component.suspects = found.suspects
    problems = _top_level(bundle.results, recomputed, skip={"scheme"} if other_scheme else set())
    first = [said for said in (_no_unit_said(bundle, recomputed), other_scheme) if said]
    return Verdict(False, [*first, *problems], units)


def _no_unit_said(bundle: Bundle, recomputed: Mapping[str, Any]) -> str:
    """When the messages give the round no unit at all while the results hold some: the
    results cannot be of these messages (another campaign's, or the logs cut short)."""
    if recomputed.get("units") or not bundle.results.get("units"):
        return ""
    campaign_id, round_ = _round(bundle)
    return (
        f"the bundle's messages give campaign {campaign_id} round {round_} no unit (its "
        "registry log does not open that campaign, or enrols no unit in it, or the round is "
        f"past its cycle); its results hold {len(bundle.results['units'])}: they were not "
        "computed from these messages"
    )


def other_scheme_said(results: Mapping[str, Any], recomputed: Mapping[str, Any]) -> str:
    """When the results name another scheme than the bundle's scheme.json (`scheme`: id,
    version and hash, which the engine takes from the document it computes by): that said,
    and that no input message is searched for, since the scheme alone may explain every
    difference. Empty when they name the same."""
    stated, found = results.get("scheme"), recomputed.get("scheme")
    if stated == found:
        return ""
    return (
        f"scheme: the results were computed under {_scheme_named(stated)}; the bundle's "
        f"scheme.json is {_scheme_named(found)}: not the scheme of these results, so every "
        "difference below may be the scheme's, and no input message is searched for"
    )


def _scheme_named(ref: Any) -> str:
    if not isinstance(ref, dict):
        return _short(ref)
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
    found = []
    for path in sorted(p for p in old.keys() | new.keys() if old.get(p) != new.get(p)):
        key = _scheme_key(path, says)
        if key is not None and says[key] == new.get(path):
            found.append(
                f"{path.lstrip('.')} is {_short(new.get(path))} in the bundle's scheme.json "
                f"({key.lstrip('.')}), {_short(old.get(path))} in its results"
            )
    if not found:
        return ""
    return (
        "; ".join(found) + ": the results were not computed under the scheme they name, "
        "and no input message can explain it"
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
        raise CannotRecompute(f"results.json: engine_revision {found!r} is not a revision")
    return found


def _round(bundle: Bundle) -> tuple[str, int]:
    """The campaign and round the bundle is of (`read_bundle` checked them against its
    results: a UUID and a round number from 1)."""
    about = bundle.manifest["about"]
    return about["campaign_id"], about["round"]


def compare_units(stored: Mapping[str, Any], recomputed: Mapping[str, Any]) -> list[UnitDifference]:
    old, new = by_id(stored.get("units"), "unit_id"), by_id(recomputed.get("units"), "unit_id")
    differences = []
    for unit_id in sorted(old.keys() | new.keys()):
        before, after = old.get(unit_id), new.get(unit_id)
        name = str(
            (before or after or {}).get("name") or (before or after or {}).get("unit_name") or ""
        )
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


RESTATED = ("explanation", "result_digest")
"""Fields that restate the others (the words, the digest of the whole): their values are
shown only when nothing else differs (an explanation edited alone)."""


def _field_values(
    fields: list[str], before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[str]:
    """What the bundle's and the recomputed result say for each differing field (the score,
    rank, grade … an auditor compares with the published ones), long ones cut."""
    shown = [f for f in fields if f not in RESTATED] or fields
    return [
        f"{name}: bundle {_short(before.get(name))}, recomputed {_short(after.get(name))}"
        for name in shown
    ]


def _top_level(
    stored: Mapping[str, Any], recomputed: Mapping[str, Any], skip: set[str]
) -> list[str]:
    return [
        f"{key}: bundle {_short(stored.get(key))}, recomputed {_short(recomputed.get(key))}"
        for key in sorted(stored.keys() | recomputed.keys())
        if key != "units" and key not in skip and stored.get(key) != recomputed.get(key)
    ]


def _changed(component: ComponentDifference, limit: int = 8) -> str:
    """The component's values that differ, as `path: bundle X, recomputed Y`."""
    if not isinstance(component.stored, dict) or not isinstance(component.recomputed, dict):
        return f"bundle {_short(component.stored)}, recomputed {_short(component.recomputed)}"
    old, new = flat(component.stored), flat(component.recomputed)
    paths = sorted(p for p in old.keys() | new.keys() if old.get(p) != new.get(p))
    shown = [
        f"{p.lstrip('.')}: bundle {_short(old.get(p))}, recomputed {_short(new.get(p))}"
        for p in paths[:limit]
    ]
    more = f"; … {len(paths) - limit} more" if len(paths) > limit else ""
    return "; ".join(shown) + more


def _short(value: Any, limit: int = 300) -> str:
    text = "—" if value is None else canonical_json(value).decode()
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"
