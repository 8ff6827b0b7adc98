"""Narrowing the search for the questionnaires behind a survey component's difference
(`pingyi audit verify`), before any bisection: what the contract says (`pingyi.audit_answers`:
who answered the unit, and what) and the component's level counts say (the level the
recomputation gained and the level it lost) give the candidates; recomputation confirms them,
one class of alike candidates at a time, within the search's budget.

Depends on the contract envelope, the audit modules and the standard library only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pingyi.audit_answers import (
    WAVE_OPENED,
    Answer,
    answers,
    component_waves,
    level_counts,
    wave_units,
    with_answer,
)
from pingyi.audit_difference import moves_toward
from pingyi.audit_pieces import Edited, Pieces, message_at
from pingyi.audit_stream import Numbered
from pingyi.audit_words import said
from shared.contracts.envelope import IntegrationMessage


@dataclass(frozen=True)
class MessageRef:
    origin: str
    position: int
    event_type: str
    subject: str
    """What in the payload says which fact it is (questionnaire id, finding id …)."""

    def label(self) -> str:
        """Chinese first, the English after it whole: `survey 位置 12 survey.response.recorded
        questionnaire_id=Q-1 (survey position 12 …)`; a script that matched it still finds it."""
        return said(self.chinese(), self.english())

    def chinese(self) -> str:
        return f"{self.origin} 位置 {self.position} {self.event_type} {self.subject}".strip()

    def english(self) -> str:
        return f"{self.origin} position {self.position} {self.event_type} {self.subject}".strip()


@dataclass(frozen=True)
class Suspects:
    """Questionnaires each of which explains a component's difference as well as another:
    they give the unit the same answer and are alike in all else the round reads of them,
    so the results cannot tell which one changed (one alone is named as such)."""

    refs: list[MessageRef]
    answer: str
    """What each gives the unit in the bundle."""
    implied: tuple[str, ...]
    """What the bundle's results imply it was (empty: that it was not there)."""
    exact: bool
    """Changing any one as implied recomputes the bundle's component exactly (else: only
    closer to it)."""
    untried: int
    """Candidates giving that answer not tried for want of budget."""

    def said(self, shown: int = 5) -> str:
        """The whole Chinese sentence first, then the English one whole in brackets, each
        naming the first `shown` of several."""
        return said(self._chinese(shown), self._english(shown))

    def _chinese(self, shown: int) -> str:
        was = "原为 " + " 或 ".join(self.implied) if self.implied else "原本不存在"
        how = "与审计包的完全相同" if self.exact else "更接近审计包的 (但不完全相同)"
        if len(self.refs) == 1:
            head = f"它给该单位的回答是 {self.answer}; 审计包的结果表明它{was}"
        else:
            head = (
                f"{len(self.refs)} 份问卷同样与之相符, 无一更甚: 每份给该单位的回答都是 "
                f"{self.answer}, 审计包的结果表明其中一份{was}"
            )
        parts = [f"{head} (照此更改, 该指标重算后{how})"]
        if len(self.refs) > 1:
            first = "; ".join(ref.chinese() for ref in self.refs[:shown])
            parts.append(f"前 {min(shown, len(self.refs))} 份: {first}")
        if self.untried:
            parts.append(f"另有 {self.untried} 份给出该回答的问卷未试 (预算已用尽)")
        return "; ".join(parts)

    def _english(self, shown: int) -> str:
        was = " or ".join(self.implied) if self.implied else "not there at all"
        how = "exactly as the bundle's" if self.exact else "closer to the bundle's (not exactly)"
        if len(self.refs) == 1:
            head = f"it gives this unit {self.answer}; the bundle's results imply it was {was}"
        else:
            head = (
                f"{len(self.refs)} questionnaires are equally consistent with it, none more "
                f"than another: each gives this unit {self.answer}, and the bundle's results "
                f"imply one of them was {was}"
            )
        parts = [f"{head} (so changed, the component is recomputed {how})"]
        if len(self.refs) > 1:
            first = "; ".join(ref.english() for ref in self.refs[:shown])
            parts.append(f"first {min(shown, len(self.refs))}: {first}")
        if self.untried:
            parts.append(f"{self.untried} more giving it not tried (the budget ran out)")
        return "; ".join(parts)


@dataclass
class Explanation:
    messages: list[MessageRef]
    """The messages named as behind the difference."""
    searched: str = ""
    """How far the search got when it did not finish, or what it could not tell."""
    suspects: Suspects | None = None
    """The questionnaires that explain it equally (one: the one named)."""


@dataclass
class Narrowed:
    """What the contract and the recomputations tried say of a component's difference."""

    consistent: list[int] = field(default_factory=list)
    """The candidates (in log order) each of which explains it equally."""
    answer: str = ""
    """What each of them gives the unit in the bundle."""
    implied: tuple[str, ...] = ()
    """What the bundle's results imply it was (empty: that it was not there at all)."""
    exact: bool = False
    """Changing (or removing) any one of them recomputes the bundle's component exactly."""
    untried: int = 0
    """Candidates giving that answer left untried when the budget ran out."""
    note: str = ""
    """When nothing was found: what the level counts say, for the auditor."""


Components = Callable[[Iterable[IntegrationMessage]], Any]
"""Messages -> the component recomputed from them."""
Spend = Callable[[], bool]
"""Takes one recomputation from the budget; False when there is none left."""


@dataclass(frozen=True)
class Trial:
    """How a search recomputes: `component(messages)`, the messages less a candidate
    (`less(candidate)`), and `spend()` for each recomputation."""

    component: Components
    less: Callable[[int], Iterable[IntegrationMessage]]
    spend: Spend


def narrow(
    messages: Numbered,
    pieces: Pieces,
    unit_id: str,
    stored: Any,
    recomputed: Any,
    trial: Trial,
) -> Narrowed | None:
    """The questionnaires that explain a survey component's difference, as far as the
    contract and the budget tell; None for a component that counts no answers.

    Candidates: the questionnaires that answered the unit; where the bundle's and the
    recomputed level counts differ, those giving a level the recomputation gained. Each
    class of alike candidates is tried once: its answer changed to a level the recomputation
    lost (none lost: the candidate removed), which recomputes the bundle's component exactly
    when it is the changed questionnaire; else it must at least bring the component closer."""
    before, after = level_counts(stored), level_counts(recomputed)
    if before is None and after is None:
        return None
    before, after = before or {}, after or {}
    gained = [lv for lv in after if after[lv] > before.get(lv, 0)]
    lost = sorted(
        (lv for lv in before if before[lv] > after.get(lv, 0)),
        key=lambda lv: (after.get(lv, 0) - before[lv], lv),
    )
    units = wave_units(messages.of_types({WAVE_OPENED}))
    found = answers(messages, pieces, unit_id, units, component_waves(stored, recomputed))
    if gained:
        found = [a for a in found if a.answer in gained]
    elif lost:
        more = ", ".join(f"{before[lv] - after.get(lv, 0)} × {lv}" for lv in lost)
        return Narrowed(
            note=said(
                f"审计包的结果为该单位计入的回答多于其消息所给 ({more}): 可能有问卷被删除, "
                "或其回答被去掉",
                f"the bundle's results count more answers for this unit than its messages "
                f"give ({more}): a questionnaire may have been removed, or its answer taken out",
            )
        )
    edit = _Edit(messages, pieces, units, unit_id)
    return _tried(stored, recomputed, found, lost, trial, edit)


def _tried(
    stored: Any,
    recomputed: Any,
    found: list[Answer],
    lost: list[str],
    trial: Trial,
    edit: _Edit,
) -> Narrowed:
    classes: dict[tuple[str, str], list[Answer]] = {}
    for a in found:
        classes.setdefault((a.answer, a.alike), []).append(a)
    exact: list[tuple[list[Answer], str | None]] = []
    closer: list[tuple[list[Answer], str | None]] = []
    untried = 0
    for members in classes.values():
        if untried:
            untried += len(members)
            continue
        outcome = _try(stored, recomputed, members[0], lost, trial, edit)
        if outcome is None:
            untried += len(members)
        elif outcome[0] is not None:
            (exact if outcome[0] else closer).append((members, outcome[1]))
    chosen = exact or closer
    consistent = sorted(a.candidate for members, _ in chosen for a in members)
    return Narrowed(
        consistent=consistent,
        answer=", ".join(dict.fromkeys(members[0].answer for members, _ in chosen)),
        implied=tuple(dict.fromkeys(level for _, level in chosen if level is not None)),
        exact=bool(exact),
        untried=untried,
    )


def _try(
    stored: Any,
    recomputed: Any,
    candidate: Answer,
    lost: list[str],
    trial: Trial,
    edit: _Edit,
) -> tuple[bool | None, str | None] | None:
    """(True: exact, False: closer, None: neither; the level that did it, None for a
    removal) for one candidate; None when the budget ran out first."""
    tries: list[str | None] = list(lost) or [None]
    best: tuple[bool | None, str | None] = (None, None)
    for level in tries:
        if not trial.spend():
            return None if best[0] is None else best
        changed = (
            trial.less(candidate.candidate) if level is None else edit(candidate.candidate, level)
        )
        value = trial.component(changed)
        if value == stored:
            return True, level
        if best[0] is None and moves_toward(value, recomputed, stored):
            best = (False, level)
    return best


@dataclass(frozen=True)
class _Edit:
    """The messages with one candidate's answer about the unit changed to a level, read
    again from the source as any other recomputation's are."""

    messages: Numbered
    pieces: Pieces
    units: dict[str, list[str]]
    """wave id -> its units in order (`wave_units`)."""
    unit_id: str

    def __call__(self, candidate: int, level: str) -> Edited:
        i, j = self.pieces.piece(candidate)
        message = message_at(self.messages, i)
        units = self.units.get(str(message.payload.get("wave_id"))) or []
        changed = with_answer(message, j, units, self.unit_id, level)
        return Edited(self.messages, self.pieces, replaced=(i, changed))
