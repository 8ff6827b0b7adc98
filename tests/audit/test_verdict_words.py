"""The verdict `pingyi audit verify` prints says each finding Chinese first, the English after
it unchanged: a unit missing from the bundle's results or not recomputed is said in words an
office reads, not only labelled; so are the values that differ, a scheme that explains them,
and the engine's refusal of a bundle's inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from pingyi.audit_bundle import read_bundle
from pingyi.audit_verdict import (
    ComponentDifference,
    UnitDifference,
    Verdict,
    compare_units,
    top_level,
)
from pingyi.audit_verify import (
    CannotRecompute,
    engine,
    other_scheme_said,
    scheme_owned,
    verify_bundle,
)
from tests.audit.bundle_helpers import write_round


def test_identical_is_said_in_chinese_first() -> None:
    assert Verdict(True, [], []).lines() == [
        "一致 identical: 重算的结果与审计包中的结果逐字节相同 "
        "(the recomputed results are byte-identical to the bundle's)"
    ]


def test_each_unit_status_is_said_in_chinese_first() -> None:
    units = [
        UnitDifference("u1", "甲局", "different", fields=["score"]),
        UnitDifference("u2", "乙局", "missing"),
        UnitDifference("u3", "丙局", "unexpected"),
    ]
    assert Verdict(False, [], units).lines() == [
        "单位 unit 甲局 (u1): 不同 different — 字段 fields score",
        "单位 unit 乙局 (u2): 缺失 missing: 由消息重算得出, 审计包的结果中却没有 "
        "(recomputed from the messages, not in the bundle's results)",
        "单位 unit 丙局 (u3): 多出 unexpected: 在审计包的结果中, 由其消息重算却没有 "
        "(in the bundle's results, not recomputed from its messages)",
    ]


def test_the_differing_values_are_said_chinese_first() -> None:
    """Each `name: bundle X, recomputed Y` pair is said Chinese first, with the English
    after it whole, as it read before (a script that matched it still finds it)."""
    inputs = {f"k{n}": n for n in range(10)}
    stored = {
        "results_digest": "sha256:aa",
        "units": [
            {"unit_id": "u1", "name": "甲局", "score": "98.00", "components": [
                {"code": "c1", "inputs": inputs},
            ]},
        ],
    }  # fmt: skip
    recomputed = {
        "results_digest": "sha256:bb",
        "units": [
            {"unit_id": "u1", "name": "甲局", "score": "88.00", "components": [
                {"code": "c1", "inputs": {k: v + 1 for k, v in inputs.items()}},
            ]},
        ],
    }  # fmt: skip
    problems = top_level(stored, recomputed, skip=set())
    lines = Verdict(False, problems, compare_units(stored, recomputed)).lines()
    assert lines[0] == (
        '不一致 different: results_digest: 审计包中为 "sha256:aa", 重算为 "sha256:bb" '
        '(results_digest: bundle "sha256:aa", recomputed "sha256:bb")'
    )
    assert lines[2] == (
        '  字段 values: score: 审计包中为 "98.00", 重算为 "88.00" '
        '(score: bundle "98.00", recomputed "88.00")'
    )
    assert lines[3].startswith(
        "  指标 component c1: inputs.k0: 审计包中为 0, 重算为 1 (inputs.k0: bundle 0, "
        "recomputed 1); inputs.k1: "
    )
    assert lines[3].endswith("; … 另有 2 处 (… 2 more)")
    whole = ComponentDifference("c2", 1, 2)
    lines = Verdict(False, [], [UnitDifference("u1", "甲局", "different", components=[whole])])
    assert (
        lines.lines()[1] == "  指标 component c2: 审计包中为 1, 重算为 2 (bundle 1, recomputed 2)"
    )


SCHEME_REF = {"scheme_id": "s", "version": 1, "scheme_hash": "sha256:aa"}


def test_another_scheme_is_said_chinese_first() -> None:
    said = other_scheme_said(
        {"scheme": SCHEME_REF}, {"scheme": SCHEME_REF | {"scheme_hash": "sha256:bb"}}
    )
    assert said.startswith("方案 scheme: 结果是按 s v1 (sha256:aa) 计算的; 审计包的 scheme.json 是")
    assert "(the results were computed under s v1 (sha256:aa); the bundle's" in said


def test_a_value_the_scheme_states_is_said_chinese_first() -> None:
    scheme = {"components": [{"code": "c1", "level_weights": {"满意": "100", "基本满意": "70"}}]}
    component = ComponentDifference(
        "c1",
        {"inputs": {"level_weights": {"满意": "100", "基本满意": "80"}}},
        {"inputs": {"level_weights": {"满意": "100", "基本满意": "70"}}},
    )
    assert scheme_owned(scheme, component) == (
        'inputs.level_weights.基本满意 在审计包的 scheme.json 中是 "70" (level_weights.基本满意), '
        '在其结果中是 "80": 结果不是按其所称的方案计算的, 任何输入消息都无法解释 '
        '(inputs.level_weights.基本满意 is "70" in the bundle\'s scheme.json '
        '(level_weights.基本满意), "80" in its results: the results were not computed under the '
        "scheme they name, and no input message can explain it)"
    )


def test_inputs_the_engine_refuses_are_said_chinese_first(
    bundle_data: Path, tmp_path: Path
) -> None:
    """The bundle's scheme is no scheme the engine takes: said as the engine's refusal of the
    bundle's inputs, then the engine's own reason (it was only `ValidationError: …`)."""
    write_round(bundle_data, tmp_path / "b.zip")
    with pytest.raises(CannotRecompute) as refused:
        verify_bundle(read_bundle(tmp_path / "b.zip"), engine())
    assert str(refused.value).startswith(
        "计分引擎拒绝了审计包的输入 (the engine refused the bundle's inputs): "
    )
