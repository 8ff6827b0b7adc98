"""`pingyi audit verify` takes memory flat in the number of questionnaires: the bundle's
messages are streamed into the engine's fold, never held all at once, so a round four times
the size peaks at about the same memory (a province's round of 1,000,000 questionnaires is
verified on an auditor's laptop)."""

from __future__ import annotations

import gc
import shutil
import tracemalloc
from pathlib import Path

import pytest

from pingyi.audit_bundle import BundleError, read_bundle, write_bundle
from pingyi.audit_stream import StreamedMessages
from pingyi.audit_verify import engine, verify_bundle
from services.scoring.engine import score_round
from services.scoring.engine.fold.keep import DECISION_TYPES
from tests.scoring.engine.schemes import survey_only
from tests.scoring.engine.test_fold_builders import (
    CAMPAIGN,
    ROUND,
    Feed,
    closed,
    corrected,
    recorded,
    wave,
)
from tests.scoring.engine.test_fold_world import build_registry

WAVE = "测评"
UNITS = ["市公安局", "市供电公司", "市住建局"]
SCHEME = survey_only(min_sample=1)
LEVELS = ("满意", "基本满意", "不满意")


def _bundle(path: Path, questionnaires: int) -> Path:
    """A round of that many questionnaires (one corrected, so the fold keeps a record)."""
    registry, survey = Feed("registry"), Feed("survey")
    build_registry(registry)
    survey(wave(WAVE, UNITS, groups=(), points=()))
    for i in range(questionnaires):
        survey(recorded(WAVE, f"Q-{i:07d}", [LEVELS[i % 3], LEVELS[i % 2], "满意"]))
    survey(corrected(WAVE, "Q-0000001", {"市公安局": "不满意"}))
    survey(closed(WAVE))
    messages = registry.messages + survey.messages
    results = score_round(SCHEME, messages, campaign_id=str(CAMPAIGN), round=ROUND)
    feeds = (registry, survey)
    about = {
        "campaign_id": str(CAMPAIGN),
        "round": ROUND,
        "read_to": {feed.origin: feed.position for feed in feeds},
    }
    encoded = {feed.origin: (m.encode() for m in feed.messages) for feed in feeds}
    write_bundle(path, scheme=SCHEME, messages=encoded, results=results, about=about)
    return path


def _peak_verifying(path: Path) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        verdict = verify_bundle(read_bundle(path), engine())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert verdict.identical, verdict.lines()
    return peak


def test_verifying_four_times_the_questionnaires_peaks_at_about_the_same_memory(
    tmp_path: Path,
) -> None:
    small = _peak_verifying(_bundle(tmp_path / "small.zip", 4000))
    large = _peak_verifying(_bundle(tmp_path / "large.zip", 16000))
    # Holding every message would take about four times the small round's peak, and reading
    # the archive in 1 MiB chunks some 1.4 times (it held up to 1 MiB of compressed log).
    assert large < 1.25 * small, (small, large)


def test_the_streamed_messages_are_the_bundles_in_order_and_readable_again(
    tmp_path: Path,
) -> None:
    bundle = read_bundle(_bundle(tmp_path / "b.zip", 20))
    streamed = StreamedMessages(bundle)
    every = [m.encode() for m in streamed]
    assert every == [m.encode() for m in bundle.messages()]
    assert [m.encode() for m in streamed] == every
    decisions = list(streamed.of_types(DECISION_TYPES))
    assert [m.event_type for m in decisions] == ["survey.response.corrected"]


def test_a_bundle_changed_while_streamed_is_refused_as_the_bundles_fault(tmp_path: Path) -> None:
    """Read again for each pass, the messages are hashed again: a file replaced after it was
    checked is refused naming the part, not reported as the engine refusing its inputs."""
    path = _bundle(tmp_path / "b.zip", 20)
    bundle = read_bundle(path)
    shutil.copyfile(_bundle(tmp_path / "other.zip", 21), path)
    with pytest.raises(BundleError) as refused:
        verify_bundle(bundle, engine())
    assert str(refused.value) == (
        "messages/survey.jsonl: 读取期间被改动过 (changed while it was being read)"
    )
