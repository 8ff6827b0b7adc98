"""`pingyi audit verify` names the messages behind a difference in memory flat in the number
of questionnaires: its search reads the bundle's messages again for each recomputation and
look-up, never holding them, so a round with four times the questionnaires for other units
peaks at about the same memory, and still names the changed questionnaire."""

from __future__ import annotations

import gc
import re
import shutil
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from pingyi.audit_bundle import BundleError, read_bundle, write_bundle
from pingyi.audit_verify import Verdict, engine, verify_bundle
from services.scoring.engine import score_round
from tests.scoring.engine.schemes import survey_only
from tests.scoring.engine.test_fold_builders import (
    CAMPAIGN,
    ROUND,
    Feed,
    closed,
    recorded,
    sid,
    wave,
)
from tests.scoring.engine.test_fold_world import build_registry

WAVE = "测评"
UNITS = ["市公安局", "市供电公司", "市住建局"]
SCHEME = survey_only(min_sample=1)
RATING = 30
"""Questionnaires that rate 市供电公司 (满意 and 不满意 in turn); the others rate only the
other two units."""


def _bundle(path: Path, others: int, forged: str | None) -> Path:
    """A round whose results are the honest ones, and whose messages give questionnaire
    Q-0000004 (满意 for 市供电公司) `forged` instead."""
    logs: list[Feed] = []
    for answer in ("满意", forged):
        registry, survey = Feed("registry"), Feed("survey")
        build_registry(registry)
        survey(wave(WAVE, UNITS, groups=(), points=()))
        for i in range(RATING):
            given = answer if i == 4 else ("满意", "不满意")[i % 2]
            survey(recorded(WAVE, f"Q-{i:07d}", ["满意", given, "基本满意"]))
        for i in range(RATING, RATING + others):
            survey(recorded(WAVE, f"Q-{i:07d}", ["不满意", None, "满意"]))
        survey(closed(WAVE))
        logs.append(registry)
        logs.append(survey)
    honest = logs[0].messages + logs[1].messages
    results = score_round(SCHEME, honest, campaign_id=str(CAMPAIGN), round=ROUND)
    feeds = logs[2:]
    about = {
        "campaign_id": str(CAMPAIGN),
        "round": ROUND,
        "read_to": {feed.origin: feed.position for feed in feeds},
    }
    encoded = {feed.origin: (m.encode() for m in feed.messages) for feed in feeds}
    write_bundle(path, scheme=SCHEME, messages=encoded, results=results, about=about)
    return path


def _peak_verifying(path: Path, budget: int) -> tuple[int, Verdict]:
    bundle = read_bundle(path)
    gc.collect()
    tracemalloc.start()
    try:
        verdict = verify_bundle(bundle, engine(), budget=budget)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak, verdict


def test_naming_a_changed_answer_among_four_times_the_questionnaires_peaks_at_about_the_same_memory(
    tmp_path: Path,
) -> None:
    small, said = _peak_verifying(_bundle(tmp_path / "small.zip", 1000, "基本满意"), 400)
    large, said_large = _peak_verifying(_bundle(tmp_path / "large.zip", 4000, "基本满意"), 400)
    for verdict in (said, said_large):
        [unit] = verdict.units
        assert unit.unit_id == sid("市供电公司")
        [component] = unit.components
        assert [m.label() for m in component.messages] == [
            "survey 位置 12 survey.response.recorded questionnaire_id=Q-0000004 "
            "(survey position 12 survey.response.recorded questionnaire_id=Q-0000004)"
        ]
        assert component.suspects is not None
        assert component.suspects.said() == (
            "它给该单位的回答是 基本满意; 审计包的结果表明它原为 满意 "
            "(照此更改, 该指标重算后与审计包的完全相同) "
            "(it gives this unit 基本满意; the bundle's results imply it was 满意 (so changed, "
            "the component is recomputed exactly as the bundle's))"
        )
    # Holding the messages took about four times the small round's peak.
    assert large < 1.5 * small, (small, large)


def test_a_bisection_cut_short_among_four_times_the_questionnaires_peaks_at_about_the_same_memory(
    tmp_path: Path,
) -> None:
    """An answer taken out is not narrowed by the contract: every candidate is bisected,
    each recomputation reading the bundle again, until the budget runs out."""
    small, said = _peak_verifying(_bundle(tmp_path / "small.zip", 1000, None), 12)
    large, said_large = _peak_verifying(_bundle(tmp_path / "large.zip", 4000, None), 12)
    for verdict, others in ((said, 1000), (said_large, 4000)):
        [unit] = verdict.units
        [component] = unit.components
        assert component.messages == []
        assert component.searched.startswith(
            "审计包的结果为该单位计入的回答多于其消息所给 (1 × 满意): 可能有问卷被删除, "
            "或其回答被去掉 (the bundle's results count more answers for this unit than its "
            "messages give (1 × 满意): a questionnaire may have been removed, or its answer "
            "taken out); 查找在 12 次重算的预算处停止; "
        ), component.searched
        assert "(search stopped at its budget of 12 recomputations; " in component.searched
        # What is left to search is said as positions, read again from the bundle.
        last = 2 * (others + RATING + 2)  # the wave's closing
        assert re.search(
            rf"; 尚未查找: registry 位置 \d+–60, survey 位置 2–{last} 中的 \d+ 个候选 \(",
            component.searched,
        ), component.searched
        assert re.search(
            rf"; not yet searched: \d+ candidates in registry positions \d+–60, "
            rf"survey positions 2–{last}\)$",
            component.searched,
        ), component.searched
    # Holding the messages, and every questionnaire's record in each recomputation, took
    # about four times the small round's peak.
    assert large < 1.5 * small, (small, large)


def test_a_bundle_changed_while_its_difference_is_searched_is_refused_as_the_bundles_fault(
    tmp_path: Path,
) -> None:
    """The search reads the bundle again, and hashes it again: a file replaced once the round
    was recomputed is refused naming the part, not searched as if the engine refused it."""
    path = _bundle(tmp_path / "b.zip", 20, "基本满意")
    other = _bundle(tmp_path / "other.zip", 21, "基本满意")
    bundle = read_bundle(path)
    computed = engine()
    calls = []

    def replacing(*args: Any) -> dict[str, Any]:
        calls.append(args)
        if len(calls) == 2:  # the search's first recomputation
            shutil.copyfile(other, path)
        return computed(*args)

    with pytest.raises(BundleError) as refused:
        verify_bundle(bundle, replacing)
    assert str(refused.value) == (
        "messages/survey.jsonl: 读取期间被改动过 (changed while it was being read)"
    )
    assert len(calls) == 2
