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
from typing import Any

from pingyi.audit_difference import moves_toward
from pingyi.audit_narrow import Explanation, MessageRef, Narrowed, Suspects, Trial, narrow
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

    def explain(self, unit_id: str, code: str, stored: Any, recomputed: Any) -> Explanation:
        """The messages (or questionnaires of a part) behind the component's difference, or
        the set of questionnaires that explain it equally, and how far the search got when
        it did not finish. What the survey contract says narrows it first
        (`pingyi.audit_answers`); a difference that does not narrow so is bisected."""
        self.spent = 0
        trial = Trial(
            lambda messages: self._component_in(unit_id, code, messages),
            lambda k: list(without(self.messages, {self.pieces[k]})),
            self._within_budget,
        )
        narrowed = narrow(self.messages, self.pieces, unit_id, stored, recomputed, trial)
        if narrowed is not None and narrowed.consistent:
            return self._suspected(narrowed)
        note = "" if narrowed is None else narrowed.note
        named, searched = self._bisected(unit_id, code, stored, recomputed)
        return Explanation(named, "; ".join(s for s in (note, searched) if s))

    def _suspected(self, narrowed: Narrowed) -> Explanation:
        refs = [self._ref(k) for k in narrowed.consistent]
        suspects = Suspects(
            refs, narrowed.answer, narrowed.implied, narrowed.exact, narrowed.untried
        )
        return Explanation(refs if len(refs) == 1 else [], "", suspects)

    def _bisected(
        self, unit_id: str, code: str, stored: Any, recomputed: Any
    ) -> tuple[list[MessageRef], str]:
        """By bisection over every candidate, within what is left of the budget."""
        touching, unsearched = self._touching(unit_id, code, list(range(len(self.pieces))))
        if unsearched:
            return [], self._stopped(touching, unsearched)
        named = [
            k
            for k in touching
            if self._within_budget()
            and moves_toward(self._component(unit_id, code, {k}), recomputed, stored)
        ]
        if self.spent > self.budget:
            tried = touching[: self.budget - (self.spent - len(touching))]
            return [], self._stopped(touching, [touching[len(tried) :]], tried=named)
        if named:
            return [self._ref(k) for k in named], ""
        refs = ", ".join(self._ref(k).label() for k in touching[:10])
        return [], f"no single message explains it; {len(touching)} messages touch it: {refs}"

    def _touching(
        self, unit_id: str, code: str, candidates: list[int]
    ) -> tuple[list[int], list[list[int]]]:
        """The candidates (indices of `pieces`) whose removal changes the component (by
        halving), and the groups not searched when the budget ran out."""
        full = self._component(unit_id, code, set())
        found: list[int] = []
        pending = [candidates]
        while pending:
            if not self._within_budget():
                return sorted(found), pending
            group = pending.pop()
            if self._component(unit_id, code, set(group)) == full:
                continue
            if len(group) == 1:
                found.append(group[0])
            else:
                middle = len(group) // 2
                pending.extend((group[middle:], group[:middle]))
        return sorted(found), []

    def _stopped(
        self, touching: list[int], unsearched: list[list[int]], tried: Sequence[int] = ()
    ) -> str:
        """What a search cut short by its budget found: the messages found so far, and where
        the rest lies (a range of positions per origin), for the auditor to read there."""
        said = [f"search stopped at its budget of {self.budget} recomputations"]
        if tried:
            refs = "; ".join(self._ref(k).label() for k in tried[:10])
            said.append(f"{len(tried)} messages found that explain it so far: {refs}")
        elif touching:
            refs = "; ".join(self._ref(k).label() for k in touching[:10])
            more = f" (first 10: {refs})" if len(touching) > 10 else f": {refs}"
            said.append(f"{len(touching)} messages found that touch it{more}")
        rest = sorted(k for group in unsearched for k in group)
        if rest:
            said.append(f"not yet searched: {len(rest)} candidates in {self._ranges(rest)}")
        return "; ".join(said)

    def _ranges(self, ks: list[int]) -> str:
        """Positions spanned per origin, e.g. `survey positions 12–3149`."""
        spans: dict[str, tuple[int, int]] = {}
        for k in ks:
            message = self.messages[self.pieces[k][0]]
            low, high = spans.get(message.origin, (message.position, message.position))
            spans[message.origin] = (min(low, message.position), max(high, message.position))
        return ", ".join(f"{o} positions {lo}–{hi}" for o, (lo, hi) in sorted(spans.items()))

    def _ref(self, k: int) -> MessageRef:
        i, j = self.pieces[k]
        message = self.messages[i]
        subject = _subject(message.payload) if j is None else _subject_of(message, j)
        return MessageRef(message.origin, message.position, message.event_type, subject)

    def _within_budget(self) -> bool:
        self.spent += 1
        return self.spent <= self.budget

    def _component(self, unit_id: str, code: str, left: set[int]) -> Any:
        return self._component_in(
            unit_id, code, without(self.messages, {self.pieces[k] for k in left})
        )

    def _component_in(self, unit_id: str, code: str, kept: Iterable[IntegrationMessage]) -> Any:
        try:
            results = self.compute(self.scheme, kept, self.campaign_id, self.round, self.revision)
        except Exception as error:  # without a message the fold may refuse: it touched
            return {"refused": f"{type(error).__name__}: {error}"}
        unit = by_id(results.get("units"), "unit_id").get(unit_id, {})
        return by_id(unit.get("components"), "code").get(code)


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
