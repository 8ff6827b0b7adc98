"""Verifying an audit bundle offline: recompute the round from the bundle's scheme and
messages with the scoring engine, compare byte for byte with the bundle's results, and on a
difference name the unit, the component and the input messages behind it.

Finding the messages: for a unit whose component differs, the messages that touch that
component are found by bisection (recompute without half of the candidates; a half whose
removal leaves the component as it was touches nothing and is dropped), then each touching
message is tried alone: it is named when recomputing without it brings the component closer
to the bundle's results (fewer values differ). A message changed after the results were
computed is such a message; a genuine one like it is not. When the search would take more
recomputations than its budget, the candidates found so far are named as a range.

Depends on the contract models, canonical JSON and the engine only: no database, no server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from pingyi.audit_bundle import Bundle
from shared.canonical import canonical_json
from shared.contracts.envelope import IntegrationMessage

Compute = Callable[[Mapping[str, Any], Iterable[IntegrationMessage], str, int], dict[str, Any]]
"""(scheme document, messages, campaign id, round) -> the round's results document."""

BUDGET = 400
"""Recomputations allowed per differing component while looking for its messages."""


class CannotRecompute(Exception):
    """The engine refused the bundle's own inputs: nothing to compare with."""


@dataclass(frozen=True)
class MessageRef:
    origin: str
    position: int
    event_type: str
    subject: str
    """What in the payload says which fact it is (questionnaire id, finding id …)."""

    def label(self) -> str:
        return f"{self.origin} position {self.position} {self.event_type} {self.subject}".strip()


@dataclass
class ComponentDifference:
    code: str
    stored: Any
    recomputed: Any
    messages: list[MessageRef] = field(default_factory=list)
    searched: str = ""
    """How far the search for messages got, when it did not finish (else empty)."""


@dataclass
class UnitDifference:
    unit_id: str
    name: str
    status: str
    """different, missing (recomputed, not in the bundle), unexpected (only in the bundle)."""
    fields: list[str] = field(default_factory=list)
    components: list[ComponentDifference] = field(default_factory=list)


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
            head = f"单位 unit {unit.name} ({unit.unit_id}): {unit.status}"
            out.append(head + (f" — fields {', '.join(unit.fields)}" if unit.fields else ""))
            for component in unit.components:
                out.append(f"  指标 component {component.code}: {_changed(component)}")
                for message in component.messages:
                    out.append(f"    消息 message {message.label()}")
                if component.searched:
                    out.append(f"    {component.searched}")
        return out


def engine() -> Compute:
    """The scoring engine's `score_round`, as the verifier calls it (imported only here, so
    that reading a bundle needs nothing but the standard library and the contracts)."""
    from services.scoring.engine import score_round
    from services.scoring.engine.fold import named_responses

    def compute(
        scheme: Mapping[str, Any],
        messages: Iterable[IntegrationMessage],
        campaign: str,
        round_: int,
    ) -> dict[str, Any]:
        # Messages held in a list (the bundle's, or a search's subset of them) can be read
        # twice: the fold then keeps records only of questionnaires a decision names.
        keep = named_responses(messages) if isinstance(messages, Sequence) else None
        return score_round(
            scheme, messages, campaign_id=campaign, round=round_, keep_records=keep
        )

    return compute


def verify_bundle(bundle: Bundle, compute: Compute, budget: int = BUDGET) -> Verdict:
    campaign_id, round_ = _round(bundle)
    messages = list(bundle.messages())
    try:
        recomputed = compute(bundle.scheme, messages, campaign_id, round_)
    except Exception as error:  # the engine's reason is the report
        raise CannotRecompute(f"{type(error).__name__}: {error}") from error
    if canonical_json(recomputed) == canonical_json(bundle.results):
        return Verdict(True, [], [])
    search = _Search(bundle, compute, messages, campaign_id, round_, budget)
    units = compare_units(bundle.results, recomputed)
    for unit in units:
        for component in unit.components:
            search.explain(unit.unit_id, component)
    return Verdict(False, _top_level(bundle.results, recomputed), units)


def _round(bundle: Bundle) -> tuple[str, int]:
    about = bundle.manifest["about"]
    return str(about.get("campaign_id")), int(about.get("round") or 1)


def compare_units(stored: Mapping[str, Any], recomputed: Mapping[str, Any]) -> list[UnitDifference]:
    old, new = _by_id(stored.get("units"), "unit_id"), _by_id(recomputed.get("units"), "unit_id")
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
    old = _by_id(before.get("components"), "code")
    new = _by_id(after.get("components"), "code")
    components = [
        ComponentDifference(code, old.get(code), new.get(code))
        for code in sorted(old.keys() | new.keys())
        if old.get(code) != new.get(code)
    ]
    return UnitDifference(unit_id, name, "different", fields, components)


def _by_id(items: Any, key: str) -> dict[str, dict[str, Any]]:
    if not isinstance(items, list):
        return {}
    return {str(item.get(key)): item for item in items if isinstance(item, dict)}


def _top_level(stored: Mapping[str, Any], recomputed: Mapping[str, Any]) -> list[str]:
    return [
        f"{key}: bundle {_short(stored.get(key))}, recomputed {_short(recomputed.get(key))}"
        for key in sorted(stored.keys() | recomputed.keys())
        if key != "units" and stored.get(key) != recomputed.get(key)
    ]


class _Search:
    """Recomputes the round without some messages, to find those behind a component."""

    def __init__(
        self,
        bundle: Bundle,
        compute: Compute,
        messages: Sequence[IntegrationMessage],
        campaign_id: str,
        round_: int,
        budget: int,
    ) -> None:
        self.bundle = bundle
        self.compute = compute
        self.messages = messages
        self.campaign_id = campaign_id
        self.round = round_
        self.budget = budget

    def explain(self, unit_id: str, component: ComponentDifference) -> None:
        self.spent = 0
        touching = self._touching(unit_id, component.code, list(range(len(self.messages))))
        if touching is None:
            component.searched = "search stopped at its budget of recomputations"
            return
        named = [
            i
            for i in touching
            if self._within_budget()
            and _moves_toward(
                self._component(unit_id, component.code, {i}),
                component.recomputed,
                component.stored,
            )
        ]
        component.messages = [_ref(self.messages[i]) for i in named]
        if not named:
            refs = ", ".join(_ref(self.messages[i]).label() for i in touching[:10])
            component.searched = (
                f"no single message explains it; {len(touching)} messages touch it: {refs}"
            )

    def _touching(self, unit_id: str, code: str, candidates: list[int]) -> list[int] | None:
        """The candidates whose removal changes the component (by halving)."""
        full = self._component(unit_id, code, set())
        found: list[int] = []
        pending = [candidates]
        while pending:
            group = pending.pop()
            if not self._within_budget():
                return None
            if self._component(unit_id, code, set(group)) == full:
                continue
            if len(group) == 1:
                found.append(group[0])
            else:
                middle = len(group) // 2
                pending.extend((group[middle:], group[:middle]))
        return sorted(found)

    def _within_budget(self) -> bool:
        self.spent += 1
        return self.spent <= self.budget

    def _component(self, unit_id: str, code: str, without: set[int]) -> Any:
        kept = (m for i, m in enumerate(self.messages) if i not in without)
        try:
            results = self.compute(self.bundle.scheme, kept, self.campaign_id, self.round)
        except Exception as error:  # without a message the fold may refuse: it touched
            return {"refused": f"{type(error).__name__}: {error}"}
        unit = _by_id(results.get("units"), "unit_id").get(unit_id, {})
        return _by_id(unit.get("components"), "code").get(code)


def _moves_toward(without: Any, recomputed: Any, stored: Any) -> bool:
    """Whether removing a message moves the component back toward the bundle's value: over
    the values where recomputed and stored differ, more get closer than get farther. Only
    those values count: a removal also changes what it must (sample sizes …), and those say
    nothing about which message is behind the difference."""
    before, target, after = _flat(recomputed), _flat(stored), _flat(without)
    closer = farther = 0
    for path in before.keys() | target.keys():
        if before.get(path) == target.get(path):
            continue
        gap, new_gap = (
            _gap(before.get(path), target.get(path)),
            _gap(after.get(path), target.get(path)),
        )
        closer += new_gap < gap
        farther += new_gap > gap
    return closer > farther


def _flat(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        return {
            k: v for key, item in value.items() for k, v in _flat(item, f"{path}.{key}").items()
        }
    if isinstance(value, list):
        return {
            k: v for i, item in enumerate(value) for k, v in _flat(item, f"{path}[{i}]").items()
        }
    return {path: value}


_EXACT = Context(prec=50, traps=[InvalidOperation])
_FAR = Decimal("Infinity")


def _gap(value: Any, target: Any) -> Decimal:
    """How far apart two leaf values are: numerically when both are numbers (or decimal
    text), else 0 when equal and infinitely far otherwise."""
    if value == target:
        return Decimal(0)
    a, b = _number(value), _number(target)
    if a is None or b is None:
        return _FAR
    return abs(_EXACT.subtract(a, b))


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        return _EXACT.create_decimal(value)
    except InvalidOperation:
        return None


SUBJECT_KEYS = (
    "questionnaire_id",
    "response_id",
    "finding_id",
    "complaint_id",
    "order_id",
    "task_id",
    "vote_id",
    "wave_id",
    "unit_id",
    "campaign_id",
)


def _ref(message: IntegrationMessage) -> MessageRef:
    payload = message.payload
    subject = next((f"{key}={payload[key]}" for key in SUBJECT_KEYS if key in payload), "")
    return MessageRef(message.origin, message.position, message.event_type, subject)


def _changed(component: ComponentDifference, limit: int = 8) -> str:
    """The component's values that differ, as `path: bundle X, recomputed Y`."""
    if not isinstance(component.stored, dict) or not isinstance(component.recomputed, dict):
        return f"bundle {_short(component.stored)}, recomputed {_short(component.recomputed)}"
    old, new = _flat(component.stored), _flat(component.recomputed)
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
