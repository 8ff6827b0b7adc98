"""The verdict `pingyi audit verify` prints says each finding Chinese first, the English after
it unchanged: a unit missing from the bundle's results or not recomputed is said in words an
office reads, not only labelled."""

from __future__ import annotations

from pingyi.audit_verdict import UnitDifference, Verdict


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
