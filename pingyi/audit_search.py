"""Finding the input messages behind a component that differs (`pingyi audit verify`): the
round recomputed without some of the bundle's messages, by bisection, then each touching
message tried alone (see `pingyi.audit_verify`).

A `survey.batch.recorded` part holds hundreds of questionnaires, each meaning what a
`survey.response.recorded` of its own would: the search takes each of them as a candidate
of its own (the part recomputed without it), so a changed answer is named by the
questionnaire, at its part's position, as it is in a log of single recordings.

Depends on the contract envelope and the standard library only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from shared.contracts.envelope import IntegrationMessage

BATCH_RECORDED = "survey.batch.recorded"
"""The messages whose questionnaires are candidates one by one: v1 (one object each in
`questionnaires`) and v2 (in columns: each list of `COLUMNS` holds one entry each, `extras`
name theirs by index)."""
COLUMNS = (
    "response_ids",
    "questionnaire_ids",
    "survey_points",
    "collected_at",
    "channels",
    "groups",
    "rows",
)

Compute = Callable[
    [Mapping[str, Any], Iterable[IntegrationMessage], str, int, int | None], dict[str, Any]
]
"""(scheme document, messages, campaign id, round, engine revision: a stored run's own, or
None for the current one) -> the round's results document."""
Piece = tuple[int, int | None]
"""A candidate: (message index, questionnaire index in a batch part, or None: the message)."""


@dataclass(frozen=True)
class MessageRef:
    origin: str
    position: int
    event_type: str
    subject: str
    """What in the payload says which fact it is (questionnaire id, finding id …)."""

    def label(self) -> str:
        return f"{self.origin} position {self.position} {self.event_type} {self.subject}".strip()


def pieces(messages: Sequence[IntegrationMessage]) -> list[Piece]:
    """Every message, a batch part as each of its questionnaires."""
    found: list[Piece] = []
    for i, message in enumerate(messages):
        inside = _questionnaires(message)
        if inside is None:
            found.append((i, None))
        else:
            found.extend((i, j) for j in range(inside))
    return found


def _questionnaires(message: IntegrationMessage) -> int | None:
    """How many questionnaires a batch part holds; None for any other message (or a part
    too malformed to take apart: it is a candidate whole)."""
    if message.event_type != BATCH_RECORDED:
        return None
    payload = message.payload
    if message.schema_version == 1:
        inside = payload.get("questionnaires")
        return len(inside) if isinstance(inside, list) else None
    columns = [c for c in (payload.get(name) for name in COLUMNS) if isinstance(c, list)]
    if message.schema_version != 2 or len(columns) != len(COLUMNS):
        return None
    extras = payload.get("extras", [])
    if not isinstance(extras, list) or not all(isinstance(e, dict) for e in extras):
        return None
    return len(columns[0]) if len({len(c) for c in columns}) == 1 else None


def _less(message: IntegrationMessage, left: set[int]) -> dict[str, Any]:
    """A part's payload less the questionnaires at the indices in `left`."""
    payload = message.payload
    if message.schema_version == 1:
        inside = payload["questionnaires"]
        return {**payload, "questionnaires": [q for j, q in enumerate(inside) if j not in left]}
    kept = [j for j in range(len(payload["response_ids"])) if j not in left]
    moved = {old: new for new, old in enumerate(kept)}
    extras = [
        {**extra, "index": moved[extra.get("index")]}
        for extra in payload.get("extras", [])
        if extra.get("index") in moved
    ]
    columns = {name: [payload[name][j] for j in kept] for name in COLUMNS}
    return {**payload, **columns, "extras": extras}


def _subject_of(message: IntegrationMessage, j: int) -> str:
    """What names questionnaire `j` of a part."""
    if message.schema_version == 1:
        questionnaire = message.payload["questionnaires"][j]
        return _subject(questionnaire) if isinstance(questionnaire, dict) else ""
    return _subject({"questionnaire_id": message.payload["questionnaire_ids"][j]})


def without(
    messages: Sequence[IntegrationMessage], left: set[Piece]
) -> Iterator[IntegrationMessage]:
    """The messages less the pieces in `left`: a part less some questionnaires is the same
    part (same position) holding the others; a part less all of them is left out (a part
    holds at least one)."""
    whole = {i for i, j in left if j is None}
    inside: dict[int, set[int]] = {}
    for i, j in left:
        if j is not None:
            inside.setdefault(i, set()).add(j)
    for i, message in enumerate(messages):
        if i in whole:
            continue
        if i in inside:
            if len(inside[i]) >= (_questionnaires(message) or 0):
                continue
            message = message.model_copy(update={"payload": _less(message, inside[i])})
        yield message


class Search:
    """Recomputes the round without some messages, to find those behind a component."""

    def __init__(
        self,
        scheme: Mapping[str, Any],
        compute: Compute,
        messages: Sequence[IntegrationMessage],
        campaign_id: str,
        round_: int,
        budget: int,
        revision: int | None = None,
    ) -> None:
        self.scheme = scheme
        self.revision = revision
        self.compute = compute
        self.messages = messages
        self.pieces = pieces(messages)
        self.campaign_id = campaign_id
        self.round = round_
        self.budget = budget

    def explain(
        self, unit_id: str, code: str, stored: Any, recomputed: Any
    ) -> tuple[list[MessageRef], str]:
        """The messages (or questionnaires of a part) behind the component's difference, and
        how far the search got when it did not finish (else "")."""
        self.spent = 0
        touching = self._touching(unit_id, code, list(range(len(self.pieces))))
        if touching is None:
            return [], "search stopped at its budget of recomputations"
        named = [
            k
            for k in touching
            if self._within_budget()
            and moves_toward(self._component(unit_id, code, {k}), recomputed, stored)
        ]
        if named:
            return [self._ref(k) for k in named], ""
        refs = ", ".join(self._ref(k).label() for k in touching[:10])
        return [], f"no single message explains it; {len(touching)} messages touch it: {refs}"

    def _touching(self, unit_id: str, code: str, candidates: list[int]) -> list[int] | None:
        """The candidates (indices of `pieces`) whose removal changes the component (by
        halving)."""
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

    def _ref(self, k: int) -> MessageRef:
        i, j = self.pieces[k]
        message = self.messages[i]
        subject = _subject(message.payload) if j is None else _subject_of(message, j)
        return MessageRef(message.origin, message.position, message.event_type, subject)

    def _within_budget(self) -> bool:
        self.spent += 1
        return self.spent <= self.budget

    def _component(self, unit_id: str, code: str, left: set[int]) -> Any:
        kept = without(self.messages, {self.pieces[k] for k in left})
        try:
            results = self.compute(self.scheme, kept, self.campaign_id, self.round, self.revision)
        except Exception as error:  # without a message the fold may refuse: it touched
            return {"refused": f"{type(error).__name__}: {error}"}
        unit = by_id(results.get("units"), "unit_id").get(unit_id, {})
        return by_id(unit.get("components"), "code").get(code)


def moves_toward(without: Any, recomputed: Any, stored: Any) -> bool:
    """Whether removing a message moves the component back toward the bundle's value: over
    the values where recomputed and stored differ, more get closer than get farther. Only
    those values count: a removal also changes what it must (sample sizes …), and those say
    nothing about which message is behind the difference."""
    before, target, after = flat(recomputed), flat(stored), flat(without)
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


def flat(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in flat(item, f"{path}.{key}").items()}
    if isinstance(value, list):
        return {k: v for i, item in enumerate(value) for k, v in flat(item, f"{path}[{i}]").items()}
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
    "batch_id",
    "wave_id",
    "unit_id",
    "campaign_id",
)


def _subject(payload: Mapping[str, Any]) -> str:
    return next((f"{key}={payload[key]}" for key in SUBJECT_KEYS if key in payload), "")


def by_id(items: Any, key: str) -> dict[str, dict[str, Any]]:
    if not isinstance(items, list):
        return {}
    return {str(item.get(key)): item for item in items if isinstance(item, dict)}
