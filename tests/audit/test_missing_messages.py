"""A bundle with a whole message cut out of its survey log, the chain repaired over it (the
next message names the one before the cut as its previous): the bundle reads as whole, but
the results count answers its messages do not give. `pingyi audit verify` says so once, up
front, with where the log's positions jump; and however many units differ, its searches
together stay within one budget, so it ends in seconds rather than searching every unit
to the end."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pingyi.audit_bundle import read_bundle
from pingyi.audit_verify import engine, verify_bundle
from shared.contracts import IntegrationMessage
from tests.audit.test_batch_bundle import _bundle, _log, _results


def _cut(messages: list[IntegrationMessage], index: int) -> list[IntegrationMessage]:
    """Without message `index`, the next of its origin chained over the gap."""
    gone = messages[index]
    return [
        m.model_copy(update={"previous_position": gone.previous_position})
        if m.origin == gone.origin and m.previous_position == gone.position
        else m
        for i, m in enumerate(messages)
        if i != index
    ]


def _second_part(messages: list[IntegrationMessage]) -> int:
    parts = [i for i, m in enumerate(messages) if m.event_type == "survey.batch.recorded"]
    return parts[1]


class Counting:
    """The engine, counting its recomputations."""

    def __init__(self) -> None:
        self.engine = engine()
        self.calls = 0

    def __call__(self, *args: Any) -> Any:
        self.calls += 1
        return self.engine(*args)


def _components(units: Iterable[Any]) -> list[Any]:
    return [c for unit in units for c in unit.components]


def test_a_part_cut_out_is_said_up_front_with_where_the_positions_jump(tmp_path: Path) -> None:
    messages = _log(2)
    honest = _results(messages)
    cut = _second_part(messages)
    before, after = messages[cut].previous_position, messages[cut + 1].position
    bundle = read_bundle(_bundle(tmp_path / "cut.zip", _cut(messages, cut), honest))
    verdict = verify_bundle(bundle, engine(), budget=6)
    assert not verdict.identical
    [said] = [p for p in verdict.problems if "审计包可能缺少消息" in p]
    assert said.startswith("结果为 3 个指标计入的回答比审计包的消息给出的多 (共多 60 份)"), said
    assert f"survey 日志位置 {before} → {after}" in said, said
    assert "(the results count more answers for 3 components than the bundle's" in said
    assert f"survey log positions {before} → {after}" in said, said
    assert verdict.lines()[0] == f"不一致 different: {said}"


def test_the_searches_of_a_verification_share_one_budget(tmp_path: Path) -> None:
    messages = _log(2)
    honest = _results(messages)
    bundle = read_bundle(
        _bundle(tmp_path / "cut.zip", _cut(messages, _second_part(messages)), honest)
    )
    counting = Counting()
    verdict = verify_bundle(bundle, counting, budget=6, total_budget=8)
    components = _components(verdict.units)
    assert len(components) == 3
    # The verification's own recomputation, then at most 8 for all the searches.
    assert counting.calls <= 1 + 8, counting.calls
    assert "本次校验的 8 次重算预算已用于以上各项" in components[-1].searched
    assert "(not searched: this verification's budget of 8 recomputations" in (
        components[-1].searched
    )
    # With the budget per component alone, every component is searched.
    unbounded = Counting()
    verify_bundle(bundle, unbounded, budget=6, total_budget=6 * 3)
    assert unbounded.calls > counting.calls
