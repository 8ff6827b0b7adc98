"""Finding the input messages behind a component that differs (`pingyi audit verify`): the
round recomputed without some of the bundle's messages, by bisection, then each touching
message tried alone (see `pingyi.audit_verify`). Each candidate is a message, or one
questionnaire of a `survey.batch.recorded` part (`pingyi.audit_pieces`).

The messages are read again from the bundle for every recomputation and every look-up
(`pingyi.audit_pieces.Edited`), never held all at once, and candidates are kept as ranges of
their numbers: a search takes memory flat in the number of questionnaires, as the
verification it follows does (tests/audit/test_search_memory.py). Each recomputation reads
the bundle once: the engine's first pass (the decisions) is the verification's, made once
(`Edited.named`), and the round recomputed with nothing left out is the verification's
result, not recomputed again (tests/audit/test_search_reads.py).

Depends on the contract envelope, the audit modules and the standard library only.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pingyi.audit_difference import moves_toward
from pingyi.audit_narrow import Explanation, MessageRef, Narrowed, Suspects, Trial, narrow
from pingyi.audit_pieces import Edited, Pieces, pieces, subject, without
from pingyi.audit_stream import Compute, Listed, Numbered, ReadFailed
from pingyi.audit_words import said
from shared.contracts.envelope import IntegrationMessage

__all__ = ["Compute", "Search", "by_id", "pieces", "without"]

Group = Sequence[int]
"""Candidates by number: a range of them while bisecting, or those found, listed."""


class Search:
    """Recomputes the round without some messages, to find those behind a component."""

    def __init__(
        self,
        scheme: Mapping[str, Any],
        compute: Compute,
        messages: Numbered | Sequence[IntegrationMessage],
        campaign_id: str,
        round_: int,
        budget: int,
        revision: int | None = None,
    ) -> None:
        self.scheme = scheme
        self.revision = revision
        self.compute = compute
        self.messages = messages if isinstance(messages, Numbered) else Listed(messages)
        self.pieces = Pieces(self.messages)
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
            lambda k: self._less(range(k, k + 1)),
            self._within_budget,
        )
        narrowed = narrow(self.messages, self.pieces, unit_id, stored, recomputed, trial)
        if narrowed is not None and narrowed.consistent:
            return self._suspected(narrowed)
        note = "" if narrowed is None else narrowed.note
        named, searched = self._bisected(unit_id, code, stored, recomputed)
        return Explanation(named, "; ".join(s for s in (note, searched) if s))

    def _suspected(self, narrowed: Narrowed) -> Explanation:
        refs = self._refs(narrowed.consistent)
        suspects = Suspects(
            refs, narrowed.answer, narrowed.implied, narrowed.exact, narrowed.untried
        )
        return Explanation(refs if len(refs) == 1 else [], "", suspects)

    def _bisected(
        self, unit_id: str, code: str, stored: Any, recomputed: Any
    ) -> tuple[list[MessageRef], str]:
        """By bisection over every candidate, within what is left of the budget."""
        touching, unsearched = self._touching(unit_id, code, recomputed, range(self.pieces.total))
        if unsearched:
            return [], self._stopped(touching, unsearched)
        named = [
            k
            for k in touching
            if self._within_budget()
            and moves_toward(self._component(unit_id, code, range(k, k + 1)), recomputed, stored)
        ]
        if self.spent > self.budget:
            tried = touching[: self.budget - (self.spent - len(touching))]
            return [], self._stopped(touching, [touching[len(tried) :]], tried=named)
        if named:
            return self._refs(named), ""
        refs = self._refs(touching[:10])
        zh, en = _listed(refs, MessageRef.chinese, ", "), _listed(refs, MessageRef.english, ", ")
        return [], said(
            f"没有哪一条消息能单独解释它; {len(touching)} 条消息影响它: {zh}",
            f"no single message explains it; {len(touching)} messages touch it: {en}",
        )

    def _touching(
        self, unit_id: str, code: str, full: Any, candidates: range
    ) -> tuple[list[int], list[Group]]:
        """The candidates (numbers of `pieces`) whose removal changes the component (by
        halving, each half a range), and the groups not searched when the budget ran out.
        `full`: the component recomputed from every message, the verification's (the engine
        is a pure function of the messages: recomputing it gave the same)."""
        found: list[int] = []
        pending: list[range] = [candidates]
        while pending:
            if not self._within_budget():
                return sorted(found), list(pending)
            group = pending.pop()
            if self._component(unit_id, code, group) == full:
                continue
            if len(group) == 1:
                found.append(group[0])
            else:
                middle = len(group) // 2
                pending.extend((group[middle:], group[:middle]))
        return sorted(found), []

    def _stopped(
        self, touching: list[int], unsearched: list[Group], tried: Sequence[int] = ()
    ) -> str:
        """What a search cut short by its budget found: the messages found so far, and where
        the rest lies (a range of positions per origin), for the auditor to read there; the
        whole Chinese sentence first, then the English one whole."""
        zh = [f"查找在 {self.budget} 次重算的预算处停止"]
        en = [f"search stopped at its budget of {self.budget} recomputations"]
        if tried:
            refs = self._refs(tried[:10])
            zh_refs, en_refs = _listed(refs, MessageRef.chinese), _listed(refs, MessageRef.english)
            zh.append(f"至今找到 {len(tried)} 条可解释它的消息: {zh_refs}")
            en.append(f"{len(tried)} messages found that explain it so far: {en_refs}")
        elif touching:
            refs = self._refs(touching[:10])
            many = len(touching) > 10
            zh_refs, en_refs = _listed(refs, MessageRef.chinese), _listed(refs, MessageRef.english)
            zh.append(
                f"找到 {len(touching)} 条影响它的消息"
                + (f" (前 10 条: {zh_refs})" if many else f": {zh_refs}")
            )
            en.append(
                f"{len(touching)} messages found that touch it"
                + (f" (first 10: {en_refs})" if many else f": {en_refs}")
            )
        rest = sum(len(group) for group in unsearched)
        if rest:
            spans = self._spans(unsearched)
            zh_at = ", ".join(f"{o} 位置 {lo}–{hi}" for o, (lo, hi) in spans)
            en_at = ", ".join(f"{o} positions {lo}–{hi}" for o, (lo, hi) in spans)
            zh.append(f"尚未查找: {zh_at} 中的 {rest} 个候选")
            en.append(f"not yet searched: {rest} candidates in {en_at}")
        return said("; ".join(zh), "; ".join(en))

    def _spans(self, groups: list[Group]) -> list[tuple[str, tuple[int, int]]]:
        """Positions spanned per origin (e.g. survey 12–3149), by origin."""
        spans: dict[str, tuple[int, int]] = {}
        for _, message in self.messages.numbered(indices=_Within(self.pieces, groups)):
            low, high = spans.get(message.origin, (message.position, message.position))
            spans[message.origin] = (min(low, message.position), max(high, message.position))
        return sorted(spans.items())

    def _refs(self, ks: Sequence[int]) -> list[MessageRef]:
        """The candidates named, in the order given: one reading for them all."""
        wanted = [self.pieces.piece(k) for k in ks]
        found: dict[tuple[int, int | None], MessageRef] = {}
        numbers = {i for i, _ in wanted}
        for i, message in self.messages.numbered(indices=numbers):
            for piece in wanted:
                if piece[0] == i and piece not in found:
                    found[piece] = MessageRef(
                        message.origin,
                        message.position,
                        message.event_type,
                        subject(message, piece[1]),
                    )
        return [found[piece] for piece in wanted]

    def _within_budget(self) -> bool:
        self.spent += 1
        return self.spent <= self.budget

    def _less(self, left: range) -> Edited:
        return Edited(self.messages, self.pieces, left=left)

    def _component(self, unit_id: str, code: str, left: range) -> Any:
        return self._component_in(unit_id, code, self._less(left))

    def _component_in(self, unit_id: str, code: str, kept: Iterable[IntegrationMessage]) -> Any:
        try:
            results = self.compute(self.scheme, kept, self.campaign_id, self.round, self.revision)
        except ReadFailed:  # the bundle's fault, reported as such
            raise
        except Exception as error:  # without a message the fold may refuse: it touched
            return {"refused": f"{type(error).__name__}: {error}"}
        unit = by_id(results.get("units"), "unit_id").get(unit_id, {})
        return by_id(unit.get("components"), "code").get(code)


def _listed(refs: list[MessageRef], name: Callable[[MessageRef], str], apart: str = "; ") -> str:
    """The messages named, each as `name` says it (`MessageRef.chinese` or `.english`)."""
    return apart.join(name(ref) for ref in refs)


class _Within:
    """The messages holding any candidate of some groups (ranges, or candidates listed)."""

    def __init__(self, pieces: Pieces, groups: list[Group]) -> None:
        self.pieces = pieces
        self.ranges = [g for g in groups if isinstance(g, range)]
        self.listed = sorted(k for g in groups if not isinstance(g, range) for k in g)

    def __contains__(self, i: object) -> bool:
        if not isinstance(i, int):
            return False
        first, count, _ = self.pieces.span(i)
        stop = first + count
        if any(max(first, g.start) < min(stop, g.stop) for g in self.ranges):
            return True
        at = bisect_left(self.listed, first)
        return at < len(self.listed) and self.listed[at] < stop


def by_id(items: Any, key: str) -> dict[str, dict[str, Any]]:
    if not isinstance(items, list):
        return {}
    return {str(item.get(key)): item for item in items if isinstance(item, dict)}
